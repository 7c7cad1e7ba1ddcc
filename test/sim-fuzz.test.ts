/**
 * Property-based fuzzing (fast-check) of what users hand flowsim: one leaf of a shipped workflow,
 * cluster or params file is replaced by a hostile value (overflowing numbers, negatives, zeros,
 * wrong types, huge counts), a key is removed or an unknown one added; the result is loaded, built
 * and simulated briefly. Each case must end as a ConfigError with a file and a message (the CLIs'
 * exit 2), or as a run whose every reported number is finite and non-negative: never another
 * exception. Seeded, so a failure reproduces (fast-check prints the seed and the shrunk case).
 * FLOWSIM_FUZZ_RUNS=N runs N cases per file instead of 300 (a long sweep; counts are logged).
 */
import test from 'ava';
import fc from 'fast-check';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import { buildScenario } from '../loader/build.js';
import { ConfigError } from '../loader/load.js';
import { runScenario } from '../sim/run.js';

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flowsim-fuzz-'));
test.after.always(() => fs.rmSync(dir, { recursive: true, force: true }));

const HOSTILE: unknown[] = [0, -1, -0.5, 1e400, '1e400s', '1e400B', 1e15, 1e308, 0.5, 1.5, '', 'abc', null, [], {}, true, '-5ms', '0s', '10 GiB', 'NaN', 2 ** 53];

type Tree = Record<string, unknown> | unknown[];

/** Every path to a leaf (or a node) of a parsed YAML tree. */
function paths(x: unknown, prefix: Array<string | number> = []): Array<Array<string | number>> {
  const out: Array<Array<string | number>> = [];
  if (Array.isArray(x)) x.forEach((v, i) => out.push([...prefix, i], ...paths(v, [...prefix, i])));
  else if (x && typeof x === 'object') for (const [k, v] of Object.entries(x)) out.push([...prefix, k], ...paths(v, [...prefix, k]));
  return out;
}

function mutate(doc: Tree, p: Array<string | number>, how: 'set' | 'delete' | 'unknown', value: unknown): Tree {
  const copy = structuredClone(doc) as Tree;
  let node: any = copy;
  for (const k of p.slice(0, -1)) node = node[k];
  const last = p[p.length - 1];
  if (how === 'set') node[last] = value;
  else if (how === 'delete') Array.isArray(node) ? node.splice(Number(last), 1) : delete node[last];
  else if (node && typeof node === 'object' && !Array.isArray(node)) node[`zz${String(last)}`] = value;
  return copy;
}

function finiteNonNegative(x: unknown, where: string, bad: string[]): void {
  if (typeof x === 'number') {
    if (!(Number.isFinite(x) || Number.isNaN(x)) || x < 0) bad.push(`${where} = ${x}`);
  } else if (Array.isArray(x)) x.forEach((v, i) => finiteNonNegative(v, `${where}[${i}]`, bad));
  else if (x && typeof x === 'object') for (const [k, v] of Object.entries(x)) finiteNonNegative(v, `${where}.${k}`, bad);
}

const RUNS = Number(process.env.FLOWSIM_FUZZ_RUNS ?? 300);
/** Outcomes of acceptable cases: a clear error, or a run. */
const counts = { configError: 0, run: 0 };

/** Loads, builds and runs briefly; returns what went wrong, or '' when the outcome is acceptable. */
function outcome(kind: 'workflow' | 'cluster' | 'params', file: string, base: { workflow: string; mode: 'hyperflow' | 'faasflow' | 'dataflower' }): string {
  try {
    const r = runScenario(
      buildScenario({
        workflows: [kind === 'workflow' ? file : base.workflow],
        mode: base.mode,
        ...(kind === 'cluster' ? { cluster: file } : {}),
        ...(kind === 'params' ? { paramsFile: file } : {}),
        rpm: 6,
        durationS: 15,
        warmupRequests: 0,
      }),
    );
    const bad: string[] = [];
    // NaN is how an empty statistic is reported (no measured request); every other number must be finite and >= 0
    const { wallSeconds: _w, eventsPerSecond: _e, ...rest } = r;
    finiteNonNegative(rest, 'result', bad);
    if (bad.length === 0) counts.run++;
    return bad.length ? `a run with bad numbers: ${bad.slice(0, 3).join(', ')}` : '';
  } catch (e) {
    if (e instanceof ConfigError) counts.configError++;
    if (e instanceof ConfigError) return e.format().length > 0 && /expected|unknown|no |only|must|at most|invalid|missing|cannot|needs|give|duplicate|did you mean|overflow/i.test(e.format()) ? '' : `an unclear error: ${e.format()}`;
    return `a ${(e as Error).name}: ${(e as Error).message}\n${(e as Error).stack?.split('\n').slice(1, 4).join('\n')}`;
  }
}

const SOURCES = [
  { kind: 'workflow' as const, file: 'configs/workflows/wordcount.yaml', base: { workflow: 'wordcount', mode: 'faasflow' as const } },
  { kind: 'workflow' as const, file: 'configs/workflows/df-video.yaml', base: { workflow: 'df-video', mode: 'dataflower' as const } },
  { kind: 'cluster' as const, file: 'configs/clusters/faasflow-7w.yaml', base: { workflow: 'wordcount', mode: 'hyperflow' as const } },
  { kind: 'cluster' as const, file: 'configs/clusters/dataflower-3w.yaml', base: { workflow: 'df-wordcount', mode: 'dataflower' as const } },
  { kind: 'params' as const, file: 'configs/calibration/faasflow-paper.yaml', base: { workflow: 'wordcount', mode: 'hyperflow' as const } },
];

for (const src of SOURCES) {
  test(`fuzz ${src.file}: every mutation is a clear ConfigError or a run with finite, non-negative results`, (t) => {
    let doc = YAML.parse(fs.readFileSync(path.join(ROOT, src.file), 'utf8')) as Tree;
    // a profile's params are what a --params file holds
    if (src.kind === 'params') doc = (doc as Record<string, unknown>).params as Tree;
    const all = paths(doc).filter((p) => !(src.kind !== 'params' && p[0] === 'name'));
    let n = 0;
    const before = { ...counts };
    fc.assert(
      fc.property(fc.constantFrom(...all), fc.constantFrom<'set' | 'delete' | 'unknown'>('set', 'set', 'set', 'delete', 'unknown'), fc.constantFrom(...HOSTILE), (p, how, value) => {
        const f = path.join(dir, `${src.kind}-${n++}.yaml`);
        const mutated = mutate(doc, p, how, value) as Record<string, unknown>;
        // a built-in's name must match its file; a mutated copy is a user's file with its own name
        if (src.kind === 'workflow' || src.kind === 'cluster') mutated.name = `fuzz-${src.kind}`;
        fs.writeFileSync(f, YAML.stringify(mutated));
        const problem = outcome(src.kind, f, src.base);
        fs.rmSync(f, { force: true });
        return problem === '' || (t.log(`${p.join('.')} ${how} ${JSON.stringify(value)}: ${problem}`), false);
      }),
      { seed: 20261202, numRuns: RUNS },
    );
    t.log(`${n} cases: ${counts.configError - before.configError} clean errors, ${counts.run - before.run} finite runs`);
    t.pass();
  });
}
