/**
 * Atomic file writes for every tool that writes results, profiles, traces or fixtures: the data
 * goes to a temp file in the same directory, which is then renamed over the target, so a reader
 * (or a run killed midway) never sees a half-written file.
 */
import fs from 'node:fs';
import path from 'node:path';

/** Marks temp files so a resumed run can sweep away leftovers of a killed one. */
export const TMP_MARK = '.tmp-';

let counter = 0;

/** Writes `data` to `file` atomically, creating the parent directory if needed. */
export function atomicWrite(file: string, data: string | Uint8Array): void {
  const dir = path.dirname(file);
  fs.mkdirSync(dir, { recursive: true });
  const tmp = path.join(dir, `${TMP_MARK}${process.pid}-${++counter}-${path.basename(file)}`);
  fs.writeFileSync(tmp, data);
  fs.renameSync(tmp, file);
}
