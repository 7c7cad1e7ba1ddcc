// A function process (the "container" of the netns testbed). The runtime forks one per cold start;
// it is ready once it has connected to its stores and says so. Each invocation message runs a
// synthetic function: read inputs from a store, busy-loop on the CPU for `cpuS`, write outputs of
// the given sizes to a store, and reply with how long each part took.
import { Resp } from './resp.mjs';

const local = { host: process.env.FS_LOCAL_HOST ?? '127.0.0.1', port: Number(process.env.FS_LOCAL_PORT ?? 6379) };
const remote = { host: process.env.FS_REMOTE_HOST ?? '127.0.0.1', port: Number(process.env.FS_REMOTE_PORT ?? 6379) };

const stores = {
  local: await Resp.connect(local.host, local.port),
  remote: await Resp.connect(remote.host, remote.port),
};

function busy(seconds) {
  const end = process.hrtime.bigint() + BigInt(Math.round(seconds * 1e9));
  let x = 0;
  while (process.hrtime.bigint() < end) x += Math.sqrt(x + 1);
  return x;
}

const now = () => Number(process.hrtime.bigint()) / 1e9;

process.on('message', async (msg) => {
  const t0 = now();
  try {
    let readBytes = 0;
    for (const i of msg.inputs ?? []) {
      const v = await stores[i.store].get(i.key);
      readBytes += v ? v.length : 0;
    }
    const t1 = now();
    if (msg.cpuS > 0) busy(msg.cpuS);
    const t2 = now();
    for (const o of msg.outputs ?? []) await stores[o.store].set(o.key, Buffer.alloc(o.bytes, 0x61));
    const t3 = now();
    process.send({ id: msg.id, ok: true, readS: t1 - t0, cpuS: t2 - t1, writeS: t3 - t2, readBytes });
  } catch (e) {
    process.send({ id: msg.id, ok: false, error: String(e?.message ?? e) });
  }
});

process.on('disconnect', () => process.exit(0));
process.send({ ready: true, pid: process.pid });
