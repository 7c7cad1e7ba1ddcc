/**
 * SimGrid as a differential oracle of flowsim's flow-level network (oracle/simgrid/README.md).
 *
 * - `generateFlowSet`: seeded random flow lists over N nodes, each with an uplink and a downlink
 *   (flowsim's Topology: a flow from A to B crosses A.up and B.down; its ACKs B.up and A.down).
 * - `runFlowsim`: the list on flowsim's `Network`, finish time of every flow.
 * - `runSimgrid`: the same list on SimGrid 3.32 (oracle/simgrid/flows.cpp, built on demand with
 *   g++ against Debian's libsimgrid-dev into oracle/simgrid/build/), finish time of every flow.
 *
 * Modes (flowsim parameters and the SimGrid configuration that should give the same times):
 * - `maxmin`: flowsim's default sharing, factors 1, no ACKs, no window. SimGrid CM02 with
 *   latency-factor 1, bandwidth-factor 1, weight-S 0, crosstraffic 0, TCP-gamma 0, links of
 *   latency 0 and each flow started after its route latency (`--latency-as-delay`): SimGrid's
 *   CM02 would otherwise weight shares by 1/latency (its sharing penalty), which plain max-min
 *   does not do.
 * - `cm02`: flowsim's `sharing: 'simgrid'` with the same plain parameters; SimGrid CM02 as above
 *   with the links' real latencies (shares in proportion to 1/route latency).
 * - `lv08`: flowsim's `sharing: 'simgrid'` with LV08's parameters (bandwidth factor 0.97, latency
 *   factor 13.01, ACKs 0.05 on the reverse route, gamma 4 MiB, weight-S 20537); SimGrid's own
 *   defaults (network/model LV08, crosstraffic on).
 * Both sides get SimGrid's numerical tolerances lowered (surf/precision, maxmin/precision) so that
 * its 1 ns / 1e-5 rounding of dates and remaining capacities does not hide differences.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync, writeFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tmpdir } from 'node:os';
import { Simulator, makeRng } from '../sim/engine/index.js';
import { Network } from '../sim/models/network.js';
import type { Params } from '../sim/params.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const SOURCE = join(HERE, 'simgrid', 'flows.cpp');
const BUILD = join(HERE, 'simgrid', 'build');
const BINARY = join(BUILD, 'flows');

export interface FlowSpec {
  start: number;
  /** Integer bytes (SimGrid takes a uint64_t size). */
  bytes: number;
  src: number;
  dst: number;
}

export interface FlowSet {
  nodes: number;
  /** Per node: NIC bandwidth (bytes/s) and one-way latency (s) of its uplink and downlink. */
  nicBps: number[];
  latencyS: number[];
  flows: FlowSpec[];
}

export type OracleMode = 'maxmin' | 'cm02' | 'lv08';
export const ORACLE_MODES: readonly OracleMode[] = ['maxmin', 'cm02', 'lv08'];

export const MODE_PARAMS: Record<OracleMode, Params['network']> = {
  maxmin: { bandwidthFactor: 1, latencyFactor: 1, ackWeight: 0, tcpGammaBytes: 0, sharing: 'maxmin', weightSBytes: 0, solveQuantumS: 0 },
  cm02: { bandwidthFactor: 1, latencyFactor: 1, ackWeight: 0, tcpGammaBytes: 0, sharing: 'simgrid', weightSBytes: 0, solveQuantumS: 0 },
  // SimGrid 3.32 LV08 defaults: network/bandwidth-factor 0.97, latency-factor 13.01, weight-S
  // 20537, TCP-gamma 4194304, crosstraffic on (ACKs weigh 0.05 on the reverse route)
  lv08: { bandwidthFactor: 0.97, latencyFactor: 13.01, ackWeight: 0.05, tcpGammaBytes: 4194304, sharing: 'simgrid', weightSBytes: 20537, solveQuantumS: 0 },
};

const PLAIN_CFG = ['network/model:CM02', 'network/latency-factor:1', 'network/bandwidth-factor:1', 'network/weight-S:0', 'network/crosstraffic:0', 'network/TCP-gamma:0'];
const PRECISION_CFG = (process.env.FLOWSIM_SIMGRID_PRECISION ?? 'surf/precision:1e-13').split(' ');

