/**
 * Live Docker testbed tests: need root and a Docker engine (CI installs docker.io and starts
 * dockerd). Elsewhere they are skipped, and their titles say why.
 */
import anyTest from 'ava';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Docker from 'dockerode';
import { parse as parseCsv } from 'csv-parse/sync';
import { startDockerTestbed } from '../calibrate/testbed/docker.js';
import { loadMeasurements } from '../calibrate/measurements.js';
import { listPools } from '../calibrate/testbed/cgroups.js';

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const LABEL = 'flowsim.testbed';

async function dockerReason(): Promise<string | null> {
  if (process.getuid?.() !== 0) return 'needs root (Docker testbed)';
  try {
    await Promise.race([new Docker().ping(), new Promise((_, rej) => setTimeout(() => rej(new Error('timeout')), 3000))]);
    return null;
  } catch (e) {
    return `no Docker engine answers at ${process.env.DOCKER_HOST ?? '/var/run/docker.sock'} (${(e as Error).message}); start dockerd`;
  }
}

const why = await dockerReason();
const test = why ? anyTest.skip : anyTest.serial;
const note = why ? ` [skipped: ${why}]` : '';

/** Containers, networks and images of testbeds, optionally only those of one owner pid. */
async function leftovers(pid?: number): Promise<{ containers: number; networks: number; images: number; cpuPools: number }> {
  const d = new Docker();
  const mine = (l: Record<string, string> | undefined) => pid === undefined || (l?.['flowsim.owner'] ?? '').endsWith(`:${pid}`);
  const c = (await d.listContainers({ all: true, filters: { label: [LABEL] } })).filter((x) => mine(x.Labels));
  const n = (await d.listNetworks({ filters: { label: [LABEL] } })).filter((x) => mine(x.Labels));
  const i = (await d.listImages({ filters: { label: [LABEL] } })).filter((x) => mine(x.Labels));
  const pools = listPools(pid === undefined ? 'flowsim-fsim-' : `flowsim-fsim-${pid}-`);
  return { containers: c.length, networks: n.length, images: i.length, cpuPools: pools.length };
}

function startValidate(args: string[]): { child: ReturnType<typeof spawn>; stderr: () => string; waitFor: (re: RegExp, ms: number) => Promise<void>; exit: Promise<number | null> } {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'validate/cli.ts'), ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  const waiters: Array<[RegExp, () => void]> = [];
  child.stderr!.on('data', (d: Buffer) => {
    err += d.toString();
    for (const [re, res] of waiters) if (re.test(err)) res();
  });
  child.stdout!.resume();
  const exit = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  return {
    child,
    stderr: () => err,
    exit,
    waitFor: (re, ms) =>
      new Promise<void>((res, rej) => {
        if (re.test(err)) return res();
        const t = setTimeout(() => rej(new Error(`no ${re} within ${ms} ms; stderr:\n${err}`)), ms);
        waiters.push([re, () => (clearTimeout(t), res())]);
      }),
  };
}

test(`validate docker: wordcount in all three modes, real against simulated within 25% per e2e cell, nothing left behind${note}`, async (t) => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'flowsim-validate-'));
  try {
    const v = startValidate(['docker', '-b', 'wordcount', '--bandwidth', '50', '--requests', '3', '--warmup', '1', '--out', out]);
    const code = await v.exit;
    t.true(code === 0 || code === 1, `exit ${code}: ${v.stderr()}`);
    const [run] = fs.readdirSync(out);
    const dir = path.join(out, run!);
    const rows = parseCsv(fs.readFileSync(path.join(dir, 'cells.csv')), { columns: true }) as Array<{ cell: string; metric: string; real: string; flowsim: string; error: string }>;
    const e2e = rows.filter((r) => r.metric === 'e2e.mean');
    t.deepEqual(e2e.map((r) => r.cell.split('/')[1]).sort(), ['dataflower', 'faasflow', 'hyperflow']);
    // Tolerance 25%: three requests of a sub-second workflow on a shared 2-core machine vary by
    // about 10% between runs (docs/validation.md); a model error of 2x would still fail here.
    // Other load on the host can slow the real run alone (the testbed shares the 2 cores; a
    // concurrent test run once made hyperflow's wordcount 1.13 s for 0.63 s; dataflower's real e2e
    // has measured 0.52 to 0.64 s from one run to the next, flowsim 0.45 s): a cell that misses is
    // measured again, up to twice, and must then be within the tolerance; a model error misses
    // every time.
    const missed = e2e.filter((r) => !(Math.abs(Number(r.error)) <= 0.25));
    for (const r of missed) for (let attempt = 0; attempt < 2 && !(Math.abs(Number(r.error)) <= 0.25); attempt++) {
      const mode = r.cell.split('/')[1]!;
      const again = fs.mkdtempSync(path.join(os.tmpdir(), 'flowsim-validate-again-'));
      try {
        const w = startValidate(['docker', '-b', 'wordcount', '-m', mode, '--bandwidth', '50', '--requests', '3', '--warmup', '1', '--out', again]);
        const c2 = await w.exit;
        t.true(c2 === 0 || c2 === 1, `exit ${c2}: ${w.stderr()}`);
        const [run2] = fs.readdirSync(again);
        const rows2 = parseCsv(fs.readFileSync(path.join(again, run2!, 'cells.csv')), { columns: true }) as Array<{ cell: string; metric: string; real: string; flowsim: string; error: string }>;
        const r2 = rows2.find((x) => x.metric === 'e2e.mean')!;
        t.log(`${r.cell}: before ${r.real} s, again ${r2.real} s, flowsim ${r2.flowsim} s`);
        Object.assign(r, r2);
      } finally {
        fs.rmSync(again, { recursive: true, force: true });
      }
    }
    for (const r of e2e) t.true(Math.abs(Number(r.error)) <= 0.25, `${r.cell}: real ${r.real} s, flowsim ${r.flowsim} s`);
    // the mode that is faster for real is faster in flowsim (FaaStore keeps same-group data local)
    const [ff, hf] = [e2e.find((r) => r.cell.includes('/faasflow/'))!, e2e.find((r) => r.cell.includes('/hyperflow/'))!];
    t.true(Number(ff.real) < Number(hf.real) === Number(ff.flowsim) < Number(hf.flowsim));
    // cold starts: one container per function instance in the first request, reused after, for
    // real as in flowsim (10 = start + 8 count + merge); bytes per storage link within 10% (the
    // real counters add TCP/IP headers and the store protocol, ~4% measured)
    for (const r of rows.filter((x) => x.metric === 'coldStarts')) t.is(Number(r.real), 10, r.cell), t.is(Number(r.flowsim), 10, r.cell);
    const links = rows.filter((r) => r.metric === 'linkBytes' && r.cell.includes('/hyperflow/') && r.cell.includes('/bytes/storage.'));
    t.is(links.length, 2);
    for (const r of links) t.true(Math.abs(Number(r.error)) <= 0.1, `${r.cell}: real ${r.real} B, flowsim ${r.flowsim} B`);
    // the real results are a valid measurements file for calibrate --from
    const set = loadMeasurements(path.join(dir, 'measurements.yaml'));
    t.is(set.cells.length, rows.length);
    t.true(fs.existsSync(path.join(dir, 'parity.png')));
    t.regex(fs.readFileSync(path.join(dir, 'report.md'), 'utf8'), /Targets .*: (met|MISSED)/);
    t.deepEqual(await leftovers(v.child.pid), { containers: 0, networks: 0, images: 0, cpuPools: 0 });
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
});

