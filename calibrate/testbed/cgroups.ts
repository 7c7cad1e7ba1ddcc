/**
 * CPU and memory pools for a Docker testbed's function containers (cgroup v1, cgroupfs driver, as
 * Debian's docker.io sets up): one cgroup per worker, `/flowsim-<testbed id>-<worker>`, with the
 * worker's CPU limit (cpu.cfs_quota_us over a 100 ms period) and memory limit, given to each of
 * its function containers as `--cgroup-parent`. The worker's own processes (engine, prefetcher,
 * Redis) stay outside it, as a real worker's engine and store run beside its containers, so the
 * pool is what flowsim's node CPU model describes: the cores the functions share.
 *
 * Needs the host's cgroup file system (a local engine, as root); `available()` says when not.
 */
import fs from 'node:fs';
import path from 'node:path';

const ROOT = '/sys/fs/cgroup';
const PERIOD_US = 100_000;

/** Why pools cannot be made here, or null when they can. */
export function unavailableReason(): string | null {
  if (process.getuid?.() !== 0) return 'not root';
  if (process.env.DOCKER_HOST && !process.env.DOCKER_HOST.startsWith('unix://')) return `the engine is remote (DOCKER_HOST=${process.env.DOCKER_HOST})`;
  if (!fs.existsSync(path.join(ROOT, 'cpu', 'cpu.cfs_quota_us'))) return 'no cgroup v1 cpu hierarchy at /sys/fs/cgroup/cpu';
  return null;
}

/** Creates the pool `name` with `cpus` cores (undefined: no CPU limit) and an optional memory limit. */
export function createPool(name: string, cpus: number | undefined, memoryBytes?: number): void {
  const cpu = path.join(ROOT, 'cpu', name);
  fs.mkdirSync(cpu, { recursive: true });
  fs.writeFileSync(path.join(cpu, 'cpu.cfs_period_us'), String(PERIOD_US));
  fs.writeFileSync(path.join(cpu, 'cpu.cfs_quota_us'), cpus === undefined ? '-1' : String(Math.max(1000, Math.round(cpus * PERIOD_US))));
  if (memoryBytes) {
    const mem = path.join(ROOT, 'memory', name);
    fs.mkdirSync(mem, { recursive: true });
    fs.writeFileSync(path.join(mem, 'memory.limit_in_bytes'), String(Math.round(memoryBytes)));
  }
}

/** Removes the pool from every hierarchy (its containers' cgroups must be gone). Never throws. */
export function removePool(name: string): void {
  let hierarchies: string[] = [];
  try {
    hierarchies = fs.readdirSync(ROOT);
  } catch {
    return;
  }
  for (const h of hierarchies) {
    const dir = path.join(ROOT, h, name);
    try {
      // leftover (empty) child cgroups first, then the pool
      for (const c of fs.readdirSync(dir, { withFileTypes: true })) if (c.isDirectory()) fs.rmdirSync(path.join(dir, c.name));
      fs.rmdirSync(dir);
    } catch {
      /* not there, or still busy */
    }
  }
}

/** Pools on this host whose names start with `prefix` (in the cpu hierarchy). */
export function listPools(prefix: string): string[] {
  try {
    return fs.readdirSync(path.join(ROOT, 'cpu')).filter((n) => n.startsWith(prefix));
  } catch {
    return [];
  }
}
