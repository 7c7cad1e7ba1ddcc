/**
 * Live netns testbed tests: need root, `ip netns`, tc and redis-server (CI installs iproute2 and
 * redis-server). Elsewhere they are skipped, and their titles say why.
 */
import anyTest from 'ava';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cleanupLeftovers, listNamespaces, netnsUnavailableReason, STATE_DIR, startNetnsTestbed } from '../calibrate/testbed/netns.js';
import { TMP_MARK } from '../lib/atomic-write.js';

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const why = netnsUnavailableReason();
const test = why ? anyTest.skip : anyTest.serial;
const note = why ? ` [skipped: ${why}]` : '';

function alive(pid: number): boolean {
  try {
    const st = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !st.slice(st.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return false;
  }
}

/** Resolves with the testbed id once `child` (a calibrate run) prints that its testbed is up. */
function testbedUp(child: ReturnType<typeof spawn>): Promise<string> {
  let err = '';
  return new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`testbed not up within 60 s: ${err}`)), 60_000);
    child.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
      const m = /testbed up: (fsim\d+)/.exec(err);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.stdout?.resume();
    child.on('exit', (code) => reject(new Error(`calibrate exited ${code} before the testbed was up: ${err}`)));
  });
}

/** Live processes whose command line names the testbed `id`. */
function processesMentioning(id: string): string[] {
  return fs.readdirSync('/proc').filter((p) => {
    try {
      return /^\d+$/.test(p) && alive(Number(p)) && fs.readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(id);
    } catch {
      return false;
    }
  });
}

test(`shaping holds a 25 MB/s cap within tolerance both ways; a missing netem is reported, not fatal${note}`, async (t) => {
  const tb = await startNetnsTestbed({ workers: 1, rateBps: 25e6, delayS: 0.001, signalHooks: false });
  try {
    t.true(tb.delaySupported || /netem is unavailable/.test(tb.delayNote), tb.delayNote);
    const bytes = 50e6; // about 2 s at 25 MB/s
    const up = await tb.call<Array<{ seconds: number }>>(tb.workers[0]!, 'send', { flows: [{ host: tb.storage.addr, bytes }] });
    const down = await tb.call<Array<{ seconds: number }>>(tb.storage, 'send', { flows: [{ host: tb.workers[0]!.addr, bytes }] });
    for (const [dir, r] of [['w0 -> st', up], ['st -> w0', down]] as const) {
      const ratio = bytes / r[0]!.seconds / 25e6;
      t.log(`${dir}: ${(ratio * 25).toFixed(2)} MB/s achieved at 25 MB/s nominal (${ratio.toFixed(3)})`);
      // TCP/IP headers cost ~4% (toolchain.md: 0.958); unshaped veth would be far above 1
      t.true(ratio > 0.85 && ratio <= 1.01, `${dir}: achieved/nominal = ${ratio}`);
    }
    // the tbf qdiscs are where we put them
    const ns = tb.ns(tb.workers[0]!);
    const q = await import('node:child_process').then((cp) => cp.execFileSync('tc', ['-n', ns, 'qdisc', 'show'], { encoding: 'utf8' }));
    t.regex(q, /tbf .* dev eth0 root/);
    t.regex(q, /tbf .* dev ifb0 root/);
    t.regex(q, /ingress ffff: dev eth0/);
  } finally {
    await tb.close();
  }
  t.false(listNamespaces().some((n) => n.startsWith(`${tb.id}-`)), 'close() removes every namespace');
});

