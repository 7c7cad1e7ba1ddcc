/**
 * The library entry point (`import { simulate } from 'flowsim'`, index.ts): the same result as the
 * CLI's --json for the same options, deterministic, errors as ConfigErrors naming the option.
 */
import path from 'node:path';
import test from 'ava';
import { execa } from 'execa';
import { ConfigError, listWorkflows, simulate } from 'flowsim';

const ROOT = path.resolve(import.meta.dirname, '..');

test("simulate() by the package's own name gives what npm run sim -- --json prints", async (t) => {
  const r = simulate({ workflows: ['wordcount'], mode: 'faasflow', bandwidthMBps: 50, rpm: 6, durationS: 60, seed: 3 });
  const cli = await execa('node', ['--import', 'tsx', 'cli/sim.ts', '-w', 'wordcount', '-m', 'faasflow', '-b', '50', '--rpm', '6', '--duration', '60', '--seed', '3', '--json'], { cwd: ROOT });
  const fromCli = JSON.parse(cli.stdout);
  // wall-clock fields differ between runs; everything simulated is identical
  const strip = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).filter(([k]) => !/wall|eventsPerSecond/i.test(k)));
  t.deepEqual(strip(JSON.parse(JSON.stringify(r))), strip(fromCli));
  t.true(r.e2e.count > 0);
  t.deepEqual(simulate({ workflows: ['wordcount'], mode: 'faasflow', bandwidthMBps: 50, rpm: 6, durationS: 60, seed: 3 }).e2e, r.e2e);
});

test('simulate() errors are ConfigErrors naming the option; the catalogue is listed', (t) => {
  const e = t.throws(() => simulate({ workflows: ['wordcont'], mode: 'faasflow' }));
  t.true(e instanceof ConfigError);
  t.regex((e as ConfigError).format(), /unknown workflow 'wordcont'; did you mean 'wordcount'\?/);
  t.true(listWorkflows().some((w) => w.name === 'genome'));
});
