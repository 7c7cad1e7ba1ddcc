/**
 * Hostile arguments to exp, calibrate, bench and sim (issue 15): a deterministic sample of the
 * sweep in scripts/fuzz-args.ts (run it whole with `npx tsx scripts/fuzz-args.ts`), plus every
 * argument vector that once was accepted or crashed. Each must end with exit 2, a message and no
 * stack trace; nothing may start working on an invalid input.
 */
import test from 'ava';
import { rmSync } from 'node:fs';
import { argCases, runArgCase, type Case } from '../scripts/fuzz-args.js';

const { cases, scratch } = argCases();
test.after.always(() => rmSync(scratch, { recursive: true, force: true }));

const text = (c: Case) => `${c.cli} ${c.args.map((a) => (a === '' ? "''" : a)).join(' ')}`;
/** Once accepted (exit 0, or a run or testbed started) or crashed (exit 1); see the issue 15 note. */
const ONCE_BROKEN: RegExp[] = [
  /^exp .* --jobs 0x10$/,
  /^exp .* --seeds 0x10$/,
  /^exp .* --calibration ''$/,
  /^exp .* --run-id ''$/,
  /^exp .* --bandwidth 25 --bandwidth 50$/,
  /^calibrate .* --holdout '' /,
  /^calibrate .* --max-iterations 0x10 /,
  /^calibrate --testbed netns --delay 1e400 /,
  /^calibrate --testbed netns --bandwidth 25, /,
  /^calibrate --loo$/,
  /^calibrate --from \S+ --from /,
  /^calibrate --from \S+ --testbed docker$/,
  /^sim .* --rpm 0x10$/,
];
const sample = cases.filter((c, i) => i % 9 === 0 || ONCE_BROKEN.some((re) => re.test(text(c))));

test(`${sample.length} hostile argument vectors of ${cases.length}: exit 2 with a message, never a stack trace or a run`, async (t) => {
  t.timeout(300_000);
  t.true(ONCE_BROKEN.every((re) => sample.some((c) => re.test(text(c)))), 'every once-broken vector is in the sample');
  const bad: string[] = [];
  for (let k = 0; k < sample.length; k += 2) {
    const rs = await Promise.all(sample.slice(k, k + 2).map((c) => runArgCase(c, 60)));
    for (const r of rs) if (r.outcome !== 'clean error') bad.push(`${r.outcome} (exit ${r.code}): ${text(r.c)}: ${r.stderr}`);
  }
  t.deepEqual(bad, []);
});