test(`a calibration killed midway leaves no namespace, qdisc or process after the next start's cleanup${note}`, async (t) => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'fsim-kill-'));
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'calibrate/cli.ts'), '--testbed', 'netns', '--quick', '--name', 'killed', '--profile-dir', out, '--out', out], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const id = await testbedUp(child);
  child.kill('SIGKILL');
  await new Promise((r) => child.once('exit', r));
  // leftovers exist (so this test can fail if cleanup does nothing)
  const stateFile = path.join(STATE_DIR, `${id}.json`);
  t.true(fs.existsSync(stateFile), 'the state file survives a SIGKILL');
  const state = JSON.parse(fs.readFileSync(stateFile, 'utf8')) as { namespaces: string[]; pids: number[] };
  t.true(listNamespaces().filter((n) => n.startsWith(`${id}-`)).length >= 5, 'namespaces left behind by the killed run');
  t.true(state.pids.some(alive), 'services left running by the killed run');

  const rep = cleanupLeftovers();
  t.true(rep.namespaces.length >= 5, `cleanup removed ${rep.namespaces.join(', ')}`);
  t.deepEqual(listNamespaces().filter((n) => n.startsWith(`${id}-`)), [], 'no namespace left');
  t.deepEqual(state.pids.filter(alive), [], 'no redis-server/runtime left');
  t.false(fs.existsSync(stateFile), 'state file removed');
  // qdiscs, veths and ifbs lived only inside the deleted namespaces; nothing of ours in the root ns
  t.deepEqual(processesMentioning(id), [], 'no process mentions the killed testbed');
});

// needs no root: only state files are involved
anyTest.serial('cleanup removes a state file half-written by a killed writer, and leaves a live writer\'s alone', (t) => {
  fs.mkdirSync(STATE_DIR, { recursive: true });
  // pid 2^22 + 1 is above Linux's pid_max: no such process
  const dead = path.join(STATE_DIR, `${TMP_MARK}${2 ** 22 + 1}-1-fsim-test.json`);
  const live = path.join(STATE_DIR, `${TMP_MARK}${process.pid}-1-fsim-test.json`);
  fs.writeFileSync(dead, '{"ownerPid": 12');
  fs.writeFileSync(live, '{"ownerPid": 12');
  try {
    cleanupLeftovers();
    t.false(fs.existsSync(dead), 'the torn temp of a dead writer is removed');
    t.true(fs.existsSync(live), 'a temp being written by a live process is kept');
  } finally {
    fs.rmSync(dead, { force: true });
    fs.rmSync(live, { force: true });
  }
});

/**
 * Ctrl-C hygiene through npm, as a user runs it: `npm run calibrate` is started in its own process
 * group; once the testbed is up, SIGINT goes either to the whole group (a terminal's Ctrl-C) or to
 * the npm process alone. Both must stop the run and leave no namespace, state file or process.
 * FLOWSIM_SIGNAL_TRIES sets the tries per way (default 2; the closing note reports 20).
 */
const TRIES = Number(process.env.FLOWSIM_SIGNAL_TRIES ?? 2);
for (const way of ['group', 'npm alone'] as const) {
  test(`SIGINT to ${way === 'group' ? 'the process group (Ctrl-C)' : 'the npm process alone'} stops npm run calibrate and leaves nothing behind (${TRIES} tries)${note}`, async (t) => {
    for (let k = 0; k < TRIES; k++) {
      const out = fs.mkdtempSync(path.join(os.tmpdir(), 'flowsim-sig-'));
      const child = spawn('npm', ['run', '-s', 'calibrate', '--', '--testbed', 'netns', '--quick', '--out', out], { cwd: ROOT, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
      const id = await testbedUp(child);
      const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
      if (way === 'group') process.kill(-child.pid!, 'SIGINT');
      else process.kill(child.pid!, 'SIGINT');
      const code = await Promise.race([exited, new Promise<'hung'>((r) => setTimeout(() => r('hung'), 60_000))]);
      t.not(code, 'hung', `try ${k + 1}: npm did not exit within 60 s of SIGINT`);
      // the testbed's processes are gone a moment after npm (they are its grandchildren)
      for (let w = 0; w < 50 && listNamespaces().some((n) => n.startsWith(`${id}-`)); w++) await new Promise((r) => setTimeout(r, 200));
      t.deepEqual(listNamespaces().filter((n) => n.startsWith(`${id}-`)), [], `try ${k + 1}: namespaces left`);
      t.false(fs.existsSync(path.join(STATE_DIR, `${id}.json`)), `try ${k + 1}: state file left`);
      t.deepEqual(processesMentioning(id), [], `try ${k + 1}: processes left`);
      fs.rmSync(out, { recursive: true, force: true });
    }
  });
}
