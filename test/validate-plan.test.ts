import test from 'ava';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import { loadWorkflow, workflowNames } from '../loader/load.js';
import { DEFAULT_PARAMS } from '../sim/params.js';
import { compileWorkflow, criticalPath } from '../sim/models/workflow.js';
import { makeRng } from '../sim/engine/random.js';
import type { WorkflowSpec } from '../sim/models/workflow.js';
import { compileDataflowerPlan, compilePlan, planTemplate, PlanError, scaleWorkflowBytes, workflowToFile, type Plan } from '../validate/plan.js';

const WORKERS = ['10.0.0.1', '10.0.0.2', '10.0.0.3'];

function plan(spec: WorkflowSpec | string, mode: 'hyperflow' | 'faasflow'): Plan {
  const s = typeof spec === 'string' ? loadWorkflow(spec) : spec;
  return compilePlan(planTemplate(s, mode, WORKERS.length, DEFAULT_PARAMS), 'r1', '10.0.0.9', WORKERS, makeRng(1, 'test'));
}

/** Every key read is written earlier in the plan with the bytes the reader expects (no read of nothing). */
function checkKeys(t: import('ava').ExecutionContext, p: Plan): void {
  const written = new Map<string, { bytes: number; stores: string[]; node: number }>();
  for (const fn of p.functions)
    for (const inst of fn.instances) {
      for (const i of inst.inputs) {
        if (i.key.includes('/input/')) continue; // workflow inputs: remote misses
        const w = written.get(i.key);
        t.truthy(w, `${fn.name} reads ${i.key} before anything writes it`);
        t.is(w!.bytes, i.bytes, `${i.key}: bytes`);
        if (i.local) {
          t.true(w!.stores.includes('local'), `${i.key}: local read of a remote-only key`);
          t.is(w!.node, fn.node, `${i.key}: local read on another worker`);
        } else t.true(w!.stores.includes('remote'), `${i.key}: remote read of a memory-only key`);
      }
      for (const o of inst.outputs) written.set(o.key, { bytes: o.bytes, stores: o.stores, node: fn.node });
    }
  // clean-up lists cover every key written
  for (const [k, w] of written) {
    if (w.stores.includes('remote')) t.true(p.remoteKeys.includes(k), `${k} not in remoteKeys`);
    if (w.stores.includes('local')) t.true(p.localKeys[WORKERS[w.node]!]!.includes(k), `${k} not in localKeys`);
  }
}

test('plan: wordcount in hyperflow mode, counted by hand (1 start, 8 counts, 1 merge; every byte through the remote store)', (t) => {
  const p = plan('wordcount', 'hyperflow');
  t.deepEqual(p.functions.map((f) => [f.name, f.instances.length, f.parents]), [['start', 1, 0], ['count', 8, 1], ['merge', 1, 1]]);
  t.deepEqual(p.starts, [0]);
  t.deepEqual(p.functions[0]!.succ, [1]);
  t.deepEqual(p.functions[2]!.succ, []);
  // start writes put_keys, one key per file, then the 8 B of filename keys merge reads (a data
  // edge); count i reads file i; merge reads the 8 counts and start's keys
  const start = p.functions[0]!.instances[0]!;
  t.is(start.outputs[0]!.key, 'r1/keys');
  t.is(start.outputs.length, 1 + 8 + 1);
  t.deepEqual(start.outputs.map((o) => o.bytes), [0, ...new Array(8).fill(412638), 8]);
  for (let i = 0; i < 8; i++) {
    const c = p.functions[1]!.instances[i]!;
    t.is(c.inputs.length, 1);
    t.is(c.inputs[0]!.key, start.outputs[1 + i]!.key);
  }
  t.deepEqual(p.functions[2]!.instances[0]!.inputs.map((i) => i.bytes).sort(), [...new Array(8).fill(92124), 8].sort());
  t.truthy(p.functions[1]!.keysKey);
  for (const fn of p.functions) for (const inst of fn.instances) for (const i of inst.inputs) t.false(i.local);
  for (const fn of p.functions) for (const inst of fn.instances) for (const o of inst.outputs) t.deepEqual(o.stores, ['remote']);
  // cpu 0.2, service 0.119 s: 0.0238 core-seconds at 0.2 cores
  t.is(p.functions[1]!.instances[0]!.rate, 0.2);
  t.true(Math.abs(p.functions[1]!.instances[0]!.cpuS - 0.119 * 0.2) < 1e-12);
  checkKeys(t, p);
});

