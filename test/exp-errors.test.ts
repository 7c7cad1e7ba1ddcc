/**
 * Bad input through the real CLI: a clear message, exit code 2, no stack trace, and nothing
 * written under the results directory.
 */
import fs from 'node:fs';
import path from 'node:path';
import test from 'ava';
import { execa } from 'execa';
import { cli } from '../experiments/cli.js';
import { makeTempDirs } from './helpers/files.js';

const ROOT = path.resolve(import.meta.dirname, '..');

/** The CLI in-process (same code path as `npm run exp`, minus the process start-up). */
const { tmpDir, removeAll } = makeTempDirs();
test.after.always(removeAll);

async function exp(args: string[]) {
  const out = tmpDir('flowsim-exp-err-');
  let stdout = '';
  let stderr = '';
  const exitCode = await cli([...args, '--out', out], { out: (s) => (stdout += s), err: (s) => (stderr += s) });
  return { exitCode, stdout, stderr, outEntries: fs.readdirSync(out) };
}

const cases: Array<[string, string[], RegExp]> = [
  ['unknown experiment', ['latncy'], /unknown experiment 'latncy' \(did you mean 'latency'\?\); valid: latency, tail, throughput, colocation, overhead, scalability, dataflower-extras, scheduler, cost, faults, node-loss, fluctuation, adaptive, all, list/],
  ['bandwidth 0', ['latency', '--bandwidth', '0'], /--bandwidth: must be > 0 MB\/s, got 0/],
  ['negative rpm', ['tail', '--rpm', '-5'], /--rpm: must be > 0 rpm, got -5/],
  ['unknown benchmark', ['overhead', '--benchmark', 'genome,vidoe'], /--benchmark: unknown value 'vidoe'; valid: .*video/],
  ['missing params file', ['latency', '--quick', '--params', '/nonexistent/params.yaml'], /\/nonexistent\/params\.yaml: no such file/],
  ['jobs 0', ['latency', '--jobs', '0'], /--jobs: expected a whole number in 1\.\.256, got '0'/],
  ['misspelt option', ['latency', '--bandwith', '50'], /Unknown argument: bandwith/],
  ['resume without a run', ['tail', '--resume'], /--resume: no earlier run of 'tail'/],
  ['unknown calibration profile', ['overhead', '--quick', '--calibration', 'no-such-profile'], /no-such-profile/],
];

for (const [name, args, message] of cases) {
  test(`bad input: ${name} -> exit 2, clear message, nothing written`, async (t) => {
    const r = await exp(args);
    t.is(r.exitCode, 2, r.stderr);
    t.regex(r.stderr, message);
    t.notRegex(r.stderr, /\n\s+at /, 'no stack trace');
    t.deepEqual(r.outEntries, [], 'nothing under results/');
  });
}

test('bad input: unreadable params YAML names the file and line', async (t) => {
  const dir = tmpDir('flowsim-exp-badyaml-');
  const file = path.join(dir, 'bad.yaml');
  fs.writeFileSync(file, 'network:\n  bandwidthFactor: [\n');
  const r = await exp(['latency', '--quick', '--params', file]);
  t.is(r.exitCode, 2);
  t.regex(r.stderr, /bad\.yaml: invalid YAML/);
  t.deepEqual(r.outEntries, []);
});

test('a real process: exit code 2, message on stderr, no stack trace, nothing written', async (t) => {
  const out = tmpDir('flowsim-exp-err-');
  const r = await execa('node', ['--import', 'tsx', 'experiments/cli.ts', 'tail', '--rpm=-5', '--out', out], { cwd: ROOT, reject: false });
  t.is(r.exitCode, 2);
  t.is(r.stderr.trim(), 'error: --rpm: must be > 0 rpm, got -5');
  t.deepEqual(fs.readdirSync(out), []);
});

test('--help lists the experiments; <experiment> --help shows its axes and protocol', async (t) => {
  const top = await execa('node', ['--import', 'tsx', 'experiments/cli.ts', '--help'], { cwd: ROOT, reject: false });
  t.is(top.exitCode, 0);
  for (const e of ['latency', 'tail', 'throughput', 'colocation', 'overhead', 'scalability', 'dataflower-extras', 'scheduler', 'cost', 'faults', 'node-loss', 'fluctuation', 'adaptive', 'all', 'list', 'run <spec>']) t.true(top.stdout.includes(e), e);
  const lat = await execa('node', ['--import', 'tsx', 'experiments/cli.ts', 'latency', '--help'], { cwd: ROOT, reject: false });
  t.is(lat.exitCode, 0);
  t.regex(lat.stdout, /--bandwidth/);
  t.regex(lat.stdout, /bandwidth\s+storage-node bandwidth cap, MB\/s \(comma list\); default: 25, 50, 75, 100/);
  t.regex(lat.stdout, /Protocol source: FaaSFlow AE e2e test/);
  let listed = '';
  t.is(await cli(['list'], { out: (s) => (listed += s), err: () => {} }), 0);
  t.is(listed.trim().split('\n').length, 15); // 13 experiments, all, run
  t.regex(listed, /^run +run <spec\.yaml>/m);
});
