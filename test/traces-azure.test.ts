import test from 'ava';
import { join } from 'node:path';
import { azureArrivals, parseAzureInvocations, readAzureInvocationsFile } from '../traces/azure.js';
import { TraceError } from '../traces/wfformat.js';
import { AZURE_FIXTURE, FIXTURE_DIR } from '../traces/make-fixtures.js';

const rows = readAzureInvocationsFile(join(FIXTURE_DIR, AZURE_FIXTURE));

test('reads the fixture: 3 functions with 1440 per-minute counts', (t) => {
  t.deepEqual(rows.map((r) => [r.owner, r.app, r.func, r.trigger, r.counts.length]), [
    ['o1', 'a1', 'f-timer', 'timer', 1440],
    ['o1', 'a1', 'f-http', 'http', 1440],
    ['o2', 'a2', 'f-queue', 'queue', 1440],
  ]);
});

test('arrivals keep every minute\'s count inside that minute, sorted', (t) => {
  const http = rows[1];
  const a = azureArrivals(rows, 'f-http', 1);
  t.is(a.length, http.counts.reduce((s, c) => s + c, 0));
  for (let i = 1; i < a.length; i++) t.true(a[i] >= a[i - 1]);
  const perMinute = new Int32Array(1440);
  for (const x of a) perMinute[Math.floor(x / 60)]++;
  t.deepEqual([...perMinute], [...http.counts]);
  t.true(a.every((x) => x >= 0 && x < 3600), 'this function is only busy in the first hour');
});

test('arrivals are seeded: same seed same times, other seed other times; minute window', (t) => {
  t.deepEqual(azureArrivals(rows, 0, 5), azureArrivals(rows, 'f-timer', 5));
  t.notDeepEqual(azureArrivals(rows, 0, 5), azureArrivals(rows, 0, 6));
  const w = azureArrivals(rows, 'f-queue', 1, { fromMinute: 361, toMinute: 721 });
  t.is(w.length, 6); // minutes 361 and 721 (0-based 360 and 720) hold 3 each
  t.true(w.slice(0, 3).every((x) => x < 60) && w.slice(3).every((x) => x >= 21600 && x < 21660));
  t.throws(() => azureArrivals(rows, 'nope', 1), { message: /no function 'nope'/ });
});

test('bad CSV: errors name the file, line and column', (t) => {
  const header = ['HashOwner', 'HashApp', 'HashFunction', 'Trigger', '1', '2'].join(',');
  const e1 = t.throws(() => parseAzureInvocations(`${header}\no,a,f,http,1,x\n`, 'inv.csv'), { instanceOf: TraceError }) as TraceError;
  t.is(e1.file, 'inv.csv');
  t.regex(e1.message, /inv\.csv: line 2, column 6 \(minute 2\): expected a count \(integer >= 0\), got 'x'/);
  t.regex((t.throws(() => parseAzureInvocations(`${header}\no,a,f,http,1\n`, 'inv.csv')) as Error).message, /line 2: expected 6 columns, got 5/);
  t.regex((t.throws(() => parseAzureInvocations('Owner,App\n', 'inv.csv')) as Error).message, /line 1, column 1: expected 'HashOwner'/);
});