function simgridArgs(mode: OracleMode): string[] {
  const cfg = mode === 'lv08' ? ['network/model:LV08', 'network/crosstraffic:1'] : PLAIN_CFG;
  const args = [...cfg, ...PRECISION_CFG].map((c) => `--cfg=${c}`);
  if (mode === 'maxmin') args.push('--latency-as-delay');
  args.push('--log=root.thres:critical');
  return args;
}

// --- flow sets -------------------------------------------------------------------------------

export interface FlowSetOptions {
  seed: number;
  nodes: number;
  flows: number;
  /** 'uniform': any node to any other; 'racks': inside groups of `rackSize` nodes. */
  pattern: 'uniform' | 'racks';
  rackSize?: number;
  /** Flow starts are uniform over [0, arrivalS]. */
  arrivalS: number;
  meanBytes: number;
  /** Per-node NIC rates and latencies are drawn from these lists. */
  nicChoicesBps: readonly number[];
  latencyChoicesS: readonly number[];
}

export function generateFlowSet(o: FlowSetOptions): FlowSet {
  const rng = makeRng(o.seed, 'simgrid-oracle');
  const pickOf = <T>(xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)];
  const nicBps = Array.from({ length: o.nodes }, () => pickOf(o.nicChoicesBps));
  const latencyS = Array.from({ length: o.nodes }, () => pickOf(o.latencyChoicesS));
  const rack = o.rackSize ?? 4;
  if (o.pattern === 'racks' && o.nodes % rack !== 0) throw new RangeError(`nodes (${o.nodes}) must be a multiple of rackSize (${rack})`);
  const flows: FlowSpec[] = [];
  for (let i = 0; i < o.flows; i++) {
    const group = o.pattern === 'uniform' ? o.nodes : rack;
    const base = o.pattern === 'uniform' ? 0 : Math.floor(rng() * (o.nodes / rack)) * rack;
    const a = base + Math.floor(rng() * group);
    let b = base + Math.floor(rng() * (group - 1));
    if (b >= a) b++;
    const bytes = Math.max(1, Math.round(-o.meanBytes * Math.log(1 - rng())));
    flows.push({ start: rng() * o.arrivalS, bytes, src: a, dst: b });
  }
  return { nodes: o.nodes, nicBps, latencyS, flows };
}

/** Link ids as in the text format: node i's uplink is 2i, its downlink 2i + 1. */
const upOf = (i: number) => 2 * i;
const downOf = (i: number) => 2 * i + 1;

/** The flow list in flows.cpp's text format (numbers with 17 significant digits, so exact). */
export function toText(set: FlowSet): string {
  const g = (x: number) => x.toPrecision(17);
  const out: string[] = [`# flowsim flow set: ${set.nodes} nodes, ${set.flows.length} flows`, `hosts ${set.nodes}`];
  for (let i = 0; i < set.nodes; i++) {
    out.push(`link ${g(set.nicBps[i])} ${g(set.latencyS[i])}`); // 2i: i.up
    out.push(`link ${g(set.nicBps[i])} ${g(set.latencyS[i])}`); // 2i + 1: i.down
  }
  // only the routes the flows use, both ways (SimGrid takes ACKs' route as dst->route_to(src))
  const seen = new Set<number>();
  for (const f of set.flows) {
    for (const [s, d] of [[f.src, f.dst], [f.dst, f.src]]) {
      const key = s * set.nodes + d;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(`route ${s} ${d} 2 ${upOf(s)} ${downOf(d)}`);
    }
  }
  for (const f of set.flows) out.push(`flow ${g(f.start)} ${f.bytes} ${f.src} ${f.dst}`);
  return `${out.join('\n')}\n`;
}

// --- flowsim ---------------------------------------------------------------------------------

export interface RunResult {
  finish: Float64Array;
  /** Wall seconds of the simulation run (set-up and parsing excluded). */
  wallS: number;
}

