/**
 * Bad input a user can reach through `npm run sim` ends with exit 2 and one message that says what
 * to fix, never a stack trace, a silent run or a run that grows without bound (issue 15's
 * reproducers, one per failure class).
 */
import test from 'ava';
import { execa } from 'execa';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dir = mkdtempSync(join(tmpdir(), 'flowsim-bad-'));
test.after.always(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, body: string) => {
  const f = join(dir, name);
  writeFileSync(f, body);
  return f;
};

const laughs = (() => {
  let s = 'a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n';
  for (let i = 1; i < 9; i++) s += `${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9).fill(`*${String.fromCharCode(96 + i)}`).join(', ')}]\n`;
  return s + 'name: x\nfunctions: *i\n';
})();

const cases: Array<[string, () => string[], RegExp]> = [
  ['a duration that overflows', () => ['-w', file('o.yaml', 'name: o\nfunctions:\n  - {name: a, serviceTime: 1e400s}\n'), '-m', 'hyperflow'], /serviceTime: .*overflows/],
  ['a size that overflows', () => ['-w', file('o2.yaml', 'name: o2\nfunctions:\n  - {name: a, serviceTime: 1, inputBytes: 1e400B}\n'), '-m', 'hyperflow'], /inputBytes: .*overflows/],
  ['a container larger than every worker', () => ['-w', file('m.yaml', 'name: m\nfunctions:\n  - {name: a, serviceTime: 1, memory: 1TiB}\n'), '-m', 'hyperflow'], /function 'a' of 'm' needs .* more than any worker/],
  ['empirical weights that sum to 0', () => ['-w', 'wordcount', '-m', 'hyperflow', '--params', file('w.yaml', 'containers: {coldStart: {kind: empirical, values: [1], weights: [0]}}\n')], /coldStart\.weights: expected weights that sum to more than 0/],
  ['a bandwidth factor beyond 1', () => ['-w', 'wordcount', '-m', 'hyperflow', '--params', file('bf.yaml', 'network: {bandwidthFactor: 1e308}\n')], /network\.bandwidthFactor: expected a number > 0 and <= 1/],
  ['a timeout of 0 (livelocked before)', () => ['-w', 'wordcount', '-m', 'hyperflow', '--params', file('t0.yaml', 'request: {timeoutS: 0}\n')], /request\.timeoutS: expected a duration > 0/],
  ['chunks of 0 bytes (spun before)', () => ['-w', 'df-wordcount', '-m', 'dataflower', '--params', file('c0.yaml', 'storage: {chunkBytes: 0}\n')], /storage\.chunkBytes: expected a size > 0/],
  ['a cluster of 1e15 nodes', () => ['-w', 'wordcount', '-m', 'hyperflow', '-c', file('big.yaml', "name: big\ndefaults: {cores: 1, memory: 1GiB, nic: 1Gbit/s, latency: 1ms}\nnodes:\n  - {name: w, count: 1000000000000000, role: worker}\n  - {name: s, role: storage}\nstorage: s\ngateway: s\nmaster: s\n")], /nodes\[0\]\.count: at most 100,000 nodes/],
  ['an alias with no anchor', () => ['-w', file('al.yaml', 'a: &x [1]\nname: *nothing\n'), '-m', 'hyperflow'], /invalid YAML: an alias with no anchor/],
  ['a billion-laughs document', () => ['-w', file('bl.yaml', laughs), '-m', 'hyperflow'], /aliases expand to more than 10,000 nodes/],
  ['--workflow twice', () => ['-w', 'genome', '-w', 'video', '-m', 'faasflow'], /--workflow was given 2 times; give it once \(comma-separate/],
  ['a negative co-run stagger', () => ['-w', 'wordcount', '-m', 'hyperflow', '--corun-stagger', '-5'], /--corun-stagger: expected a number of seconds >= 0, got -5/],
  ['a negative warm-up', () => ['-w', 'wordcount', '-m', 'hyperflow', '--warmup', '-1'], /--warmup: expected a number of seconds >= 0/],
  ['--bandwidth with no value', () => ['-w', 'wordcount', '-m', 'hyperflow', '--bandwidth'], /--bandwidth: expected a number, got nothing/],
  ["an empty --seed", () => ['-w', 'wordcount', '-m', 'hyperflow', '--seed', ''], /--seed: expected a number, got nothing/],
  ['a phase with three fields', () => ['-w', 'wordcount', '-m', 'hyperflow', '--phases', '10:60:5'], /--phases: expected 'rpm:seconds,\.\.\.' with two positive numbers per phase/],
  ['an empty --params', () => ['-w', 'wordcount', '-m', 'hyperflow', '--params', ''], /--params: expected a value, got nothing/],
  ['an empty --calibration', () => ['-w', 'wordcount', '-m', 'hyperflow', '--calibration', ''], /--calibration: expected a value, got nothing/],
  ['an open loop of 1e9 rpm', () => ['-w', 'wordcount', '-m', 'hyperflow', '--rpm', '1e9'], /--rpm: .* requests in one run: at most 10,000,000/],
  ['1e9 closed-loop clients', () => ['-w', 'wordcount', '-m', 'hyperflow', '--clients', '1e9'], /--clients: at most 100,000 clients/],
  ['a generated workflow of 1e9 tasks', () => ['-w', 'gen:genome:1000000000', '-m', 'hyperflow'], /at most 1,000,000 tasks/],
  ['a placement naming a missing worker (any mode)', () => ['-w', file('pl.yaml', 'name: pl\nfunctions:\n  - {name: a, serviceTime: 1}\nplacement:\n  a: w99\n'), '-m', 'hyperflow'], /placement\.a\[0\]: no worker named 'w99'/],
];

for (const [what, args, re] of cases) {
  test(`bad input: ${what} -> exit 2, one clear message, no stack trace`, async (t) => {
    const r = await execa('node', ['--import', 'tsx', 'cli/sim.ts', ...args()], { reject: false, timeout: 60_000, env: { ...process.env, FORCE_COLOR: '0' } });
    t.is(r.exitCode, 2, `exit ${r.exitCode}\n${r.stderr}`);
    t.regex(r.stderr, re);
    t.notRegex(r.stderr, /\n\s+at /, 'no stack trace');
  });
}
