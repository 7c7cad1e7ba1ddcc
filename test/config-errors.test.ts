import test from 'ava';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, checkPlacement, loadCluster, loadParamsFile, loadWorkflow } from '../loader/load.js';
import { mergeParams, DEFAULT_PARAMS } from '../sim/params.js';

const dir = mkdtempSync(join(tmpdir(), 'flowsim-config-'));
let n = 0;
function file(text: string, name = `wf${n++}.yaml`): string {
  const f = join(dir, name);
  writeFileSync(f, text);
  return f;
}

const GOOD = `
name: tiny
functions:
  - {name: a, serviceTime: 1}
  - {name: b, serviceTime: {kind: lognormal, mean: 0.5, sd: 0.1}, memory: 128MiB}
edges:
  - {from: a, to: b, bytes: 1MB}
`;

function configError(t: import('ava').ExecutionContext, fn: () => unknown): ConfigError {
  const e = t.throws(fn, { instanceOf: ConfigError });
  return e!;
}

test('a good workflow loads with defaults and units converted', (t) => {
  const w = loadWorkflow(file(GOOD));
  t.is(w.name, 'tiny');
  t.deepEqual(w.functions[0], {
    name: 'a', kind: 'function', serviceTime: { kind: 'constant', value: 1 }, cpu: 1,
    memoryBytes: 256 * 2 ** 20, maxContainers: 1000, instances: 1, inputBytes: 0, userOutputBytes: 0,
  });
  t.is(w.functions[1].memoryBytes, 128 * 2 ** 20);
  t.deepEqual(w.edges[0], { from: 'a', to: 'b', kind: 'normal', bytes: 1e6 });
});

test('unknown field: named, with the valid fields and a suggestion', (t) => {
  const f = file(GOOD.replace('{name: a, serviceTime: 1}', '{name: a, serviceTme: 1}'));
  const e = configError(t, () => loadWorkflow(f));
  t.is(e.file.endsWith('.yaml') && e.file, e.file);
  t.is(e.path, 'functions[0].serviceTme');
  t.regex(e.message, /unknown field 'serviceTme' \(did you mean 'serviceTime'\?\); expected one of: name, kind, serviceTime/);
  t.regex(e.format(), /\.yaml: functions\[0\]\.serviceTme: unknown field .* \(line 4\)$/);
});

test('negative size and negative distribution parameter', (t) => {
  const e1 = configError(t, () => loadWorkflow(file(GOOD.replace('bytes: 1MB', 'bytes: -5MB'))));
  t.is(e1.path, 'edges[0].bytes');
  t.regex(e1.message, /expected a non-negative size .* got '-5MB'/);
  const e2 = configError(t, () => loadWorkflow(file(GOOD.replace('mean: 0.5', 'mean: -1'))));
  t.is(e2.path, 'functions[1].serviceTime.mean');
  t.is(e2.message, 'expected a positive number, got -1');
  t.regex(e2.format(), /: functions\[1\]\.serviceTime\.mean: expected a positive number, got -1 \(line 5\)$/);
  const e3 = configError(t, () => loadWorkflow(file(GOOD.replace('kind: lognormal', 'kind: lognormals'))));
  t.is(e3.path, 'functions[1].serviceTime.kind');
  t.regex(e3.message, /expected one of constant, .*got 'lognormals' \(did you mean 'lognormal'\?\)/);
});

test('a cycle is reported with the functions on it', (t) => {
  const e = configError(t, () => loadWorkflow(file(GOOD + '  - {from: b, to: a}\n')));
  t.is(e.path, 'edges');
  t.regex(e.message, /cycle through: a, b/);
});

test('an edge to a missing function names it and suggests the closest', (t) => {
  const e = configError(t, () => loadWorkflow(file(GOOD + '  - {from: a, to: bb}\n')));
  t.is(e.path, 'edges[1].to');
  t.regex(e.message, /no function named 'bb'; did you mean 'b'\? functions are: a, b/);
  t.is(e.line, 8);
});

test('switch probabilities must sum to 1; probability only on switch edges', (t) => {
  const sw = `
functions:
  - {name: s, kind: switch}
  - {name: x, serviceTime: 1}
  - {name: y, serviceTime: 1}
edges:
  - {from: s, to: x, kind: switch, probability: 0.5}
  - {from: s, to: y, kind: switch, probability: 0.6}
`;
  const e = configError(t, () => loadWorkflow(file(sw)));
  t.is(e.path, 'edges[0].probability');
  t.regex(e.message, /sum to 1\.1, expected 1/);
  const e2 = configError(t, () => loadWorkflow(file(GOOD.replace('bytes: 1MB', 'bytes: 1MB, probability: 1'))));
  t.is(e2.path, 'edges[0].probability');
  const e3 = configError(t, () => loadWorkflow(file(sw.replace('{name: s, kind: switch}', '{name: s, kind: switch, serviceTime: 1}'))));
  t.is(e3.path, 'functions[0].serviceTime');
});

