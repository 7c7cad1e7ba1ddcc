/** `npm run validate` argument errors: exit 2 with a message that says what to fix, before any testbed starts. */
import test from 'ava';
import { execFile } from 'node:child_process';
import { closedPort } from './helpers/net.js';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');


async function validate(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return run(process.execPath, ['--import', 'tsx', path.join(ROOT, 'validate/cli.ts'), ...args], { cwd: ROOT, env: { ...process.env, ...env }, timeout: 60_000 }).then(
    (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
    (x: { code: number; stdout: string; stderr: string }) => x,
  );
}

const cases: Array<[string, string[], RegExp]> = [
  ['an unknown benchmark', ['docker', '-b', 'nope'], /unknown benchmark 'nope'; valid names are .*wordcount/],
  ['an unknown mode', ['docker', '-m', 'fast'], /unknown mode 'fast'; valid modes are hyperflow, faasflow, dataflower/],
  ['a benchmark with a random switch branch', ['docker', '-b', 'test/fixtures/random-switch.yaml'], /probability 0\.5; the testbed runs only certain branches/],
  ['a bandwidth of 0', ['docker', '--bandwidth', '0'], /--bandwidth: expected positive numbers, got '0'/],
  ['a bandwidth that is not a number', ['docker', '--bandwidth', '50,x'], /--bandwidth: expected positive numbers, got 'x'/],
  ['no testbed', [], /testbed/],
  ['an unknown testbed', ['vm'], /Invalid values|Choices/],
  ['a bad scale', ['docker', '--scale', 'cycles=2'], /--scale: expected name=factor with 0 < factor <= 1, got 'cycles=2'/],
  ['zero requests', ['docker', '--requests', '0'], /--requests: expected an integer in 1..1000, got 0/],
  ['a negative warm-up', ['docker', '--warmup', '-1'], /--warmup: expected an integer >= 0, got -1/],
  ['too many CPUs per worker', ['docker', '--cpus', '99'], /--cpus: expected a number in \(0, \d+\], got 99/],
  ['an unknown option', ['docker', '--frobnicate'], /Unknown argument: frobnicate/],
];

for (const [what, args, re] of cases) {
  test(`validate: ${what} exits 2 and says what to fix`, async (t) => {
    const r = await validate(args);
    t.is(r.code, 2, r.stderr);
    t.regex(r.stderr, re);
    t.notRegex(r.stderr, /\n\s+at /, 'no stack trace');
  });
}

test('validate docker with no engine exits 2 and says how to point at one', async (t) => {
  const port = await closedPort();
  const r = await validate(['docker', '-b', 'wordcount'], { DOCKER_HOST: `tcp://127.0.0.1:${port}` });
  t.is(r.code, 2, r.stderr);
  t.regex(r.stderr, /no Docker engine: nothing answers at DOCKER_HOST=tcp:\/\/127\.0\.0\.1/);
  t.regex(r.stderr, /DOCKER_HOST/);
});

test('validate --help lists the testbeds and options', async (t) => {
  const r = await validate(['--help']);
  t.is(r.code, 0);
  for (const o of ['docker', 'netns', '--benchmarks', '--modes', '--bandwidth', '--rpm', '--requests']) t.true(r.stdout.includes(o), o);
});
