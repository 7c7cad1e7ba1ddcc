/**
 * Hostile-argument sweep of the `exp`, `calibrate`, `bench` and `sim` command lines (issue 15): every
 * case is an invalid argument vector, run as a user would (`node --import tsx <cli>`, in a child
 * process with a time limit), and classified:
 *
 *   clean error      exit 2, a message on stderr, no stack trace
 *   stack trace      any output holding a JavaScript stack frame ("    at ...")
 *   accepted invalid exit 0 (or still running at the limit: the CLI started working on it)
 *   other            any other exit
 *
 *   npx tsx scripts/fuzz-args.ts [--limit S] [--jobs N]
 *
 * Prints a table by class and CLI and every case that was not a clean error; exit 1 if any.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export interface Case {
  cli: 'exp' | 'calibrate' | 'bench' | 'sim';
  cls: string;
  args: string[];
}

/** Every case, with the scratch folder its files live in (remove it afterwards). */
export function argCases(): { cases: Case[]; scratch: string } {
  const scratch = mkdtempSync(join(tmpdir(), 'flowsim-fuzz-args-'));
  const dir = join(scratch, 'a-directory');
  mkdirSync(dir);
  const badYaml = join(scratch, 'bad.yaml');
  writeFileSync(badYaml, 'a: [1, 2\n');
  const emptyYaml = join(scratch, 'empty.yaml');
  writeFileSync(emptyYaml, '');
  const out = join(scratch, 'out');

  const BAD_NUMBERS = ['-1', '0', '1.5', 'abc', '', '1e400', 'NaN', 'Infinity', '0x10', '1_000'];
  const cases: Case[] = [];
  const add = (cli: Case['cli'], cls: string, args: string[]) => cases.push({ cli, cls, args });

  // exp: every experiment's axes and the common options, with a results root in scratch
  const expBase = ['latency', '--quick', '--out', out, '--progress', 'none'];
  for (const v of BAD_NUMBERS) add('exp', 'number', [...expBase, '--jobs', v]);
  for (const v of BAD_NUMBERS) add('exp', 'number', [...expBase, '--seeds', v]);
  for (const v of ['-5', '0', 'abc', '', '1e400', '50,', ',', '50,abc']) add('exp', 'axis', [...expBase, '--bandwidth', v]);
  for (const v of ['bogus', '', 'hyperflow,bogus', ',']) add('exp', 'axis', [...expBase, '--mode', v]);
  for (const v of ['bogus', '', 'genome,nothing']) add('exp', 'axis', [...expBase, '--benchmark', v]);
  for (const v of ['bogus', '']) add('exp', 'choice', [...expBase, '--progress', v]);
  for (const v of ['/nonexistent/p.yaml', dir, badYaml, emptyYaml, '']) add('exp', 'file', [...expBase, '--params', v]);
  for (const v of ['nonexistent-profile', '', dir, badYaml]) add('exp', 'file', [...expBase, '--calibration', v]);
  for (const v of ['', '../escape', 'a/b', '.', '..']) add('exp', 'run-id', [...expBase, '--run-id', v]);
  add('exp', 'resume', ['latency', '--quick', '--out', join(scratch, 'never-ran'), '--resume', '--progress', 'none']);
  add('exp', 'resume', ['latency', '--quick', '--out', join(scratch, 'never-ran'), '--resume', '--run-id', 'nope', '--progress', 'none']);
  add('exp', 'unknown', ['no-such-experiment']);
  add('exp', 'unknown', [...expBase, '--no-such-option', '1']);
  add('exp', 'unknown', []);
  add('exp', 'twice', [...expBase, '--jobs', '1', '--jobs', '2']);
  add('exp', 'twice', [...expBase, '--bandwidth', '25', '--bandwidth', '50']);
  add('exp', 'axis', ['tail', '--quick', '--out', out, '--rpm', '-3']);
  add('exp', 'axis', ['throughput', '--quick', '--out', out, '--clients', '0']);
  add('exp', 'axis', ['scheduler', '--quick', '--out', out, '--queue', 'bogus']);
  add('exp', 'file', ['latency', '--quick', '--out', join(badYaml, 'sub')]);

  // calibrate --from (no testbed needed) and the testbed options (checked before anything starts)
  const meas = join(ROOT, 'configs', 'measurements', 'faasflow-paper.yaml');
  for (const v of ['/nonexistent.yaml', dir, badYaml, emptyYaml, '']) add('calibrate', 'file', ['--from', v, '--out', out]);
  for (const v of ['/nonexistent.yaml', badYaml, '']) add('calibrate', 'file', ['--from', meas, '--holdout', v, '--out', out]);
  for (const v of ['nonexistent-profile', '', badYaml]) add('calibrate', 'file', ['--from', meas, '--evaluate', v, '--out', out]);
  for (const v of ['nonexistent-profile', '']) add('calibrate', 'file', ['--from', meas, '--start', v, '--out', out]);
  for (const v of BAD_NUMBERS) add('calibrate', 'number', ['--from', meas, '--max-iterations', v, '--out', out]);
  for (const v of BAD_NUMBERS) add('calibrate', 'number', ['--from', meas, '--jobs', v, '--out', out]);
  for (const v of ['-1', 'abc', '', '1e400']) add('calibrate', 'number', ['--testbed', 'netns', '--delay', v, '--out', out]);
  for (const v of ['-1', '0', '1.5', 'abc', '']) add('calibrate', 'number', ['--testbed', 'netns', '--workers', v, '--out', out]);
  for (const v of ['-25', '0', 'abc', '', '25,', '1e400']) add('calibrate', 'axis', ['--testbed', 'netns', '--bandwidth', v, '--out', out]);
  add('calibrate', 'choice', ['--testbed', 'bogus']);
  add('calibrate', 'combination', ['--holdout', meas]);
  add('calibrate', 'combination', ['--loo']);
  add('calibrate', 'combination', ['--from', meas, '--testbed', 'docker']);
  add('calibrate', 'unknown', ['--no-such-option']);
  add('calibrate', 'twice', ['--from', meas, '--from', meas]);
  for (const v of ['', '../x', 'a/b']) add('calibrate', 'name', ['--testbed', 'netns', '--name', v, '--out', out]);

  // sim: the numeric options' parsing (its configs and options are fuzzed in test/sim-fuzz.test.ts)
  for (const k of ['--duration', '--rpm', '--seed', '--bandwidth', '--clients'])
    for (const v of ['abc', '', '1e400', 'NaN', 'Infinity', '0x10', '1_000', ...(k === '--seed' ? [] : ['-1'])]) add('sim', 'number', ['-w', 'wordcount', '-m', 'faasflow', k, v]);

  // bench: every numeric option
  for (const k of ['--events', '--reps', '--flows', '--completions', '--tasks', '--requests', '--rpm', '--timeout', '--overload-s'])
    for (const v of ['-1', '0', 'abc', '', '1e400', '0x10', 'NaN']) add('bench', 'number', ['phold', k, v]);
  for (const k of ['--events', '--reps', '--tasks']) add('bench', 'number', ['phold', k, '1.5']);
  add('bench', 'unknown', ['no-such-case']);
  add('bench', 'unknown', []);
  add('bench', 'unknown', ['phold', '--no-such-option']);
  add('bench', 'unknown', ['case', 'no-such-case']);
  add('bench', 'twice', ['phold', '--events', '1', '--events', '2']);
  add('bench', 'file', ['all', '--json', '--out', join(badYaml, 'sub'), '--events', 'abc']);
  return { cases, scratch };
}

