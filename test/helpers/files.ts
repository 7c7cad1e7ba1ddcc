/** Temporary folders a test file removes when it ends, and the run files that must not vary. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** `tmpDir(prefix)` makes a folder under the OS temp dir; `removeAll` (for test.after.always) removes them all. */
export function makeTempDirs(): { tmpDir(prefix: string): string; removeAll(): void } {
  const made: string[] = [];
  return {
    tmpDir(prefix: string): string {
      const d = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
      made.push(d);
      return d;
    },
    removeAll(): void {
      for (const d of made.splice(0)) fs.rmSync(d, { recursive: true, force: true });
    },
  };
}

/** A run folder's files whose bytes must not depend on --jobs, interruption or the queue (wall-clock lives in manifest/timing). */
export function deterministicFiles(runDir: string): Record<string, Buffer> {
  const out: Record<string, Buffer> = {};
  for (const f of fs.readdirSync(runDir).sort()) {
    if (['manifest.json', 'timing.csv', 'points', 'run.json'].includes(f)) continue;
    out[f] = fs.readFileSync(path.join(runDir, f));
  }
  return out;
}
