/* SimGrid oracle for flowsim's flow-level network (oracle/simgrid/README.md).
 *
 * Reads a flow list (text, one record a line) on stdin or from argv[1], simulates it with SimGrid's
 * s4u API and prints each flow's finish time, one line per flow in input order, with 17 digits.
 *
 *   hosts N                          hosts h0 .. h(N-1)
 *   link BW LAT                      links l0, l1, ... in order: bandwidth (bytes/s), latency (s)
 *   route SRC DST K L1 .. LK         the links from host SRC to host DST (one direction only)
 *   flow START BYTES SRC DST         a transfer of BYTES (integer) starting at START (s)
 *
 * Model parameters come from SimGrid's own --cfg options (network/model, network/latency-factor,
 * network/bandwidth-factor, network/weight-S, network/crosstraffic, network/TCP-gamma, ...).
 * --latency-as-delay: links get latency 0 and each flow starts at START + its route latency
 * instead (flowsim's plain max-min mode: latency is a delay before sharing, and flows share a
 * bottleneck equally whatever their latency).
 * The last line on stderr is "wall S": seconds of Engine::run(), parsing and set-up excluded.
 */
#include <simgrid/s4u.hpp>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

namespace sg4 = simgrid::s4u;

struct Flow {
  double start;
  unsigned long long bytes;
  int src;
  int dst;
  double finish = -1;
};

static std::vector<Flow> flows;

int main(int argc, char** argv)
{
  sg4::Engine e(&argc, argv);
  bool delay = false;
  const char* file = nullptr;
  for (int i = 1; i < argc; i++) {
    if (std::strcmp(argv[i], "--latency-as-delay") == 0)
      delay = true;
    else
      file = argv[i];
  }
  std::ifstream fin;
  if (file) {
    fin.open(file);
    if (!fin) {
      std::fprintf(stderr, "flows: cannot open %s\n", file);
      return 2;
    }
  }
  std::istream& in = file ? static_cast<std::istream&>(fin) : std::cin;

  auto* zone = sg4::create_full_zone("world");
  std::vector<sg4::Host*> hosts;
  std::vector<sg4::Link*> links;
  std::vector<double> lat;
  std::vector<std::vector<std::vector<int>>> routes;
  std::string line;
  std::string kind;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#')
      continue;
    std::istringstream ss(line);
    ss >> kind;
    if (kind == "hosts") {
      int n;
      ss >> n;
      for (int i = 0; i < n; i++)
        hosts.push_back(zone->create_host("h" + std::to_string(i), 1.0));
      routes.assign(n, std::vector<std::vector<int>>(n));
    } else if (kind == "link") {
      double bw;
      double l;
      ss >> bw >> l;
      auto* link = zone->create_link("l" + std::to_string(links.size()), bw);
      link->set_latency(delay ? 0.0 : l);
      link->seal();
      links.push_back(link);
      lat.push_back(l);
    } else if (kind == "route") {
      int s;
      int d;
      int k;
      ss >> s >> d >> k;
      std::vector<sg4::LinkInRoute> r;
      for (int i = 0; i < k; i++) {
        int id;
        ss >> id;
        r.emplace_back(links.at(id));
        routes.at(s).at(d).push_back(id);
      }
      zone->add_route(hosts.at(s)->get_netpoint(), hosts.at(d)->get_netpoint(), nullptr, nullptr, r, false);
    } else if (kind == "flow") {
      Flow f;
      ss >> f.start >> f.bytes >> f.src >> f.dst;
      flows.push_back(f);
    } else {
      std::fprintf(stderr, "flows: unknown record '%s'\n", kind.c_str());
      return 2;
    }
    if (ss.fail()) {
      std::fprintf(stderr, "flows: bad line '%s'\n", line.c_str());
      return 2;
    }
  }
  zone->seal();

  for (size_t i = 0; i < flows.size(); i++) {
    double at = flows[i].start;
    if (delay) {
      // the same sum, in the same order, as flowsim's Network.routeLatency
      double l = 0;
      for (int id : routes[flows[i].src][flows[i].dst])
        l += lat[id];
      at = at + l;
    }
    sg4::Actor::create("f" + std::to_string(i), hosts[flows[i].src], [i, at]() {
      if (at > 0)
        sg4::this_actor::sleep_until(at);
      Flow& f = flows[i];
      sg4::Comm::sendto(sg4::Host::by_name("h" + std::to_string(f.src)), sg4::Host::by_name("h" + std::to_string(f.dst)), f.bytes);
      f.finish = sg4::Engine::get_clock();
    });
  }
  auto t0 = std::chrono::steady_clock::now();
  e.run();
  auto t1 = std::chrono::steady_clock::now();
  for (auto const& f : flows)
    std::printf("%.17g\n", f.finish);
  std::fprintf(stderr, "wall %.6f\n", std::chrono::duration<double>(t1 - t0).count());
  return 0;
}
