// How a testbed node starts a function instance's "container" (its cold start), used by the
// agent's probes and by the workflow engines alike:
//
// - process (netns testbed, and Docker with --function-launcher process): a forked Node process
//   talking over the IPC channel; the cold start is the process start until it has connected to
//   its stores;
// - container (Docker testbed): `docker run` of the testbed image through the Engine API on the
//   Docker socket mounted into the worker container, as FaaSFlow's and DataFlower's workers start
//   a container per function: the function container joins the worker's network namespace (so its
//   stores are the worker's: 127.0.0.1 is the worker's own Redis, and its traffic leaves through
//   the worker's shaped interface) and the worker's CPU pool (the cgroup the testbed made for the
//   worker's functions, or else the worker container's own), and it connects back to the agent
//   over loopback. The cold start is create + start
//   + the function's own start, until it says it is ready. Each container carries the testbed's
//   labels, so the testbed's close and the sweep after a crash remove it.
//
// Both return a handle with send(msg), on/off/once('message'), once('exit') and kill().
import { fork } from 'node:child_process';
import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import readline from 'node:readline';
import crypto from 'node:crypto';

const now = () => Number(process.hrtime.bigint()) / 1e9;

function dockerApi(socketPath, method, path, body) {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const req = http.request({ socketPath, method, path, headers: data ? { 'content-type': 'application/json', 'content-length': data.length } : {} }, (res) => {
      const parts = [];
      res.on('data', (d) => parts.push(d));
      res.on('end', () => {
        const text = Buffer.concat(parts).toString();
        if (res.statusCode >= 300) reject(new Error(`docker ${method} ${path}: ${res.statusCode} ${text.trim().slice(0, 300)}`));
        else resolve(text ? JSON.parse(text) : {});
      });
    });
    req.on('error', reject);
    if (data) req.write(data);
    req.end();
  });
}

/** The cgroup path of this process (cgroup v1 'cpu' controller, or v2), for CgroupParent. */
function ownCgroup() {
  try {
    const lines = fs.readFileSync('/proc/self/cgroup', 'utf8').trim().split('\n');
    const cpu = lines.find((l) => /:(cpu,cpuacct|cpuacct,cpu|cpu):/.test(l)) ?? lines.find((l) => l.startsWith('0::'));
    const p = cpu?.split(':').slice(2).join(':');
    return p && p !== '/' ? p : undefined;
  } catch {
    return undefined;
  }
}

export function createLauncher({ kind, functionScript, env, log, docker }) {
  if (kind === 'process') {
    return {
      kind,
      start() {
        const t0 = now();
        const child = fork(functionScript, [], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
        return new Promise((resolve, reject) => {
          const t = setTimeout(() => reject(new Error('function cold start: timeout after 30 s')), 30000);
          child.once('error', reject);
          child.once('exit', (code) => reject(new Error(`function process exited with ${code} before ready`)));
          child.once('message', (m) => {
            clearTimeout(t);
            if (m && m.ready) resolve({ child, coldS: now() - t0, rssBytes: m.rssBytes });
            else reject(new Error('function process: unexpected first message'));
          });
        });
      },
      close() {},
    };
  }
  // ---- containers ----
  const { socketPath, image, labels, workerContainer, port, namePrefix } = docker;
  const waiting = new Map(); // token -> resolve(socket, hello)
  const server = net.createServer((sock) => {
    sock.setNoDelay(true);
    const rl = readline.createInterface({ input: sock });
    rl.once('line', (line) => {
      let hello;
      try {
        hello = JSON.parse(line);
      } catch {
        sock.destroy();
        return;
      }
      const w = waiting.get(hello.token);
      if (!w) {
        sock.destroy();
        return;
      }
      waiting.delete(hello.token);
      w(sock, rl, hello);
    });
    sock.on('error', () => {});
  });
  const listening = new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  // the worker's CPU pool when the testbed made one (cgroups.ts), else the worker's own cgroup
  const cgroup = docker.cgroupParent || ownCgroup();
  let seq = 0;
  const live = new Set();

  class ContainerHandle extends EventEmitter {
    constructor(id, sock, rl) {
      super();
      this.id = id;
      this.sock = sock;
      this.exitCode = null;
      rl.on('line', (line) => {
        let m;
        try {
          m = JSON.parse(line);
        } catch {
          return;
        }
        this.emit('message', m);
      });
      sock.on('close', () => {
        this.exitCode = 0;
        live.delete(this);
        this.emit('exit', 0);
      });
    }
    send(msg) {
      this.sock.write(JSON.stringify(msg) + '\n');
    }
    kill() {
      this.sock.destroy();
      void dockerApi(socketPath, 'DELETE', `/containers/${this.id}?force=true`).catch(() => {});
    }
  }

  return {
    kind,
    async start() {
      await listening;
      const t0 = now();
      const token = crypto.randomBytes(12).toString('hex');
      const name = `${namePrefix}-f${++seq}`;
      const body = {
        Image: image,
        Cmd: ['node', functionScript],
        Env: Object.entries({ ...env, FS_CONNECT: `127.0.0.1:${port}`, FS_TOKEN: token }).map(([k, v]) => `${k}=${v}`),
        Labels: labels,
        HostConfig: { NetworkMode: `container:${workerContainer}`, ...(cgroup ? { CgroupParent: cgroup } : {}) },
      };
      const hello = new Promise((resolve) => waiting.set(token, (sock, rl, h) => resolve({ sock, rl, h })));
      const created = await dockerApi(socketPath, 'POST', `/containers/create?name=${encodeURIComponent(name)}`, body);
      try {
        await dockerApi(socketPath, 'POST', `/containers/${created.Id}/start`);
        let timer;
        const r = await Promise.race([
          hello,
          new Promise((_, rej) => {
            timer = setTimeout(() => rej(new Error(`function container ${name}: not ready after 60 s`)), 60000);
          }),
        ]);
        clearTimeout(timer);
        const child = new ContainerHandle(created.Id, r.sock, r.rl);
        live.add(child);
        return { child, coldS: now() - t0, rssBytes: r.h.rssBytes };
      } catch (e) {
        waiting.delete(token);
        void dockerApi(socketPath, 'DELETE', `/containers/${created.Id}?force=true`).catch(() => {});
        throw e;
      }
    },
    close() {
      for (const c of live) c.kill();
      server.close();
    },
  };
}
