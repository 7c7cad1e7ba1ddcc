import test from 'ava';
import { readFileSync } from 'node:fs';
import { benchmarkRow, benchmarkTable } from '../scripts/benchmarks-table.js';
import { checkPlacement, listClusters, listWorkflows, loadCluster, loadWorkflow } from '../loader/load.js';
import { workerNames } from '../sim/models/cluster.js';
import { compileWorkflow, criticalPathLength, totalEdgeBytes } from '../sim/models/workflow.js';

const FAASFLOW = ['cycles', 'epigenomics', 'genome', 'soykb', 'video', 'illegal-recognizer', 'file-processing', 'wordcount'];
const DATAFLOWER = ['df-video', 'df-wordcount', 'df-recognizer', 'df-svd'];

test('the 12 benchmarks are listed with their default cluster', (t) => {
  const list = listWorkflows();
  t.deepEqual(list.map((w) => w.name).sort(), [...FAASFLOW, ...DATAFLOWER].sort());
  for (const w of list) {
    t.true(w.description.length > 10, w.name);
    t.is(w.defaultCluster, FAASFLOW.includes(w.name) ? 'faasflow-7w' : 'dataflower-3w', w.name);
  }
});

test('every builtin workflow loads, compiles, and fits its default cluster', (t) => {
  for (const name of [...FAASFLOW, ...DATAFLOWER]) {
    const w = loadWorkflow(name);
    t.is(w.name, name);
    t.truthy(w.source, `${name} has a source`);
    const c = compileWorkflow(w);
    t.true(c.starts.length >= 1, name);
    const cluster = loadCluster(w.defaultCluster!);
    t.notThrows(() => checkPlacement(w, cluster, name), name);
    for (const f of w.functions) {
      t.true(f.memoryBytes <= Math.min(...cluster.nodes.map((n) => n.memoryBytes)), `${name}.${f.name} memory`);
      t.true(f.kind === 'switch' || f.serviceTime.kind === 'constant', `${name}.${f.name}`);
    }
  }
});

test('DataFlower benchmarks carry placement tables for every function on dataflower-3w workers', (t) => {
  const workers = workerNames(loadCluster('dataflower-3w'));
  t.deepEqual(workers, ['w0', 'w1', 'w2']);
  for (const name of DATAFLOWER) {
    const w = loadWorkflow(name);
    t.truthy(w.placement, name);
    for (const f of w.functions) t.truthy(w.placement![f.name], `${name}.${f.name} is placed`);
  }
  t.deepEqual(loadWorkflow('df-video').placement!.transcode, ['w0', 'w2']);
});

const SCIENTIFIC: Record<string, { functions: number; edges: number; bytes: number; path: number; maxContainers: number }> = {
  cycles: { functions: 46, edges: 52, bytes: 1.43e9, path: 4, maxContainers: 10 },
  epigenomics: { functions: 45, edges: 50, bytes: 39e6, path: 9, maxContainers: 1 },
  genome: { functions: 50, edges: 74, bytes: 177e6, path: 3, maxContainers: 1 },
  soykb: { functions: 45, edges: 77, bytes: 46e6, path: 11, maxContainers: 1 },
};

for (const [name, want] of Object.entries(SCIENTIFIC)) {
  test(`scientific ${name} matches the reference counts, bytes and critical path`, (t) => {
    const w = loadWorkflow(name);
    const c = compileWorkflow(w);
    t.is(w.functions.length, want.functions);
    t.is(w.edges.length, want.edges);
    const bytes = totalEdgeBytes(c);
    t.true(Math.abs(bytes - want.bytes) / want.bytes < 0.01, `${bytes} vs ~${want.bytes}`);
    t.is(criticalPathLength(c), want.path);
    for (const f of w.functions) {
      t.deepEqual(f.serviceTime, { kind: 'constant', value: 1 });
      t.is(f.cpu, 0);
      t.is(f.groupingWeight, 1);
      t.is(f.scale, 3);
      t.is(f.memUsage, 0.25);
      t.is(f.maxContainers, want.maxContainers);
    }
    t.true(w.edges.every((e) => e.kind === 'normal'));
  });
}

test('FaaSFlow apps: grouping weights are not service times; switches follow the AE path', (t) => {
  const fp = loadWorkflow('file-processing');
  const conv = fp.functions.find((f) => f.name === 'conversion')!;
  t.is(conv.groupingWeight, 19);
  t.notDeepEqual(conv.serviceTime, { kind: 'constant', value: 19 });
  const video = loadWorkflow('video');
  t.is(video.functions.find((f) => f.name === 'transcode')!.instances, 3);
  t.is(video.edges.find((e) => e.from === 'virtual1' && e.to === 'split')!.probability, 1);
  const ir = loadWorkflow('illegal-recognizer');
  t.is(ir.edges.find((e) => e.from === 'virtual1' && e.to === 'extract')!.probability, 1);
  t.is(ir.edges.find((e) => e.from === 'virtual2' && e.to === 'mosaic')!.probability, 1);
  t.is(ir.functions.find((f) => f.name === 'virtual1')!.kind, 'switch');
  t.is(loadWorkflow('wordcount').functions.find((f) => f.name === 'count')!.instances, 8);
  t.is(loadWorkflow('df-video').functions.find((f) => f.name === 'transcode')!.instances, 4);
  t.is(loadWorkflow('df-svd').functions.find((f) => f.name === 'compute')!.instances, 16);
  t.is(loadWorkflow('df-svd').functions.find((f) => f.name === 'compute')!.cpu, 0.1);
});

test('cluster presets', (t) => {
  t.deepEqual(listClusters().map((c) => [c.name, c.workers]), [['dataflower-3w', 3], ['faasflow-7w', 7], ['shared-3w', 3]]);
  const ff = loadCluster('faasflow-7w');
  t.is(ff.nodes.length, 8);
  t.deepEqual([ff.storage, ff.gateway, ff.master], ['storage', 'storage', 'storage']);
  const w = ff.nodes.filter((n) => n.role === 'worker');
  t.true(w.every((n) => n.cores === 8 && n.memoryBytes === 32 * 2 ** 30));
  const s = ff.nodes.find((n) => n.name === 'storage')!;
  t.deepEqual([s.role, s.cores, s.memoryBytes], ['storage', 16, 64 * 2 ** 30]);
  t.true(ff.nodes.every((n) => n.nicBps === 1.25e9 && n.latencyS === 50e-6));
  const df = loadCluster('dataflower-3w');
  t.is(df.nodes.length, 5);
  t.deepEqual([df.storage, df.gateway, df.master], ['storage', 'gateway', 'gateway']);
  t.true(df.nodes.filter((n) => n.role === 'worker').every((n) => n.cores === 16 && n.memoryBytes === 64 * 2 ** 30));
  for (const name of ['gateway', 'storage']) {
    const n = df.nodes.find((m) => m.name === name)!;
    t.deepEqual([n.cores, n.memoryBytes], [8, 16 * 2 ** 30]);
  }
});

test('docs/benchmarks.md holds the current table (re-run scripts/benchmarks-table.ts after editing a YAML)', (t) => {
  const doc = readFileSync(new URL('../docs/benchmarks.md', import.meta.url), 'utf8');
  t.true(doc.includes(benchmarkTable()));
  const video = benchmarkRow('video');
  // the simple_process branch (probability 0) is dead: its 21.5 MB data edge (test.mp4) is not taken
  t.is(video.edgeBytesAll - video.edgeBytesTaken, 21528199);
});
