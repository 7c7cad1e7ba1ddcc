/** Helpers for the service tests (test/service-*.test.ts): temp folders, waiting on runs, SSE. */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { RunStatus } from './db.js';
import type { Service } from './server.js';

export const TERMINAL: readonly RunStatus[] = ['done', 'failed', 'cancelled', 'interrupted'];

/** A small, fast sweep: tail --quick on genome's rpm grid, 1 seed, the first `points` points, inline. */
export const smallArgs = (points = 2) => ({ quick: true, seeds: 1, part: 'grid', benchmark: 'genome', 'max-points': points, jobs: 1 });
/** 24 tasks of ~0.2 s: long enough to cancel or kill midway. */
export const longArgs = () => ({ quick: true, seeds: 2, part: 'grid', benchmark: 'genome', jobs: 1 });

export function tempDirs() {
  const made: string[] = [];
  return {
    make(name: string): string {
      const d = fs.mkdtempSync(path.join(os.tmpdir(), `flowsim-svc-${name}-`));
      made.push(d);
      return d;
    },
    cleanup(): void {
      for (const d of made) fs.rmSync(d, { recursive: true, force: true });
    },
  };
}

export async function until<T>(what: string, f: () => T | undefined | null | false, timeoutMs = 90_000, everyMs = 100): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = f();
    if (v) return v;
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export function waitStatus(svc: Service, id: string, statuses: readonly RunStatus[] = TERMINAL, timeoutMs?: number) {
  return until(`run ${id} to be ${statuses.join('|')}`, () => {
    const r = svc.store.get(id);
    return r && statuses.includes(r.status) ? r : undefined;
  }, timeoutMs);
}

export async function post(svc: Service, url: string, payload?: unknown, headers: Record<string, string> = {}) {
  const r = await svc.app.inject({ method: 'POST', url, payload: payload as object, headers });
  return { status: r.statusCode, body: r.json() as Record<string, unknown> & { id: string; message: string } };
}

export async function get(svc: Service, url: string, headers: Record<string, string> = {}) {
  const r = await svc.app.inject({ method: 'GET', url, headers });
  return r;
}

export interface SseEvent {
  event: string;
  data: Record<string, unknown>;
}

/** Reads server-sent events from a URL until `stop` returns true (or the timeout); returns them. */
export function readSse(url: string, stop: (e: SseEvent, all: SseEvent[]) => boolean, timeoutMs = 60_000): Promise<{ events: SseEvent[]; contentType: string | undefined }> {
  return new Promise((resolve, reject) => {
    const events: SseEvent[] = [];
    const req = http.get(url, (res) => {
      let buf = '';
      const timer = setTimeout(() => {
        req.destroy();
        reject(new Error(`SSE timeout; got ${events.map((e) => e.event).join(',')}`));
      }, timeoutMs);
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buf += chunk;
        let i;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          let event = 'message';
          let data = '';
          for (const line of block.split('\n')) {
            if (line.startsWith('event: ')) event = line.slice(7);
            else if (line.startsWith('data: ')) data += line.slice(6);
          }
          if (!data) continue;
          const e = { event, data: JSON.parse(data) as Record<string, unknown> };
          events.push(e);
          if (stop(e, events)) {
            clearTimeout(timer);
            req.destroy();
            resolve({ events, contentType: res.headers['content-type'] });
            return;
          }
        }
      });
      res.on('error', () => {});
    });
    req.on('error', (e) => {
      if ((e as NodeJS.ErrnoException).code !== 'ECONNRESET') reject(e);
    });
  });
}

/** Waits until a run has finished at least `n` tasks; fails at once if it ends before. */
export async function waitProgress(svc: Service, id: string, n = 1) {
  const r = await until(`run ${id} to finish ${n} task(s)`, () => {
    const x = svc.store.get(id);
    return x && (x.done >= n || TERMINAL.includes(x.status)) ? x : undefined;
  });
  if (r.done < n) throw new Error(`run ${id} ended ${r.status} before ${n} task(s): ${r.error}`);
  return r;
}