const CLI = { sim: 'cli/sim.ts', exp: 'experiments/cli.ts', calibrate: 'calibrate/cli.ts', bench: 'bench/cli.ts' };
export type Outcome = 'clean error' | 'stack trace' | 'accepted invalid' | 'other';
export interface Result {
  c: Case;
  outcome: Outcome;
  code: number | null;
  stderr: string;
}

/** Runs one case in a child process; past `limitS` it is stopped (SIGINT, then SIGKILL 5 s later) and counted as accepted. */
export function runArgCase(c: Case, limitS: number): Promise<Result> {
  return new Promise((done) => {
    const p = spawn(process.execPath, ['--import', 'tsx', CLI[c.cli], ...c.args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    let timedOut = false;
    const kill = (sig: NodeJS.Signals) => {
      try {
        process.kill(-p.pid!, sig);
      } catch {
        /* gone */
      }
    };
    let hard: NodeJS.Timeout | undefined;
    const timer = setTimeout(() => {
      timedOut = true;
      // SIGINT first: a CLI that started a testbed gets to take it down
      kill('SIGINT');
      hard = setTimeout(() => kill('SIGKILL'), 5000);
    }, limitS * 1000);
    p.on('close', (code) => {
      clearTimeout(timer);
      if (hard) clearTimeout(hard);
      const all = stdout + stderr;
      const outcome: Outcome = /\n\s+at .+[(:]\d+/.test(all) ? 'stack trace' : timedOut || code === 0 ? 'accepted invalid' : code === 2 && stderr.trim() !== '' ? 'clean error' : 'other';
      done({ c, outcome, code: timedOut ? null : code, stderr: stderr.trim().split('\n').slice(0, 3).join(' | ').slice(0, 240) });
    });
  });
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const opt = (k: string, d: number) => {
    const i = argv.indexOf(k);
    return i >= 0 ? Number(argv[i + 1]) : d;
  };
  const LIMIT_S = opt('--limit', 25);
  const JOBS = opt('--jobs', 2);
  const { cases, scratch } = argCases();
  const results: Result[] = [];
  let next = 0;
  const worker = async () => {
    while (next < cases.length) {
      const c = cases[next++];
      results.push(await runArgCase(c, LIMIT_S));
      process.stderr.write(`\r${results.length}/${cases.length}`);
    }
  };
  await Promise.all(Array.from({ length: JOBS }, worker));
  process.stderr.write('\n');
  rmSync(scratch, { recursive: true, force: true });
  const outcomes: Outcome[] = ['clean error', 'stack trace', 'accepted invalid', 'other'];
  const rows = new Map<string, Record<Outcome, number>>();
  for (const r of results) {
    const k = `${r.c.cli} ${r.c.cls}`;
    const row = rows.get(k) ?? { 'clean error': 0, 'stack trace': 0, 'accepted invalid': 0, other: 0 };
    row[r.outcome]++;
    rows.set(k, row);
  }
  console.log(`| class | cases | ${outcomes.join(' | ')} |`);
  console.log(`|---|---:|${outcomes.map(() => '---:').join('|')}|`);
  for (const [k, row] of [...rows].sort()) console.log(`| ${k} | ${Object.values(row).reduce((a, b) => a + b, 0)} | ${outcomes.map((o) => row[o]).join(' | ')} |`);
  const bad = results.filter((r) => r.outcome !== 'clean error');
  console.log(`\n${results.length} cases: ${outcomes.map((o) => `${results.filter((r) => r.outcome === o).length} ${o}`).join(', ')}`);
  for (const r of bad) console.log(`- ${r.outcome} (exit ${r.code}): ${r.c.cli} ${r.c.args.map((a) => (a === '' ? "''" : a)).join(' ')}\n    ${r.stderr}`);
  process.exitCode = bad.length > 0 ? 1 : 0;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) void main();
