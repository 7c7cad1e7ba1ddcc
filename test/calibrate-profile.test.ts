import test from 'ava';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import YAML from 'yaml';
import { DEFAULT_PARAMS, mergeParams } from '../sim/params.js';
import { listProfiles, readProfile, writeProfile, ProfileError, type Profile } from '../calibrate/profile.js';
import { affine, fitLognormal } from '../calibrate/fit.js';
import { buildScenario } from '../loader/build.js';

const run = promisify(execFile);
const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');

const made: string[] = [];
function tmpDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'fsim-profile-'));
  made.push(d);
  return d;
}
test.after.always(() => {
  for (const d of made) fs.rmSync(d, { recursive: true, force: true });
});

function sample(name = 'rt'): Profile {
  return {
    name,
    measuredAt: '2026-11-22T05:00:00.000Z',
    testbed: { kind: 'netns', workers: 3 },
    host: { hostname: 'test' },
    params: {
      network: { bandwidthFactor: 0.9512, latencyFactor: 2.5 },
      storage: { remoteOpLatencyS: 0.00057, remoteWriteThroughputBps: 3.2e8, remoteReadThroughputBps: 2.9e8, localOpLatencyS: 0.00026, localThroughputBps: 5.5e8 },
      containers: { coldStart: { kind: 'lognormal', mean: 0.096, sd: 0.022 } },
      control: { engineOverheadS: 0.0003 },
    },
    fits: { transfer: { r2: 0.999 } },
  };
}

test('a profile round-trips: writeProfile -> readProfile -> mergeParams gives the values', (t) => {
  const dir = tmpDir();
  const file = writeProfile(sample(), dir);
  t.is(path.basename(file), 'rt.yaml');
  t.deepEqual(fs.readdirSync(dir), ['rt.yaml'], 'no temp file left behind');
  const loaded = readProfile('rt', dir);
  t.is(loaded.name, 'rt');
  t.is(loaded.meta.measuredAt, '2026-11-22T05:00:00.000Z');
  const p = mergeParams(DEFAULT_PARAMS, loaded.params);
  t.is(p.network.bandwidthFactor, 0.9512);
  t.is(p.network.latencyFactor, 2.5);
  t.is(p.storage.remoteWriteThroughputBps, 3.2e8);
  t.is(p.storage.remoteReadThroughputBps, 2.9e8);
  t.is(p.control.engineOverheadS, 0.0003);
  t.deepEqual(p.containers.coldStart, { kind: 'lognormal', mean: 0.096, sd: 0.022 });
  // untouched values keep their defaults
  t.is(p.network.tcpGammaBytes, DEFAULT_PARAMS.network.tcpGammaBytes);
  t.is(p.storage.chunkBytes, DEFAULT_PARAMS.storage.chunkBytes);
  // a path works as well as a name
  t.is(readProfile(file).name, 'rt');
});

test('a profile round-trips through the simulator: buildScenario({calibration}) carries its params', (t) => {
  const dir = tmpDir();
  const file = writeProfile(sample('through-sim'), dir);
  const s = buildScenario({ workflows: ['cycles'], mode: 'faasflow', calibration: file });
  t.is(s.params.network.bandwidthFactor, 0.9512);
  t.is(s.params.storage.localThroughputBps, 5.5e8);
  t.deepEqual(s.params.containers.coldStart, { kind: 'lognormal', mean: 0.096, sd: 0.022 });
  t.is(s.params.request.timeoutS, DEFAULT_PARAMS.request.timeoutS);
  t.regex(s.paramsSource, /calibration:/);
  // the committed, measured profile loads by name
  const committed = readProfile('netns-local');
  const s2 = buildScenario({ workflows: ['cycles'], mode: 'faasflow', calibration: 'netns-local' });
  t.is(s2.params.network.bandwidthFactor, committed.params.network!.bandwidthFactor!);
});

test('readProfile: wrong type names the file and the path inside it', (t) => {
  const dir = tmpDir();
  const bad = sample('bad') as unknown as { params: { network: Record<string, unknown> } };
  bad.params.network.bandwidthFactor = 'fast';
  fs.writeFileSync(path.join(dir, 'bad.yaml'), YAML.stringify(bad));
  const e = t.throws(() => readProfile('bad', dir), { instanceOf: ProfileError });
  t.regex(e!.message, /bad\.yaml/);
  t.regex(e!.message, /params\.network\.bandwidthFactor/);
  t.regex(e!.message, /number/);
});