test('placement to a missing node, and to a missing function', (t) => {
  const wf = GOOD + 'placement:\n  a: w0\n  b: [w1, w9]\n';
  const w = loadWorkflow(file(wf));
  const cluster = loadCluster('dataflower-3w');
  const e = configError(t, () => checkPlacement(w, cluster, 'x.yaml'));
  t.is(e.format(), "x.yaml: placement.b[1]: no worker named 'w9' in cluster 'dataflower-3w'; did you mean 'w0'? workers are: w0, w1, w2");
  const e2 = configError(t, () => loadWorkflow(file(GOOD + 'placement:\n  c: w0\n')));
  t.is(e2.path, 'placement.c');
  t.regex(e2.message, /no function named 'c'/);
  // placement must not name a non-worker node either
  const e3 = configError(t, () => checkPlacement(loadWorkflow(file(GOOD + 'placement:\n  a: storage\n')), cluster, 'y.yaml'));
  t.is(e3.path, 'placement.a[0]');
});

test('unknown workflow and cluster names list the valid ones and suggest the closest', (t) => {
  const e = configError(t, () => loadWorkflow('genom'));
  t.is(e.file, '');
  t.regex(e.format(), /^unknown workflow 'genom'; did you mean 'genome'\? valid names are: cycles, df-recognizer, .*wordcount/);
  const e2 = configError(t, () => loadCluster('faasflow'));
  t.regex(e2.message, /unknown cluster 'faasflow'; did you mean 'faasflow-7w'\? valid names are: dataflower-3w, faasflow-7w/);
  const e3 = configError(t, () => loadWorkflow(join(dir, 'missing.yaml')));
  t.is(e3.message, 'no such file');
});

test('YAML syntax errors give line and column', (t) => {
  const e = configError(t, () => loadWorkflow(file('name: x\nfunctions:\n  - {name: a, serviceTime: 1\n  - b\n')));
  t.is(e.path, '');
  t.regex(e.message, /^invalid YAML at line \d+, column \d+: /);
  const e2 = configError(t, () => loadWorkflow(file('name: x\nname: y\nfunctions: []\n')));
  t.regex(e2.message, /invalid YAML at line 2, column 1: .*[Uu]nique/);
});

test('missing and mistyped values', (t) => {
  const e = configError(t, () => loadWorkflow(file('functions:\n  - {name: a}\n')));
  t.is(e.path, 'functions[0].serviceTime');
  t.regex(e.message, /^missing: expected a number of seconds/);
  const e2 = configError(t, () => loadWorkflow(file('functions:\n  - {name: a, serviceTime: 1, cpu: lots}\n')));
  t.is(e2.path, 'functions[0].cpu');
  t.is(e2.message, "expected a number, got 'lots'");
  const e3 = configError(t, () => loadWorkflow(file('functions: []\n')));
  t.is(e3.message, 'expected at least 1 item, got 0');
  const e4 = configError(t, () => loadWorkflow(file('- a\n- b\n')));
  t.regex(e4.message, /expected a mapping/);
  const e5 = configError(t, () => loadWorkflow(file(GOOD.replace('bytes: 1MB', 'kind: foreachh'))));
  t.is(e5.path, 'edges[0].kind');
  t.regex(e5.message, /did you mean 'foreach'/);
});

test('workflow defaults block applies to every function', (t) => {
  const w = loadWorkflow(file('defaults: {serviceTime: 250ms, cpu: 0, maxContainers: 7}\nfunctions:\n  - {name: a}\n  - {name: b, cpu: 2}\nedges: [{from: a, to: b}]\n'));
  t.deepEqual(w.functions.map((f) => [f.serviceTime, f.cpu, f.maxContainers]), [
    [{ kind: 'constant', value: 0.25 }, 0, 7],
    [{ kind: 'constant', value: 0.25 }, 2, 7],
  ]);
});

const CLUSTER = `
name: c
defaults: {cores: 4, memory: 8GiB, nic: 1Gbit/s, latency: 100us}
nodes:
  - {name: w, count: 2, role: worker}
  - {name: s, role: storage}
storage: s
gateway: s
master: s
`;

test('clusters: good, missing role reference, unknown field, negative memory', (t) => {
  const c = loadCluster(file(CLUSTER));
  t.deepEqual(c.nodes.map((n) => n.name), ['w0', 'w1', 's']);
  t.is(c.nodes[0].nicBps, 125e6);
  const e = configError(t, () => loadCluster(file(CLUSTER.replace('gateway: s', 'gateway: gw'))));
  t.is(e.path, 'gateway');
  t.regex(e.message, /no node named 'gw'; .*nodes are: w0, w1, s/);
  const e2 = configError(t, () => loadCluster(file(CLUSTER.replace('role: storage}', 'role: storage, disk: 1TB}'))));
  t.is(e2.path, 'nodes[1].disk');
  const e3 = configError(t, () => loadCluster(file(CLUSTER.replace('memory: 8GiB', 'memory: -8GiB'))));
  t.is(e3.path, 'defaults.memory');
  const e4 = configError(t, () => loadCluster(file(CLUSTER.replace('storage: s', 'storage: w0'))));
  t.regex(e4.message, /role 'worker', expected a node with role 'storage'/);
  const e5 = configError(t, () => loadCluster(file(CLUSTER.replace('{name: s, role: storage}', '{name: w0, role: storage}'))));
  t.regex(e5.message, /duplicate node name 'w0'/);
  // policies by name, checked against the registries
  const withPolicies = loadCluster(file(CLUSTER + 'policies: {queue: edf, keepAlive: hybrid, placement: least-loaded}\n'));
  t.deepEqual(withPolicies.policies, { queue: 'edf', keepAlive: 'hybrid', placement: 'least-loaded' });
  const e6 = configError(t, () => loadCluster(file(CLUSTER + 'policies: {queue: lifo}\n')));
  t.is(e6.path, 'policies.queue');
  t.regex(e6.message, /unknown queue policy 'lifo'.*fifo, priority, sjf, edf/);
  const e7 = configError(t, () => loadCluster(file(CLUSTER + 'policies: {keepalive: none}\n')));
  t.is(e7.path, 'policies.keepalive');
});