test('plan: faasflow mode reads same-group data locally, and every read key is written first (all built-ins)', (t) => {
  for (const name of ['wordcount', 'genome', 'cycles', 'soykb', 'epigenomics', 'video', 'file-processing', 'illegal-recognizer']) {
    for (const mode of ['hyperflow', 'faasflow'] as const) checkKeys(t, plan(name, mode));
  }
  const p = plan('genome', 'faasflow');
  t.true(p.functions.some((f) => f.instances.some((i) => i.inputs.some((x) => x.local))), 'genome groups some data in memory');
  // scientific functions sleep (cpu 0)
  t.true(p.functions.every((f) => f.instances.every((i) => i.cpuS === 0 && i.sleepS === 1)));
});

test('plan: an unchosen switch branch does not trigger; a random branch is refused', (t) => {
  const p = plan('illegal-recognizer', 'hyperflow');
  // virtual1 -> mosaic has probability 0: mosaic waits for virtual2 only
  const names = p.functions.map((f) => f.name);
  const mosaic = p.functions[names.indexOf('mosaic')]!;
  t.is(mosaic.parents, 1);
  t.false(p.functions[names.indexOf('virtual1')]!.succ.includes(names.indexOf('mosaic')));
  t.deepEqual(p.functions[names.indexOf('virtual1')]!.instances, []);
  const spec = structuredClone(loadWorkflow('illegal-recognizer'));
  for (const e of spec.edges) if (e.kind === 'switch' && e.from === 'virtual1') e.probability = 0.5;
  const e = t.throws(() => planTemplate(spec, 'hyperflow', 3, DEFAULT_PARAMS), { instanceOf: PlanError });
  t.regex(e!.message, /probability 0\.5/);
});

test('scaleWorkflowBytes scales every byte count and nothing else', (t) => {
  const s = loadWorkflow('cycles');
  const h = scaleWorkflowBytes(s, 0.1);
  t.is(h.edges.length, s.edges.length);
  h.edges.forEach((e, k) => t.is(e.bytes, Math.round(s.edges[k]!.bytes * 0.1)));
  h.functions.forEach((f, k) => {
    t.is(f.inputBytes, Math.round(s.functions[k]!.inputBytes * 0.1));
    t.deepEqual(f.serviceTime, s.functions[k]!.serviceTime);
  });
  t.is(scaleWorkflowBytes(s, 1), s);
});

test('plan: df-wordcount in dataflower mode, counted by hand (items posted while start computes, streamed across workers, prefetched)', (t) => {
  const tpl = planTemplate(loadWorkflow('df-wordcount'), 'dataflower', 3, DEFAULT_PARAMS);
  const p = compileDataflowerPlan(tpl, 'r1', 0, '10.0.0.9', WORKERS, makeRng(1, 'test'), {
    inlineBytes: 16 * 1024,
    chunkBytes: 256 * 1024,
    pressureFactor: 0.8,
    pressureAware: true,
    foreachSpread: true,
    egressCapBps: (cpu) => 50e6 * cpu,
  });
  t.deepEqual(p.functions.map((f) => [f.name, f.node, f.instances.length]), [['start', 0, 1], ['count', 1, 8], ['merge', 2, 1]]);
  t.is(p.ends, 1);
  const start = p.functions[0]!.instances[0]!;
  t.is(start.need, 0);
  t.is(start.segments, 8);
  // item j of the foreach after segment j, to count instance j on w1: 412,638 B > 16 KB, remote
  const items = start.emits.filter((e) => e.fn === 1);
  t.deepEqual(items.map((e) => [e.segment, e.inst, e.node, e.how, e.bytes]), Array.from({ length: 8 }, (_, j) => [j, j, 1, 'remote', 412638]));
  // the 8-byte data item to merge travels inline at the end
  t.deepEqual(start.emits.filter((e) => e.fn === 2).map((e) => [e.segment, e.how]), [[-1, 'inline']]);
  t.is(start.egressCapBps, 50e6 * 0.2);
  for (const c of p.functions[1]!.instances) {
    t.is(c.need, 1);
    t.is(c.reads.length, 1);
    t.is(c.emits.length, 1);
    t.is(c.emits[0]!.how, 'remote');
  }
  // merge waits for 8 counts + start's data item; reads the 8 prefetched counts (the 8 B one came inline)
  const merge = p.functions[2]!.instances[0]!;
  t.is(merge.need, 9);
  t.deepEqual(merge.reads.map((r) => r.bytes), new Array(8).fill(92124));
  t.is(merge.userBytes, 325053);
  // every read is an emitted key
  const emitted = new Set(p.functions.flatMap((f) => f.instances.flatMap((i) => i.emits.map((e) => e.key))));
  for (const f of p.functions) for (const i of f.instances) for (const r of i.reads) t.true(emitted.has(r.key), r.key);
  // video's transcode alternates between its two workers by request index
  const vt = planTemplate(loadWorkflow('df-video'), 'dataflower', 3, DEFAULT_PARAMS);
  const nodeOf = (k: number) => compileDataflowerPlan(vt, `r${k}`, k, 'g', WORKERS, makeRng(1, 'x'), { inlineBytes: 16384, chunkBytes: 262144, pressureFactor: 0.8, pressureAware: true, foreachSpread: true, egressCapBps: () => Infinity }).functions.find((f) => f.name === 'transcode')!.node;
  t.not(nodeOf(0), nodeOf(1));
  t.is(nodeOf(0), nodeOf(2));
});

