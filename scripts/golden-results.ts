/**
 * Writes test/fixtures/golden-results.txt: a hash of every built-in benchmark's result in each mode
 * (one closed-loop client, and an open loop at 10 rpm capped at 50 MB/s), so that a change that moves
 * any number is seen (test/sim-golden.test.ts). Run it after a change that is meant to move results,
 * and say in the commit which ones moved and why:
 *
 *   npx tsx scripts/golden-results.ts
 */
import crypto from 'node:crypto';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { atomicWrite } from '../lib/atomic-write.js';
import { buildScenario } from '../loader/build.js';
import { listWorkflows } from '../loader/load.js';
import { runScenario } from '../sim/run.js';
import { MODE_NAMES } from '../sim/scenario.js';

/** Fields that differ between identical runs (wall clock). */
const WALL = new Set(['wallSeconds', 'eventsPerSecond']);

export const GOLDEN_LOADS = [{ name: '1client' }, { name: '10rpm-50MBps', rpm: 10, bandwidthMBps: 50 }] as const;

export function goldenLines(): string[] {
  const out: string[] = [];
  for (const w of listWorkflows())
    for (const mode of MODE_NAMES)
      for (const { name, ...load } of GOLDEN_LOADS) {
        const r = runScenario(buildScenario({ workflows: [w.name], mode, durationS: 60, ...load }));
        const json = JSON.stringify(r, (k, v) => (WALL.has(k) ? undefined : v));
        out.push(`${w.name} ${mode} ${name} ${crypto.createHash('sha256').update(json).digest('hex').slice(0, 16)} e2e.mean=${r.e2e.mean}`);
      }
  return out;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const file = fileURLToPath(new URL('../test/fixtures/golden-results.txt', import.meta.url));
  atomicWrite(file, goldenLines().join('\n') + '\n');
  console.log(`wrote ${file}`);
}
