/** Atomic file writes (temp name in the same directory, then rename) and small helpers. */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

let counter = 0;

/** Marks temp files so a resumed run can sweep away leftovers of a killed one. */
export const TMP_MARK = '.tmp-';

export function atomicWrite(file: string, data: string | Uint8Array): void {
  const tmp = path.join(path.dirname(file), `${TMP_MARK}${process.pid}-${++counter}-${path.basename(file)}`);
  fs.writeFileSync(tmp, data);
  fs.renameSync(tmp, file);
}

/** Removes temp files left by a killed writer. */
export function sweepTemps(dir: string): void {
  if (!fs.existsSync(dir)) return;
  for (const f of fs.readdirSync(dir)) if (f.startsWith(TMP_MARK)) fs.rmSync(path.join(dir, f), { force: true });
}

export function sha256(data: string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** JSON with object keys sorted, so equal values always give equal text (and hashes). */
export function stableStringify(v: unknown): string {
  return JSON.stringify(sortKeys(v));
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v as object).sort()) out[k] = sortKeys((v as Record<string, unknown>)[k]);
    return out;
  }
  return v;
}
