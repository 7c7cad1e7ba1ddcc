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

/** A write that could not be done, with what to fix (the CLIs print `message` and exit 2). */
export class WriteError extends Error {
  override name = 'WriteError';
}

function why(e: NodeJS.ErrnoException, file: string): string {
  switch (e.code) {
    case 'EISDIR':
      return `cannot write '${file}': it is a directory; give a file name`;
    case 'EACCES':
    case 'EPERM':
    case 'EROFS':
      return `cannot write '${file}': the folder is not writable (${e.code}); choose another place`;
    case 'ENOSPC':
    case 'EDQUOT':
      return `cannot write '${file}': the disk is full (${e.code}); free some space`;
    case 'ENOTDIR':
      return `cannot write '${file}': a part of its path is a file, not a folder`;
    default:
      return `cannot write '${file}': ${e.message}`;
  }
}

/**
 * Writes `data` to `file` atomically, creating the parent directory if needed. On any failure the
 * temp file is removed and a WriteError says what went wrong; the target is left as it was.
 */
export function atomicWrite(file: string, data: string | Uint8Array): void {
  const dir = path.dirname(file);
  let tmp: string | undefined;
  try {
    if (fs.existsSync(file) && fs.statSync(file).isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
    fs.mkdirSync(dir, { recursive: true });
    tmp = path.join(dir, `${TMP_MARK}${process.pid}-${++counter}-${path.basename(file)}`);
    fs.writeFileSync(tmp, data);
    fs.renameSync(tmp, file);
    tmp = undefined;
  } catch (e) {
    if (tmp !== undefined) fs.rmSync(tmp, { force: true });
    throw new WriteError(why(e as NodeJS.ErrnoException, file));
  }
}
