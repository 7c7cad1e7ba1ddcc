/**
 * Azure Functions trace 2019 (reference: models-and-formats.md): per-function invocation counts,
 * `invocations_per_function_md.anon.dNN.csv` with columns HashOwner, HashApp, HashFunction,
 * Trigger, then 1440 per-minute counts (minutes 1..1440 of one day).
 *
 * `azureArrivals` turns one function's counts into arrival times in seconds: the c invocations of
 * minute m are spread uniformly at random within [60 (m - 1), 60 m) and sorted
 * [ASSUMPTION: the trace only has per-minute counts; uniform placement inside the minute is the
 * usual choice and keeps the per-minute totals exact]. Randomness comes from the seeded stream
 * `makeRng(seed, 'azure:<HashFunction>')`.
 */
import { readFileSync } from 'node:fs';
import { makeRng } from '../sim/engine/random.js';
import { TraceError } from './wfformat.js';

export const AZURE_MINUTES = 1440;

export interface AzureFunctionRow {
  owner: string;
  app: string;
  func: string;
  trigger: string;
  /** Invocations per minute (length = the number of minute columns, 1440 in the real trace). */
  counts: Int32Array;
}

const FIXED = ['HashOwner', 'HashApp', 'HashFunction', 'Trigger'];

/** Parses the CSV text. Errors name the file, the line and the column. */
export function parseAzureInvocations(text: string, file: string): AzureFunctionRow[] {
  const lines = text.split(/\r?\n/);
  while (lines.length > 0 && lines[lines.length - 1].trim() === '') lines.pop();
  if (lines.length === 0) throw new TraceError(file, 'line 1', `empty file; expected a header ${FIXED.join(',')},1,...,${AZURE_MINUTES}`);
  const header = lines[0].split(',').map((s) => s.trim());
  FIXED.forEach((h, i) => {
    if (header[i] !== h) throw new TraceError(file, `line 1, column ${i + 1}`, `expected '${h}', got '${header[i] ?? ''}'`);
  });
  const minutes = header.length - FIXED.length;
  if (minutes < 1) throw new TraceError(file, 'line 1', 'expected per-minute count columns after Trigger');
  for (let m = 0; m < minutes; m++)
    if (header[FIXED.length + m] !== String(m + 1))
      throw new TraceError(file, `line 1, column ${FIXED.length + m + 1}`, `expected minute '${m + 1}', got '${header[FIXED.length + m]}'`);
  const rows: AzureFunctionRow[] = [];
  for (let l = 1; l < lines.length; l++) {
    if (lines[l].trim() === '') continue;
    const cells = lines[l].split(',');
    if (cells.length !== header.length)
      throw new TraceError(file, `line ${l + 1}`, `expected ${header.length} columns, got ${cells.length}`);
    const counts = new Int32Array(minutes);
    for (let m = 0; m < minutes; m++) {
      const cell = cells[FIXED.length + m].trim();
      const v = Number(cell);
      if (cell === '' || !Number.isInteger(v) || v < 0)
        throw new TraceError(file, `line ${l + 1}, column ${FIXED.length + m + 1} (minute ${m + 1})`, `expected a count (integer >= 0), got '${cell}'`);
      counts[m] = v;
    }
    rows.push({ owner: cells[0].trim(), app: cells[1].trim(), func: cells[2].trim(), trigger: cells[3].trim(), counts });
  }
  return rows;
}

export function readAzureInvocationsFile(path: string): AzureFunctionRow[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new TraceError(path, '', `cannot read the file (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  return parseAzureInvocations(text, path);
}

export interface ArrivalOptions {
  /** First minute to use (1-based, inclusive). Default 1. */
  fromMinute?: number;
  /** Last minute to use (inclusive). Default the last column. */
  toMinute?: number;
}

/**
 * Arrival times (seconds, ascending, from the start of `fromMinute`) of one function's invocations.
 * `func` is a HashFunction value, or a row index.
 */
export function azureArrivals(rows: AzureFunctionRow[], func: string | number, seed: number, opts: ArrivalOptions = {}): number[] {
  const row = typeof func === 'number' ? rows[func] : rows.find((r) => r.func === func);
  if (!row) throw new Error(`azure trace: no function ${typeof func === 'number' ? `at row ${func}` : `'${func}'`} (${rows.length} functions)`);
  const from = opts.fromMinute ?? 1;
  const to = opts.toMinute ?? row.counts.length;
  if (!(Number.isInteger(from) && Number.isInteger(to) && from >= 1 && to <= row.counts.length && from <= to))
    throw new Error(`azure trace: minutes must satisfy 1 <= fromMinute <= toMinute <= ${row.counts.length}, got ${from}..${to}`);
  const rng = makeRng(seed, `azure:${row.func}`);
  const out: number[] = [];
  for (let m = from; m <= to; m++) {
    const base = 60 * (m - from);
    const start = out.length;
    for (let k = 0; k < row.counts[m - 1]; k++) out.push(base + 60 * rng());
    // sort this minute's arrivals (minutes are already in order)
    const minute = out.slice(start).sort((a, b) => a - b);
    for (let k = 0; k < minute.length; k++) out[start + k] = minute[k];
  }
  return out;
}
