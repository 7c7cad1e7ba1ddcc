/**
 * Writes the test fixtures in traces/fixtures/ from the project's own generator (fixed seed), so
 * no third-party trace is shipped. Run: `npx tsx traces/make-fixtures.ts`. Output is deterministic:
 * rerunning it must leave `git status` clean (the round-trip tests check the same property).
 */
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateWorkflow, type GeneratorOptions } from './generator.js';
import { exportWfFormat } from './wfformat.js';
import { makeRng } from '../sim/engine/random.js';
import { atomicWrite } from '../lib/atomic-write.js';

export const FIXTURE_SEED = 7;

/** The WfFormat fixtures: recipe, size, schema version. */
export const WF_FIXTURES: { file: string; recipe: string; tasks: number; version: '1.5' | '1.4'; options: GeneratorOptions }[] = [
  // two with workflow-level input files (inputBytes), two without; cpu 1 so coreCount survives the trip
  { file: 'genome-50.wf15.json', recipe: 'genome', tasks: 50, version: '1.5', options: { inputs: true, cpu: 1 } },
  { file: 'cycles-46.wf15.json', recipe: 'cycles', tasks: 46, version: '1.5', options: {} },
  { file: 'epigenomics-45.wf14.json', recipe: 'epigenomics', tasks: 45, version: '1.4', options: { cpu: 1 } },
  { file: 'soykb-45.wf14.json', recipe: 'soykb', tasks: 45, version: '1.4', options: { inputs: true } },
];

export const AZURE_FIXTURE = 'azure-invocations-tiny.csv';

const dir = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');

/** A tiny self-made Azure 2019-format file: 3 functions with sparse made-up per-minute counts. */
export const FIXTURE_DIR = dir;

export function makeAzureFixture(): string {
  const header = ['HashOwner', 'HashApp', 'HashFunction', 'Trigger', ...Array.from({ length: 1440 }, (_, m) => String(m + 1))];
  const rng = makeRng(FIXTURE_SEED, 'azure-fixture');
  const row = (owner: string, app: string, func: string, trigger: string, rate: (m: number) => number) =>
    [owner, app, func, trigger, ...Array.from({ length: 1440 }, (_, m) => String(rate(m)))].join(',');
  return [
    header.join(','),
    // a timer firing once a minute
    row('o1', 'a1', 'f-timer', 'timer', () => 1),
    // an http function, busy in the first hour, idle otherwise
    row('o1', 'a1', 'f-http', 'http', (m) => (m < 60 ? Math.floor(rng() * 6) : 0)),
    // a rarely used queue function
    row('o2', 'a2', 'f-queue', 'queue', (m) => (m % 360 === 0 ? 3 : 0)),
  ].join('\n') + '\n';
}

function main(): void {
  mkdirSync(dir, { recursive: true });
  for (const f of WF_FIXTURES) {
    const spec = generateWorkflow(f.recipe, f.tasks, FIXTURE_SEED, f.options);
    const doc = exportWfFormat(spec, f.version, { description: `flowsim-generated ${f.recipe} workflow (${f.tasks} tasks, seed ${FIXTURE_SEED}), WfFormat ${f.version}; synthetic, never executed` });
    const text = JSON.stringify(doc, null, 1) + '\n';
    atomicWrite(join(dir, f.file), text);
    console.log(`${f.file}: ${spec.functions.length} tasks, ${spec.edges.length} edges, ${text.length} bytes`);
  }
  const csv = makeAzureFixture();
  atomicWrite(join(dir, AZURE_FIXTURE), csv);
  console.log(`${AZURE_FIXTURE}: ${csv.length} bytes`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main();