test('readProfile: unknown keys, bad distributions and missing fields are errors', (t) => {
  const dir = tmpDir();
  const a = sample('a') as unknown as { params: { network: Record<string, unknown> } };
  a.params.network.bandwidthFactr = 0.9;
  fs.writeFileSync(path.join(dir, 'a.yaml'), YAML.stringify(a));
  t.regex(t.throws(() => readProfile('a', dir))!.message, /a\.yaml: params\.network.*bandwidthFactr/s);

  const b = sample('b') as unknown as { params: { containers: Record<string, unknown> } };
  b.params.containers.coldStart = { kind: 'lognormal', mean: -1, sd: 0.1 };
  fs.writeFileSync(path.join(dir, 'b.yaml'), YAML.stringify(b));
  t.regex(t.throws(() => readProfile('b', dir))!.message, /b\.yaml: params\.containers\.coldStart(\.mean)?: .*(mean must be > 0|positive number, got -1)/);

  const c = sample('c') as unknown as Record<string, unknown>;
  delete c.measuredAt;
  fs.writeFileSync(path.join(dir, 'c.yaml'), YAML.stringify(c));
  t.regex(t.throws(() => readProfile('c', dir))!.message, /c\.yaml: measuredAt/);

  fs.writeFileSync(path.join(dir, 'd.yaml'), 'name: d\nparams: [unclosed\n');
  t.regex(t.throws(() => readProfile('d', dir))!.message, /d\.yaml: YAML/);
});

test('readProfile: an unknown name lists the available profiles', (t) => {
  const dir = tmpDir();
  writeProfile(sample('alpha'), dir);
  writeProfile(sample('beta'), dir);
  t.deepEqual(listProfiles(dir), ['alpha', 'beta']);
  const e = t.throws(() => readProfile('gamma', dir), { instanceOf: ProfileError });
  t.regex(e!.message, /no calibration profile named 'gamma'/);
  t.regex(e!.message, /available: alpha, beta/);
});

test('writeProfile refuses an invalid profile and writes nothing', (t) => {
  const dir = tmpDir();
  const p = sample('x') as unknown as { params: { storage: Record<string, unknown> } };
  p.params.storage.remoteOpLatencyS = Number.NaN;
  t.throws(() => writeProfile(p as unknown as Profile, dir), { message: /params\.storage\.remoteOpLatencyS/ });
  t.deepEqual(fs.readdirSync(dir), []);
});

test('every committed profile validates', (t) => {
  const names = listProfiles();
  t.true(names.length > 0, 'at least one measured profile is committed in configs/calibration');
  for (const name of names) t.notThrows(() => readProfile(name), name);
});

test('fits: affine recovers a known line; lognormal recovers its moments', (t) => {
  const pts: Array<[number, number]> = [1e3, 1e5, 1e6, 4e6, 16e6].map((b) => [b, 0.002 + b / 50e6]);
  const f = affine('exact', pts);
  t.true(Math.abs(f.interceptS - 0.002) < 1e-9);
  t.true(Math.abs(1 / f.slope - 50e6) / 50e6 < 1e-9);
  t.true(f.r2 > 0.999999);
  // quantiles of a lognormal(mu=-2.3, sigma=0.2) sample of size 200
  const probit = (p: number) => Math.sqrt(2) * inverseErf(2 * p - 1);
  const xs = Array.from({ length: 200 }, (_, i) => Math.exp(-2.3 + 0.2 * probit((i + 0.5) / 200)));
  const ln = fitLognormal(xs);
  t.true(Math.abs(ln.mu + 2.3) < 0.01, `mu ${ln.mu}`);
  t.true(Math.abs(ln.sigma - 0.2) < 0.01, `sigma ${ln.sigma}`);
  t.true(ln.r2 > 0.99);
});

function inverseErf(x: number): number {
  // Winitzki's approximation, refined by two Newton steps on erf
  const a = 0.147;
  const ln = Math.log(1 - x * x);
  let y = Math.sign(x) * Math.sqrt(Math.sqrt((2 / (Math.PI * a) + ln / 2) ** 2 - ln / a) - (2 / (Math.PI * a) + ln / 2));
  for (let i = 0; i < 2; i++) y -= (erf(y) - x) / ((2 / Math.sqrt(Math.PI)) * Math.exp(-y * y));
  return y;
}
function erf(x: number): number {
  // Abramowitz-Stegun 7.1.26 is too coarse for Newton; use a series for |x| < 3
  let sum = x;
  let term = x;
  for (let n = 1; n < 60; n++) {
    term *= (-x * x) / n;
    sum += term / (2 * n + 1);
  }
  return (2 / Math.sqrt(Math.PI)) * sum;
}

test('calibrate CLI: bad arguments exit 2 without a stack trace', async (t) => {
  const e = await run(process.execPath, ['--import', 'tsx', path.join(ROOT, 'calibrate/cli.ts'), '--bandwidth', '25,abc'], { cwd: ROOT }).then(
    () => null,
    (x: { code: number; stderr: string }) => x,
  );
  t.truthy(e, 'the CLI must fail');
  t.is(e!.code, 2);
  t.regex(e!.stderr, /--bandwidth: expected .* got 'abc'/);
  t.notRegex(e!.stderr, /\n\s+at /);
});
