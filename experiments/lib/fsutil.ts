/** Atomic file writes (lib/atomic-write.ts), sweeping their leftovers, and small helpers. */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { TMP_MARK } from '../../lib/atomic-write.js';

export { atomicWrite, TMP_MARK } from '../../lib/atomic-write.js';

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
