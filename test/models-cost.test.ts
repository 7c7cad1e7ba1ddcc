/** The cost model: hand-computed bills, DataFlower's held containers, price tables and their errors. */
import test from 'ava';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildScenario } from '../loader/build.js';
import { ConfigError, loadPrices } from '../loader/load.js';
import { runScenario } from '../sim/run.js';
import { AWS_LAMBDA_PRICES } from '../sim/models/cost.js';
import type { FunctionSpec, WorkflowSpec } from '../sim/models/workflow.js';

const MiB = 2 ** 20;
const fn = (name: string, o: Partial<FunctionSpec> = {}): FunctionSpec => ({
  name,
  kind: 'function',
  serviceTime: { kind: 'constant', value: 2 },
  cpu: 0.5,
  memoryBytes: 512 * MiB,
  maxContainers: 10,
  instances: 1,
  inputBytes: 0,
  userOutputBytes: 0,
  ...o,
});
const single: WorkflowSpec = { name: 'one', functions: [fn('f')], edges: [] };
// no store set-up or phase logs: the container is held exactly for the 2 s of compute
const bare = { containers: { storeOpenOps: 0, phaseLogOps: 0 } };

test('a 2 s function in a 512 MiB container bills 1 GB-s and one invocation per request', (t) => {
  const r = runScenario(buildScenario({ workflows: [single], mode: 'hyperflow', cluster: 'faasflow-7w', calibration: 'none', params: bare, durationS: 30 }));
  const a = r.apps[0];
  t.true(a.requests >= 5);
  t.true(Math.abs(a.cost.gbSecondsPerRequest - 1) < 1e-9, String(a.cost.gbSecondsPerRequest));
  t.true(Math.abs(a.cost.usdPerRequest - (1 * 0.0000166667 + 0.2e-6)) < 1e-15, String(a.cost.usdPerRequest));
  // the run's bill: every request (warm-up included) once; nothing moves between nodes
  const n = r.cost.invocations;
  t.is(n, a.requests + 2);
  t.true(Math.abs(r.cost.gbSeconds - n) < 1e-9);
  t.is(r.cost.transferredGB, 0);
  t.true(Math.abs(r.cost.usd.total - (n * 0.0000166667 + n * 0.2e-6)) < 1e-12);
  t.is(r.cost.prices, 'aws-lambda');
});

test("DataFlower's rule bills 1.25 GB per core of the quota (0.5 core x 2 s = 1.25 GB-s)", (t) => {
  const r = runScenario(buildScenario({ workflows: [single], mode: 'hyperflow', cluster: 'faasflow-7w', calibration: 'none', params: bare, durationS: 30, prices: 'dataflower-gbs' }));
  t.true(Math.abs(r.apps[0].cost.gbSecondsPerRequest - 1.25) < 1e-9, String(r.apps[0].cost.gbSecondsPerRequest));
  t.is(r.cost.prices, 'dataflower-gbs');
  // a function that only sleeps (cpu 0) holds a container at DataFlower's sleep quota (1 core): 1.25 x 2 s
  const sleeper: WorkflowSpec = { name: 'sleeper', functions: [fn('f', { cpu: 0 })], edges: [] };
  const z = runScenario(buildScenario({ workflows: [sleeper], mode: 'hyperflow', cluster: 'faasflow-7w', calibration: 'none', params: bare, durationS: 30, prices: 'dataflower-gbs' }));
  t.true(Math.abs(z.apps[0].cost.gbSecondsPerRequest - 2.5) < 1e-9, String(z.apps[0].cost.gbSecondsPerRequest));
});

test('a container DataFlower holds after its function (pressure-aware release) is billed to the request', (t) => {
  // a (w0) sends 10 MB to b (w1): a's container is held until 10e6 / (0.8 x 50e6 B/s) = 0.25 s
  // after its start (egress cap 400 Mbit/s per core x 1 core); a computes 0.1 s, so it is billed
  // 0.25 s; b is billed from its start to its end (its inputs are prefetched: a local read + compute)
  const wf: WorkflowSpec = {
    name: 'pair',
    functions: [fn('a', { serviceTime: { kind: 'constant', value: 0.1 }, cpu: 1, memoryBytes: 1024 * MiB }), fn('b', { serviceTime: { kind: 'constant', value: 0.1 }, cpu: 1, memoryBytes: 1024 * MiB })],
    edges: [{ from: 'a', to: 'b', kind: 'normal', bytes: 10e6 }],
    placement: { a: ['w0'], b: ['w1'] },
  };
  const r = runScenario(buildScenario({ workflows: [wf], mode: 'dataflower', cluster: 'dataflower-3w', calibration: 'none', durationS: 10, trace: true, warmupRequests: 0 }));
  const req0 = r.instances!.filter((x) => x.request === 0);
  const a = req0.find((x) => x.fn === 'a')!;
  const b = req0.find((x) => x.fn === 'b')!;
  t.true(Math.abs(a.end - a.start - 0.1) < 1e-9, `a ran ${a.end - a.start} s`);
  const held = 10e6 / (0.8 * 50e6);
  // per request: 1 GiB x (0.25 + b's time) GB-s
  const want = held + (b.end - b.start);
  const got = r.apps[0].cost.gbSecondsPerRequest;
  t.true(Math.abs(got - want) < 1e-9, `billed ${got} GB-s, expected ${want}`);
});

test('price tables: the shipped ones load, the default matches aws-lambda.yaml, bad ones are errors naming file and path', (t) => {
  const aws = loadPrices('aws-lambda');
  t.is(aws.perGBSecond, AWS_LAMBDA_PRICES.perGBSecond);
  t.is(aws.perInvocation, AWS_LAMBDA_PRICES.perInvocation);
  t.is(aws.perGBTransferred, AWS_LAMBDA_PRICES.perGBTransferred);
  t.is(loadPrices('dataflower-gbs').memory, 'dataflower-cpu');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fsim-prices-'));
  try {
    const write = (body: string) => {
      const f = path.join(dir, 'p.yaml');
      fs.writeFileSync(f, body);
      return f;
    };
    const bad = (body: string) => t.throws(() => loadPrices(write(body)), { instanceOf: ConfigError })!.format();
    t.regex(bad('source: x\nperGBSecond: -1\nperInvocation: 0\nperGBTransferred: 0\n'), /p\.yaml.*perGBSecond/);
    t.regex(bad('perGBSecond: 1\nperInvocation: 0\nperGBTransferred: 0\n'), /p\.yaml.*source/);
    t.regex(bad('source: x\nperGBSecond: 1\nperInvocation: 0\nperGBTransferred: 0\nmemory: cpu\n'), /p\.yaml.*memory/);
    t.regex(bad('source: x\nperGBSecond: 1\nperInvocation: 0\nperGBTransferred: 0\ncurrency: EUR\n'), /p\.yaml.*currency/);
    t.regex(t.throws(() => buildScenario({ workflows: ['wordcount'], mode: 'hyperflow', prices: 'azure' }), { instanceOf: ConfigError })!.format(), /--prices.*unknown price table 'azure'.*aws-lambda/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
