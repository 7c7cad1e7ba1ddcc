/**
 * The policy registries: a policy is chosen by name in the cluster YAML (`policies:`) or on the
 * command line (`--queue`, `--keep-alive`, `--placement`). Adding one is its own file plus one line here.
 */
import type { Params } from '../params.js';
import type { ModeName } from '../scenario.js';
import type { PlacementPolicy } from './placement.js';
import { groupingPlacement } from './placement-grouping.js';
import { hashPlacement } from './placement-hash.js';
import { leastLoadedPlacement } from './placement-least-loaded.js';
import { localityPlacement } from './placement-locality.js';
import { randomPlacement } from './placement-random.js';
import type { KeepAlivePolicy } from './keep-alive.js';
import { fixedKeepAlive } from './keep-alive-fixed.js';
import { hybridKeepAlive } from './keep-alive-hybrid.js';
import { noKeepAlive } from './keep-alive-none.js';
import type { QueuePolicy } from './queue.js';
import { edf } from './queue-edf.js';
import { fifo } from './queue-fifo.js';
import { priority } from './queue-priority.js';
import { sjf } from './queue-sjf.js';

export const QUEUE_POLICIES: Record<string, { describe: string; policy: QueuePolicy }> = {
  fifo: { describe: 'first in, first out (both systems; default)', policy: fifo },
  priority: { describe: "higher workflow/function `priority` first", policy: priority },
  sjf: { describe: 'shortest predicted service time first', policy: sjf },
  edf: { describe: 'earliest request deadline first (workflow `deadline`)', policy: edf },
};

export const KEEP_ALIVE_POLICIES: Record<string, { describe: string; create: (p: Params['containers']) => KeepAlivePolicy }> = {
  fixed: { describe: 'idle containers kept containers.keepAliveS (600 s, both systems; default)', create: (p) => fixedKeepAlive(p.keepAliveS) },
  none: { describe: 'idle containers removed at once', create: () => noKeepAlive() },
  hybrid: {
    describe: 'hybrid histogram with pre-warming (Shahrad et al., ATC 2020)',
    create: (p) => hybridKeepAlive({ binS: p.hybrid.binS, rangeS: p.hybrid.rangeS, minSamples: p.hybrid.minSamples, margin: p.hybrid.margin, fallbackS: p.keepAliveS }),
  },
};

export const PLACEMENT_POLICIES: Record<string, { describe: string; modes: readonly ModeName[]; policy?: PlacementPolicy }> = {
  hash: { describe: "hash of the function's name modulo the workers (HyperFlow's raw placement; hyperflow's default)", modes: ['hyperflow'], policy: hashPlacement },
  grouping: { describe: "FaaSFlow's critical-path grouping (faasflow's default and only one: FaaStore's data placement follows it)", modes: ['hyperflow', 'faasflow'], policy: groupingPlacement },
  table: { describe: "the benchmark's placement table, grouping elsewhere (dataflower's default and only one)", modes: ['dataflower'] },
  'least-loaded': { describe: 'the worker with the fewest busy containers when the function is ready', modes: ['hyperflow'], policy: leastLoadedPlacement },
  locality: { describe: 'the worker that produced most of the input bytes, least loaded on ties', modes: ['hyperflow'], policy: localityPlacement },
  random: { describe: 'a worker drawn at random for every function of every request (seeded stream)', modes: ['hyperflow'], policy: randomPlacement },
};

/** The mode's own placement when none is named. */
export const DEFAULT_PLACEMENT: Record<ModeName, string> = { hyperflow: 'hash', faasflow: 'grouping', dataflower: 'table', adaptive: '' };

export function queuePolicy(name: string): QueuePolicy {
  const q = QUEUE_POLICIES[name];
  if (!q) throw new Error(`unknown queue policy '${name}'; valid: ${Object.keys(QUEUE_POLICIES).join(', ')}`);
  return q.policy;
}

export function keepAlivePolicy(name: string, p: Params['containers']): KeepAlivePolicy {
  const k = KEEP_ALIVE_POLICIES[name];
  if (!k) throw new Error(`unknown keep-alive policy '${name}'; valid: ${Object.keys(KEEP_ALIVE_POLICIES).join(', ')}`);
  return k.create(p);
}

/** The placement policy `name` for `mode`, or an error that says which ones the mode takes. */
export function placementPolicy(name: string, mode: ModeName): PlacementPolicy | undefined {
  const p = PLACEMENT_POLICIES[name];
  if (!p) throw new Error(`unknown placement policy '${name}'; valid: ${Object.keys(PLACEMENT_POLICIES).join(', ')}`);
  if (mode === 'adaptive') throw new Error(`placement '${name}' does not apply to adaptive mode: each workflow runs with the placement of the mode adaptive chooses for it`);
  if (!p.modes.includes(mode)) {
    const ok = Object.entries(PLACEMENT_POLICIES).filter(([, v]) => v.modes.includes(mode)).map(([k]) => k);
    throw new Error(`placement '${name}' does not apply to ${mode} mode; ${mode} takes: ${ok.join(', ')}`);
  }
  return p.policy;
}
