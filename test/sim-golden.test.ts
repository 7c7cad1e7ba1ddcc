/**
 * Results do not move unless a change means them to: every built-in benchmark in every mode, at one
 * closed-loop client and at 10 rpm under a 50 MB/s cap, hashed against test/fixtures/golden-results.txt.
 * A change meant to move results regenerates it (`npx tsx scripts/golden-results.ts`) and names the
 * moved results in its commit; the reshaping of issue 11 kept every line.
 */
import test from 'ava';
import fs from 'node:fs';
import path from 'node:path';
import { goldenLines } from '../scripts/golden-results.js';

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');

test('every benchmark x mode x load gives the committed result, to the byte', (t) => {
  const want = fs.readFileSync(path.join(ROOT, 'test/fixtures/golden-results.txt'), 'utf8').trim().split('\n');
  const got = goldenLines();
  t.is(got.length, want.length);
  const moved = got.filter((l, k) => l !== want[k]).map((l) => `now  ${l}\nwas  ${want[got.indexOf(l)]}`);
  t.deepEqual(moved, [], `results moved; if that is meant, run npx tsx scripts/golden-results.ts and say why in the commit:\n${moved.join('\n')}`);
});