test(`validate docker: df-wordcount in dataflower mode runs for real (streamed chunks, prefetch), within 30% of flowsim${note}`, async (t) => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'flowsim-validate-'));
  try {
    const v = startValidate(['docker', '-b', 'df-wordcount', '-m', 'dataflower', '--bandwidth', '50', '--requests', '3', '--warmup', '1', '--out', out]);
    const code = await v.exit;
    t.true(code === 0 || code === 1, `exit ${code}: ${v.stderr()}`);
    const [run] = fs.readdirSync(out);
    const dir = path.join(out, run!);
    const rows = parseCsv(fs.readFileSync(path.join(dir, 'cells.csv')), { columns: true }) as Array<{ cell: string; metric: string; real: string; flowsim: string; error: string }>;
    const e2e = rows.find((r) => r.metric === 'e2e.mean')!;
    // Tolerance 30%: flowsim leaves out the CPU that the worker's own engine, prefetcher and Redis
    // take from the functions' CPU limit, which on this testbed makes DataFlower's wordcount about
    // 12% slower than simulated (docs/validation.md), and three requests vary by ~10%; a broken
    // stream, placement or trigger (a timeout, a 2x) still fails.
    t.true(Math.abs(Number(e2e.error)) <= 0.3, `real ${e2e.real} s, flowsim ${e2e.flowsim} s`);
    const fns = fs.readFileSync(path.join(dir, 'functions.csv'), 'utf8');
    t.is((fns.match(/,count,/g) ?? []).length, 8 * 3, 'every count instance of every measured request ran');
    t.deepEqual(await leftovers(v.child.pid), { containers: 0, networks: 0, images: 0, cpuPools: 0 });
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
});

test(`validate docker: SIGINT removes every container, network and image at once (exit 130)${note}`, async (t) => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'flowsim-validate-'));
  try {
    const v = startValidate(['docker', '-b', 'soykb', '--bandwidth', '50', '--out', out]);
    await v.waitFor(/agents ready/, 120_000);
    t.true((await leftovers(v.child.pid)).containers > 0);
    v.child.kill('SIGINT');
    t.is(await v.exit, 130);
    t.deepEqual(await leftovers(v.child.pid), { containers: 0, networks: 0, images: 0, cpuPools: 0 });
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
});

test(`validate docker: a killed run (SIGKILL) leaves nothing after the next start${note}`, async (t) => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'flowsim-validate-'));
  try {
    const v = startValidate(['docker', '-b', 'soykb', '--bandwidth', '50', '--out', out]);
    await v.waitFor(/agents ready/, 120_000);
    v.child.kill('SIGKILL');
    await v.exit;
    const left = await leftovers(v.child.pid);
    t.true(left.containers > 0 && left.networks === 1 && left.cpuPools > 0, `a SIGKILL leaves the testbed (${JSON.stringify(left)})`);
    const logs: string[] = [];
    const tb = await startDockerTestbed({ workers: 1, rateBps: 50e6, log: (m) => logs.push(m) });
    await tb.close();
    t.true(logs.some((m) => /removed \d+ containers left by killed runs/.test(m)), logs.join('\n'));
    t.deepEqual(await leftovers(v.child.pid), { containers: 0, networks: 0, images: 0, cpuPools: 0 });
    t.deepEqual(await leftovers(process.pid), { containers: 0, networks: 0, images: 0, cpuPools: 0 });
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
});
