import test from 'ava';
import { execa } from 'execa';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildScenario } from '../loader/build.js';
import { runScenario } from '../sim/run.js';
import type { SimResult } from '../sim/scenario.js';

const stable = (r: SimResult) => JSON.stringify({ ...r, wallSeconds: 0, eventsPerSecond: 0 });

test('determinism: the same seed gives identical results, another seed differs', (t) => {
  for (const mode of ['hyperflow', 'faasflow', 'dataflower'] as const) {
    const opts = { workflows: ['df-recognizer'], mode, rpm: 20, durationS: 60, warmupRequests: 0, seed: 11, trace: true };
    const a = runScenario(buildScenario(opts));
    const b = runScenario(buildScenario(opts));
    t.is(stable(a), stable(b), `${mode}: same seed`);
    const c = runScenario(buildScenario({ ...opts, seed: 12 }));
    t.not(stable(a), stable(c), `${mode}: different seeds`);
  }
});

const cli = (args: string[]) => execa('node', ['--import', 'tsx', 'cli/sim.ts', ...args], { reject: false, env: { ...process.env, FORCE_COLOR: '0' } });

test('CLI --json prints the documented fields', async (t) => {
  const r = await cli(['--workflow', 'wordcount', '--mode', 'faasflow', '--bandwidth', '50', '--duration', '20', '--json']);
  t.is(r.exitCode, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  for (const k of ['requests', 'timeouts', 'e2e', 'dataOverhead', 'schedulingOverhead', 'coldStarts', 'events', 'wallSeconds']) t.true(k in j, k);
  for (const k of ['mean', 'p50', 'p99']) t.is(typeof j.e2e[k], 'number');
  t.true(j.requests > 0);
});

test('CLI --trace writes one JSON line per function instance', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'flowsim-'));
  const file = join(dir, 'spans.jsonl');
  const r = await cli(['-w', 'df-wordcount', '-m', 'dataflower', '--duration', '10', '--trace', file]);
  t.is(r.exitCode, 0, r.stderr);
  t.regex(r.stdout, /e2e latency/);
  const { readFileSync } = await import('node:fs');
  const lines = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  // df-wordcount: start + 8 counts + merge per request
  t.is(lines.length % 10, 0);
  t.true(lines.every((l) => typeof l.fn === 'string' && l.end >= l.start));
});

const badInputs: Array<[string, string[], RegExp]> = [
  ['unknown workflow lists valid names', ['-w', 'genom', '-m', 'faasflow'], /unknown workflow 'genom'.*genome/],
  ['unknown mode', ['-w', 'genome', '-m', 'fastflow'], /Choices: .*hyperflow/],
  ['bandwidth 0', ['-w', 'genome', '-m', 'faasflow', '--bandwidth', '0'], /--bandwidth: expected a positive number/],
  ['negative rpm', ['-w', 'genome', '-m', 'faasflow', '--rpm', '-3'], /--rpm: expected a positive number/],
  ['unknown cluster', ['-w', 'genome', '-m', 'faasflow', '--cluster', 'nope'], /nope.*faasflow-7w/],
  ['unknown option', ['-w', 'genome', '-m', 'faasflow', '--bandwith', '5'], /Unknown argument/],
  ['unknown calibration profile', ['-w', 'genome', '-m', 'faasflow', '--calibration', 'nope'], /nope/],
  ['missing workflow', ['-m', 'faasflow'], /missing --workflow/],
];

for (const [name, args, expected] of badInputs) {
  test(`CLI bad input: ${name} -> exit 2, one message, no stack trace`, async (t) => {
    const r = await cli(args);
    t.is(r.exitCode, 2, r.stderr);
    t.regex(r.stderr, expected);
    t.notRegex(r.stderr, /\n\s+at /, 'no stack trace');
  });
}

test('CLI bad YAML: a cycle names the file and path; nothing is written', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'flowsim-'));
  const wf = join(dir, 'cyc.yaml');
  writeFileSync(wf, 'name: cyc\nfunctions:\n  - {name: a, serviceTime: 1}\n  - {name: b, serviceTime: 1}\nedges:\n  - {from: a, to: b, bytes: 1}\n  - {from: b, to: a, bytes: 1}\n');
  const trace = join(dir, 'spans.jsonl');
  const r = await cli(['-w', wf, '-m', 'faasflow', '--trace', trace]);
  t.is(r.exitCode, 2);
  t.regex(r.stderr, /cyc\.yaml.*cycle/);
  t.false(existsSync(trace));
});

test('CLI: a run that measured nothing exits 1 and says which option would fix it; percentiles carry their sample count', async (t) => {
  // cycles takes ~44 s per request in hyperflow mode: in 30 s only the 2 warm-up requests are sent
  const none = await cli(['-w', 'cycles', '-m', 'hyperflow', '-d', '30']);
  t.is(none.exitCode, 1, none.stderr);
  t.regex(none.stderr, /no request was measured.*--warmup-requests 0, a longer --duration/);
  const few = await cli(['-w', 'wordcount', '-m', 'hyperflow', '-d', '5']);
  t.is(few.exitCode, 0, few.stderr);
  t.regex(few.stdout, /p99 [\d.]+ s \(n=\d+, under 100: near the maximum\)/);
});
