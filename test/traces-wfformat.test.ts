import test from 'ava';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileWorkflow, criticalPathLength, totalEdgeBytes, type WorkflowSpec } from '../sim/models/workflow.js';
import { generateWorkflow } from '../traces/generator.js';
import { exportWfFormat, importWfFormat, readWfFormatFile, TraceError } from '../traces/wfformat.js';
import { FIXTURE_DIR, FIXTURE_SEED, WF_FIXTURES } from '../traces/make-fixtures.js';

function summary(spec: WorkflowSpec) {
  const c = compileWorkflow(spec);
  return {
    tasks: c.functions.length,
    edges: c.edges.length,
    edgeBytes: totalEdgeBytes(c),
    inputBytes: c.functions.reduce((s, f) => s + f.inputBytes, 0),
    criticalPath: criticalPathLength(c),
  };
}

/** Counts the distinct files a WfFormat document declares (1.5 table, or 1.4 per-task lists). */
function fileCount(doc: any): number {
  if (doc.workflow.specification) return doc.workflow.specification.files.length;
  const names = new Set<string>();
  for (const t of doc.workflow.tasks) for (const f of t.files) names.add(f.name);
  return names.size;
}

for (const f of WF_FIXTURES) {
  test(`fixture ${f.file} (WfFormat ${f.version}) imports as the generator's workflow`, (t) => {
    const path = join(FIXTURE_DIR, f.file);
    const doc = JSON.parse(readFileSync(path, 'utf8'));
    t.is(doc.schemaVersion, f.version);
    t.true(readFileSync(path).length < 100_000, 'fixtures stay small');
    const imported = readWfFormatFile(path);
    const original = generateWorkflow(f.recipe, f.tasks, FIXTURE_SEED, f.options);
    t.deepEqual(summary(imported), summary(original));
    t.is(imported.functions.length, f.tasks);
    // one file per (producer, distinct size) plus one input file per task that has inputs
    const producerFiles = new Set(original.edges.filter((e) => e.bytes > 0).map((e) => `${e.from}\u0000${e.bytes}`)).size;
    const inputFiles = original.functions.filter((fn) => fn.inputBytes > 0).length;
    t.is(fileCount(doc), producerFiles + inputFiles);
    // same names and same per-edge bytes, and cpu survives when >= 1
    const key = (s: WorkflowSpec) => s.edges.map((e) => `${e.from}>${e.to}:${e.bytes}`).sort();
    t.deepEqual(key(imported), key(original));
    t.deepEqual(imported.functions.map((x) => x.inputBytes), original.functions.map((x) => x.inputBytes));
    if ((f.options.cpu ?? 0) >= 1) t.true(imported.functions.every((x) => x.cpu === f.options.cpu));
  });

  test(`fixture ${f.file} is what make-fixtures writes today (deterministic export)`, (t) => {
    const spec = generateWorkflow(f.recipe, f.tasks, FIXTURE_SEED, f.options);
    const doc = exportWfFormat(spec, f.version, {
      description: `flowsim-generated ${f.recipe} workflow (${f.tasks} tasks, seed ${FIXTURE_SEED}), WfFormat ${f.version}; synthetic, never executed`,
    });
    t.is(JSON.stringify(doc, null, 1) + '\n', readFileSync(join(FIXTURE_DIR, f.file), 'utf8'));
  });
}

for (const recipe of ['genome', 'epigenomics', 'cycles', 'soykb', 'fanout', 'chain'])
  for (const version of ['1.5', '1.4'] as const)
    test(`round trip ${recipe} 300 tasks through WfFormat ${version}`, (t) => {
      const spec = generateWorkflow(recipe, 300, 11, { inputs: true, cpu: 2, serviceTimeS: 0.5 });
      const back = importWfFormat(JSON.parse(JSON.stringify(exportWfFormat(spec, version))), `mem.${version}.json`);
      t.deepEqual(summary(back), summary(spec));
      t.true(back.functions.every((f) => f.cpu === 2 && f.serviceTime.kind === 'constant' && f.serviceTime.value === 0.5));
    });

// ---- mapping details, hand-written documents ------------------------------------------------

const v15 = (tasks: any[], files: any[], exec: any[]) => ({
  name: 'hand',
  schemaVersion: '1.5',
  workflow: { specification: { tasks, files }, execution: { makespanInSeconds: 1, executedAt: 'x', tasks: exec } },
});

