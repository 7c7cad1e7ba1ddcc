/** The atomic writer: the target appears whole or not at all, and no temp file is left on any failure. */
import test from 'ava';
import { execa } from 'execa';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { atomicWrite, TMP_MARK, WriteError } from '../lib/atomic-write.js';
import { cli } from '../experiments/cli.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flowsim-aw-'));
test.after.always(() => fs.rmSync(dir, { recursive: true, force: true }));
const leftovers = (d: string) => fs.readdirSync(d).filter((f) => f.startsWith(TMP_MARK));

test('writes the file whole, creating its folder', (t) => {
  const f = path.join(dir, 'a', 'b.txt');
  atomicWrite(f, 'hello');
  t.is(fs.readFileSync(f, 'utf8'), 'hello');
  t.deepEqual(leftovers(path.join(dir, 'a')), []);
});

test('a target that is a directory: WriteError that says so, nothing left behind', (t) => {
  const d = path.join(dir, 'isdir');
  fs.mkdirSync(d);
  const e = t.throws(() => atomicWrite(d, 'x'), { instanceOf: WriteError });
  t.regex(e!.message, /is a directory; give a file name/);
  t.deepEqual(leftovers(dir), []);
});

test('a parent that is a file: WriteError, nothing left behind', (t) => {
  const f = path.join(dir, 'plain');
  fs.writeFileSync(f, '');
  t.throws(() => atomicWrite(path.join(f, 'child.txt'), 'x'), { instanceOf: WriteError, message: /cannot write/ });
  t.deepEqual(leftovers(dir), []);
});

test('a failed rename removes its temp file (the target is a non-empty directory)', (t) => {
  const d = path.join(dir, 'full');
  fs.mkdirSync(d);
  fs.writeFileSync(path.join(d, 'x'), '1');
  t.throws(() => atomicWrite(d, 'x'), { instanceOf: WriteError });
  t.deepEqual(leftovers(dir), []);
});

test('sim --trace <a directory> exits 2 before running, and leaves no temp file', async (t) => {
  const d = path.join(dir, 'tracedir');
  fs.mkdirSync(d);
  const r = await execa('node', ['--import', 'tsx', 'cli/sim.ts', '-w', 'wordcount', '-m', 'hyperflow', '--trace', d], { reject: false });
  t.is(r.exitCode, 2, r.stderr);
  t.regex(r.stderr, /--trace: '.*tracedir' is a directory; give a file name/);
  t.deepEqual(leftovers(dir), []);
  t.deepEqual(leftovers(path.dirname(d)), []);
});

test('exp with a results root that is a file exits 2 with a message, no stack trace', async (t) => {
  const f = path.join(dir, 'results-file');
  fs.writeFileSync(f, '');
  let err = '';
  const code = await cli(['tail', '--quick', '--max-points', '1', '--seeds', '1', '--out', f, '--progress', 'none'], { out: () => {}, err: (s: string) => (err += s) });
  t.is(code, 2, err);
  t.regex(err, /cannot write/);
  t.notRegex(err, /\n\s+at /);
});