test('workflowToFile: every built-in workflow, written back as a file, loads to the same spec', (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flowsim-wf-'));
  try {
    for (const name of workflowNames()) {
      const spec = loadWorkflow(name);
      const file = path.join(dir, `${name}.yaml`);
      fs.writeFileSync(file, YAML.stringify(workflowToFile(spec)));
      const back = loadWorkflow(file);
      t.deepEqual(back.functions, spec.functions, name);
      t.deepEqual(back.edges.map((e) => [e.from, e.to, e.kind, e.bytes, e.probability]), spec.edges.map((e) => [e.from, e.to, e.kind, e.bytes, e.probability]), name);
      t.deepEqual(back.placement, spec.placement, name);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('plan: df-video in dataflower mode: only transcode instance 0 waits for upload\'s data item (every instance gets what it waits for)', (t) => {
  const tpl = planTemplate(loadWorkflow('df-video'), 'dataflower', 3, DEFAULT_PARAMS);
  const p = compileDataflowerPlan(tpl, 'r1', 0, 'g', WORKERS, makeRng(1, 'x'), { inlineBytes: 16384, chunkBytes: 262144, pressureFactor: 0.8, pressureAware: true, foreachSpread: true, egressCapBps: () => Infinity });
  const transcode = p.functions.find((f) => f.name === 'transcode')!;
  t.deepEqual(transcode.instances.map((i) => i.need), [2, 1, 1, 1]);
  // what each instance waits for is exactly what is posted to it
  const posted = new Map<string, number>();
  for (const f of p.functions) for (const i of f.instances) for (const e of i.emits) posted.set(`${e.fn}:${e.inst}`, (posted.get(`${e.fn}:${e.inst}`) ?? 0) + 1);
  p.functions.forEach((f, fn) => f.instances.forEach((i, k) => t.is(posted.get(`${fn}:${k}`) ?? 0, i.need, `${f.name}[${k}]`)));
});

test('plan: in dataflower mode every instance of every built-in gets exactly the items it waits for', (t) => {
  for (const name of workflowNames()) {
    const tpl = planTemplate(loadWorkflow(name), 'dataflower', 3, DEFAULT_PARAMS);
    const p = compileDataflowerPlan(tpl, 'r1', 1, 'g', WORKERS, makeRng(1, 'x'), { inlineBytes: 16384, chunkBytes: 262144, pressureFactor: 0.8, pressureAware: true, foreachSpread: true, egressCapBps: () => Infinity });
    const posted = new Map<string, number>();
    for (const f of p.functions) for (const i of f.instances) for (const e of i.emits) posted.set(`${e.fn}:${e.inst}`, (posted.get(`${e.fn}:${e.inst}`) ?? 0) + 1);
    p.functions.forEach((f, fn) => f.instances.forEach((i, k) => t.is(posted.get(`${fn}:${k}`) ?? 0, i.need, `${name}: ${f.name}[${k}]`)));
    t.is(p.functions.filter((f) => f.instances.some((i) => i.userBytes >= 0)).length, p.ends, name);
  }
});

test('criticalPath: the longest chain of function times along triggering edges, by hand', (t) => {
  const cw = compileWorkflow(loadWorkflow('wordcount'));
  const own = (m: Record<string, number>) => (f: number) => m[cw.functions[f]!.name] ?? -1;
  // start -> count -> merge, plus start -> merge (a data edge: not a path)
  t.is(criticalPath(cw, own({ start: 0.1, count: 0.3, merge: 0.05 })), 0.1 + 0.3 + 0.05);
  // a function that did not run is on no path
  t.is(criticalPath(cw, own({ start: 0.1, merge: 0.05 })), 0.1);
  const g = compileWorkflow(loadWorkflow('genome'));
  t.is(criticalPath(g, () => 1), 3); // genome's critical path is 3 functions (reference 1.A)
});