test('1.5: shared files sum into one edge, unproduced inputs become inputBytes, bare links give 0-byte edges', (t) => {
  const doc = v15(
    [
      { name: 'a', id: 'A', parents: [], children: ['B', 'C'], inputFiles: ['raw', 'ref'], outputFiles: ['x', 'y'] },
      { name: 'b', id: 'B', parents: ['A'], children: [], inputFiles: ['x', 'y', 'ref', 'x'], outputFiles: [] },
      { name: 'c', id: 'C', parents: ['A'], children: [], inputFiles: [], outputFiles: ['out'] },
    ],
    [
      { id: 'raw', sizeInBytes: 1000 },
      { id: 'ref', sizeInBytes: 30 },
      { id: 'x', sizeInBytes: 5 },
      { id: 'y', sizeInBytes: 7 },
      { id: 'out', sizeInBytes: 99 },
    ],
    [
      { id: 'A', runtimeInSeconds: 2.5, coreCount: 4, memoryInBytes: 1e9 },
      { id: 'B', runtimeInSeconds: 0 },
      { id: 'C', runtimeInSeconds: 1 },
    ],
  );
  const w = importWfFormat(doc, 'hand.json');
  t.deepEqual(
    w.edges.map((e) => [e.from, e.to, e.kind, e.bytes]),
    [
      ['A', 'B', 'normal', 12],
      ['A', 'C', 'normal', 0],
    ],
  );
  const [a, b, c] = w.functions;
  t.deepEqual([a.inputBytes, b.inputBytes, c.inputBytes], [1030, 30, 0]);
  t.deepEqual(a.serviceTime, { kind: 'constant', value: 2.5 });
  t.is(a.cpu, 4);
  t.is(a.memoryBytes, 1e9);
  t.is(b.cpu, 1, 'coreCount defaults to 1');
  t.is(b.memoryBytes, 256 * 1024 * 1024, 'memory defaults to 256 MiB');
  t.is(w.name, 'hand');
  compileWorkflow(w);
});

test('1.3 layout (jobs, runtime, size) is read', (t) => {
  const doc = {
    name: 'old',
    schemaVersion: '1.3',
    workflow: {
      jobs: [
        { name: 'p', runtime: 3, parents: [], files: [{ name: 'in', size: 10, link: 'input' }, { name: 'o', size: 4, link: 'output' }] },
        { name: 'q', runtime: 1, parents: ['p'], files: [{ name: 'o', size: 4, link: 'input' }] },
      ],
    },
  };
  const w = importWfFormat(doc, 'old.json');
  t.deepEqual(w.edges, [{ from: 'p', to: 'q', kind: 'normal', bytes: 4 }]);
  t.is(w.functions[0].inputBytes, 10);
  t.deepEqual(w.functions[0].serviceTime, { kind: 'constant', value: 3 });
});

// ---- errors ---------------------------------------------------------------------------------

const legacy = (tasks: any[]) => ({ name: 'bad', schemaVersion: '1.4', workflow: { tasks } });
const task = (name: string, extra: any = {}) => ({ name, runtimeInSeconds: 1, parents: [], children: [], files: [], ...extra });

function traceError(t: any, fn: () => unknown): TraceError {
  const err = t.throws(fn, { instanceOf: TraceError }) as TraceError;
  t.is(err.file, 'bad.json');
  t.true(err.message.startsWith('bad.json: '), err.message);
  return err;
}

test('error: missing runtime names the field and the task (1.4)', (t) => {
  const doc = legacy([task('a'), task('b'), { name: 'sifting_7', parents: [], files: [] }]);
  const err = traceError(t, () => importWfFormat(doc, 'bad.json'));
  t.is(err.path, 'workflow.tasks[2].runtimeInSeconds');
  t.regex(err.message, /workflow\.tasks\[2\]\.runtimeInSeconds: expected a number >= 0, got nothing \(task 'sifting_7'\)/);
});