test('workflow priority and deadline: parsed with units, bad values named', (t) => {
  const w = loadWorkflow(file(GOOD + 'priority: 2\ndeadline: 1500ms\n'));
  t.is(w.priority, 2);
  t.is(w.deadlineS, 1.5);
  const e = configError(t, () => loadWorkflow(file(GOOD + 'deadline: 0s\n')));
  t.is(e.path, 'deadline');
  const e2 = configError(t, () => loadWorkflow(file(GOOD + 'priority: high\n')));
  t.is(e2.path, 'priority');
});

test('params files: strict, units accepted, merge into defaults', (t) => {
  const p = loadParamsFile(file('description: test\nstorage: {remoteOpLatencyS: 2ms, chunkBytes: 64KiB}\ncontainers: {coldStart: {kind: constant, value: 0.3}}\n'));
  t.deepEqual(p, { storage: { remoteOpLatencyS: 0.002, chunkBytes: 65536 }, containers: { coldStart: { kind: 'constant', value: 0.3 } } });
  const merged = mergeParams(DEFAULT_PARAMS, p);
  t.is(merged.storage.chunkBytes, 65536);
  t.is(merged.storage.inlineBytes, DEFAULT_PARAMS.storage.inlineBytes);
  const e = configError(t, () => loadParamsFile(file('storage: {remoteOpLatency: 2ms}\n')));
  t.is(e.path, 'storage.remoteOpLatency');
  t.regex(e.message, /did you mean 'remoteOpLatencyS'/);
  const e2 = configError(t, () => loadParamsFile(file('netwrk: {}\n')));
  t.regex(e2.message, /did you mean 'network'/);
  const e3 = configError(t, () => loadParamsFile(file('network: {bandwidthFactor: -0.5}\n')));
  t.is(e3.format().split(': ').slice(1).join(': '), 'network.bandwidthFactor: expected a number > 0 and <= 1, got -0.5 (line 1)');
  // ranges come from the one parameter definition (sim/params.ts PARAM_SPEC)
  for (const [body, re] of [
    ['storage: {chunkBytes: 0}', /storage\.chunkBytes: expected a size > 0, got 0/],
    ['faasflow: {groupLimit: 1.5}', /faasflow\.groupLimit: expected a whole number >= 1.*got 1\.5/],
    ['faasflow: {usableFraction: 2}', /faasflow\.usableFraction: expected a number > 0 and <= 1, got 2/],
    ['request: {timeoutS: 0}', /request\.timeoutS: expected a duration > 0, got 0/],
    ['control: {engineOverheadS: -1}', /control\.engineOverheadS: expected a non-negative duration.*got -1/],
    ['dataflower: {foreachEmit: middle}', /dataflower\.foreachEmit/],
  ] as const)
    t.regex(configError(t, () => loadParamsFile(file(body + '\n'))).format(), re);
});

test('gen:<recipe>:<tasks>[:seed] delegates to the generator; bad refs say what was expected', (t) => {
  const w = loadWorkflow('gen:genome:30:2');
  t.is(w.functions.length, 30);
  t.regex(configError(t, () => loadWorkflow('gen:genome')).message, /expected gen:<recipe>:<tasks>\[:seed\]/);
  t.regex(configError(t, () => loadWorkflow('gen:genome:0')).message, /tasks must be a positive integer, got '0'/);
  t.regex(configError(t, () => loadWorkflow('gen:bogus:10')).message, /cannot generate workflow 'gen:bogus:10': .*bogus/);
});

test('a .json path is read as WfFormat; invalid JSON names the file', (t) => {
  const f = file('{"name": "x", ', 'broken.json');
  const e = configError(t, () => loadWorkflow(f));
  t.true(e.file.endsWith('broken.json'));
  t.regex(e.message, /^invalid JSON: /);
});

const FIXTURE = new URL('../traces/fixtures/genome-50.wf15.json', import.meta.url);
const withFixture = existsSync(FIXTURE) ? test : test.skip;
withFixture('a WfFormat fixture loads through loadWorkflow', (t) => {
  const w = loadWorkflow(fileURLToPath(FIXTURE));
  t.is(w.functions.length, 50);
});