export function runFlowsim(set: FlowSet, p: Params['network']): RunResult {
  const sim = new Simulator(4 * set.flows.length + 16);
  const net = new Network(sim, p);
  const up: number[] = [];
  const down: number[] = [];
  for (let i = 0; i < set.nodes; i++) {
    up.push(net.addLink(`n${i}.up`, set.nicBps[i], set.latencyS[i]));
    down.push(net.addLink(`n${i}.down`, set.nicBps[i], set.latencyS[i]));
    net.pairLinks(up[i], down[i]);
  }
  const finish = new Float64Array(set.flows.length).fill(-1);
  const t0 = process.hrtime.bigint();
  set.flows.forEach((f, i) => {
    sim.call(f.start, () => net.transfer([up[f.src], down[f.dst]], f.bytes, () => (finish[i] = sim.now)));
  });
  sim.run();
  const wallS = Number(process.hrtime.bigint() - t0) / 1e9;
  return { finish, wallS };
}

// --- SimGrid ---------------------------------------------------------------------------------

export type OracleStatus = { ok: true; binary: string } | { ok: false; reason: string };

let cached: OracleStatus | undefined;

/**
 * Builds oracle/simgrid/flows.cpp when its binary is missing or older than the source. Not ok,
 * with the reason, when g++ or SimGrid's headers and library (Debian: libsimgrid-dev) are missing.
 */
export function simgridOracle(): OracleStatus {
  if (cached) return cached;
  const has = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
  if (!has('g++')) return (cached = { ok: false, reason: 'g++ is not installed (apt-get install -y g++ libsimgrid-dev)' });
  if (!existsSync('/usr/include/simgrid/s4u.hpp')) return (cached = { ok: false, reason: 'SimGrid is not installed (apt-get install -y libsimgrid-dev)' });
  if (existsSync(BINARY) && statSync(BINARY).mtimeMs >= statSync(SOURCE).mtimeMs) return (cached = { ok: true, binary: BINARY });
  mkdirSync(BUILD, { recursive: true });
  const tmp = `${BINARY}.${process.pid}.tmp`;
  try {
    execFileSync('g++', ['-O2', '-std=c++17', '-o', tmp, SOURCE, '-lsimgrid'], { stdio: ['ignore', 'pipe', 'pipe'] });
    // rename is atomic: concurrent builds (test workers) never see a half-written binary
    execFileSync('mv', ['-f', tmp, BINARY]);
  } catch (e) {
    rmSync(tmp, { force: true });
    const err = e as { stderr?: Buffer };
    return (cached = { ok: false, reason: `building ${SOURCE} failed: ${err.stderr?.toString().split('\n').slice(0, 5).join(' ') ?? String(e)}` });
  }
  return (cached = { ok: true, binary: BINARY });
}

export function runSimgrid(set: FlowSet, mode: OracleMode): RunResult {
  const o = simgridOracle();
  if (!o.ok) throw new Error(o.reason);
  const file = join(tmpdir(), `flowsim-oracle-${process.pid}-${Math.random().toString(36).slice(2)}.txt`);
  writeFileSync(file, toText(set));
  try {
    const r = spawnSync(o.binary, [file, ...simgridArgs(mode)], { encoding: 'utf8', maxBuffer: 256 << 20 });
    if (r.status !== 0) throw new Error(`SimGrid oracle exited with ${r.status ?? r.signal}: ${r.stderr.slice(-500)}`);
    const lines = r.stdout.trim().split('\n');
    if (lines.length !== set.flows.length) throw new Error(`SimGrid oracle printed ${lines.length} times for ${set.flows.length} flows`);
    const m = /wall ([0-9.e+-]+)\s*$/.exec(r.stderr);
    return { finish: Float64Array.from(lines, Number), wallS: m ? Number(m[1]) : NaN };
  } finally {
    rmSync(file, { force: true });
  }
}

/** Largest relative difference of two finish-time lists, and the flow where it is. */
export function maxRelError(a: Float64Array, b: Float64Array): { err: number; flow: number } {
  let err = 0;
  let flow = -1;
  for (let i = 0; i < a.length; i++) {
    const e = Math.abs(a[i] - b[i]) / Math.max(Math.abs(b[i]), 1e-300);
    if (!(e <= err)) {
      err = e;
      flow = i;
    }
  }
  return { err, flow };
}