test('error: negative runtime and missing execution entry (1.5)', (t) => {
  const tasks = [{ name: 'a', id: 'A', parents: [], children: [] }, { name: 'b', id: 'B', parents: [], children: [] }];
  let err = traceError(t, () => importWfFormat(v15(tasks, [], [{ id: 'A', runtimeInSeconds: 1 }, { id: 'B', runtimeInSeconds: -2 }]), 'bad.json'));
  t.is(err.path, 'workflow.execution.tasks[1].runtimeInSeconds');
  t.regex(err.message, /got -2 \(task 'B'\)/);
  err = traceError(t, () => importWfFormat(v15(tasks, [], [{ id: 'A', runtimeInSeconds: 1 }]), 'bad.json'));
  t.regex(err.message, /no entry for task 'B'.*runtimeInSeconds/);
});

test('error: a parent naming a missing task', (t) => {
  const err = traceError(t, () => importWfFormat(legacy([task('a'), task('b', { parents: ['a', 'ghost'] })]), 'bad.json'));
  t.is(err.path, 'workflow.tasks[1].parents[1]');
  t.regex(err.message, /no task named 'ghost' \(task 'b'\)/);
  const err2 = traceError(t, () =>
    importWfFormat(v15([{ name: 'a', id: 'A', parents: ['Z'], children: [] }], [], [{ id: 'A', runtimeInSeconds: 1 }]), 'bad.json'),
  );
  t.is(err2.path, 'workflow.specification.tasks[0].parents[0]');
  t.regex(err2.message, /'Z' \(task 'A'\)/);
});

test('error: a cycle is reported with the task names', (t) => {
  const doc = legacy([task('start'), task('x', { parents: ['start', 'z'] }), task('y', { parents: ['x'] }), task('z', { parents: ['y'] })]);
  const err = traceError(t, () => importWfFormat(doc, 'bad.json'));
  t.regex(err.message, /cycle: (x -> y -> z -> x|y -> z -> x -> y|z -> x -> y -> z)/);
  // a cycle made by files alone
  const files = legacy([
    task('p', { files: [{ name: 'f1', sizeInBytes: 1, link: 'output' }, { name: 'f2', sizeInBytes: 1, link: 'input' }] }),
    task('q', { files: [{ name: 'f2', sizeInBytes: 1, link: 'output' }, { name: 'f1', sizeInBytes: 1, link: 'input' }] }),
  ]);
  t.regex(traceError(t, () => importWfFormat(files, 'bad.json')).message, /cycle: (p -> q -> p|q -> p -> q)/);
});

test('error: bad JSON, unreadable file, wrong layout, bad file entries', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'flowsim-traces-'));
  const p = join(dir, 'broken.json');
  writeFileSync(p, '{"workflow": {"tasks": [');
  const e1 = t.throws(() => readWfFormatFile(p), { instanceOf: TraceError }) as TraceError;
  t.is(e1.file, p);
  t.regex(e1.message, /not valid JSON/);
  const e2 = t.throws(() => readWfFormatFile(join(dir, 'missing.json')), { instanceOf: TraceError }) as TraceError;
  t.regex(e2.message, /cannot read the file \(ENOENT\)/);
  t.regex(traceError(t, () => importWfFormat({ workflow: {} }, 'bad.json')).message, /workflow: expected 'specification' \(schema 1\.5\), 'tasks' \(1\.4\) or 'jobs' \(1\.3\)/);
  t.regex(traceError(t, () => importWfFormat([], 'bad.json')).message, /expected a WfFormat object/);
  const badLink = legacy([task('a', { files: [{ name: 'f', sizeInBytes: 1, link: 'sideways' }] })]);
  const e3 = traceError(t, () => importWfFormat(badLink, 'bad.json'));
  t.is(e3.path, 'workflow.tasks[0].files[0].link');
  t.regex(e3.message, /expected 'input' or 'output'.*\(task 'a'\)/);
  const badSize = legacy([task('a', { files: [{ name: 'f', sizeInBytes: 'big', link: 'input' }] })]);
  t.is(traceError(t, () => importWfFormat(badSize, 'bad.json')).path, 'workflow.tasks[0].files[0].sizeInBytes');
  const unknownFile = v15([{ name: 'a', id: 'A', parents: [], children: [], inputFiles: ['nope'] }], [], [{ id: 'A', runtimeInSeconds: 1 }]);
  t.regex(traceError(t, () => importWfFormat(unknownFile, 'bad.json')).message, /inputFiles\[0\]: no file 'nope'.*\(task 'A'\)/);
  t.regex(traceError(t, () => importWfFormat(legacy([task('a'), task('a')]), 'bad.json')).message, /duplicate task name 'a'/);
});
