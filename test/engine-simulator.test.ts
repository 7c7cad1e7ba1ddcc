import test from 'ava';
import { EventQueue, Simulator, makeRng } from '../sim/engine/index.js';

/** A simulator with one recording handler: each event appends [now, payload] to `log`. */
function recorder(capacity?: number) {
  const sim = new Simulator(capacity);
  const log: Array<[number, number]> = [];
  const h = sim.register((p) => {
    log.push([sim.now, p]);
  });
  return { sim, log, h };
}

test('events run in time order whatever the schedule order', (t) => {
  const { sim, log, h } = recorder();
  for (const [d, p] of [
    [5, 5],
    [1, 1],
    [3, 3],
    [0.5, 0],
    [4, 4],
    [2, 2],
  ]) {
    sim.schedule(d, h, p);
  }
  t.is(sim.pending, 6);
  t.is(sim.run(), 6);
  t.deepEqual(
    log.map(([, p]) => p),
    [0, 1, 2, 3, 4, 5],
  );
  t.deepEqual(
    log.map(([now]) => now),
    [0.5, 1, 2, 3, 4, 5],
  );
  t.is(sim.now, 5);
  t.is(sim.events, 6);
  t.is(sim.pending, 0);
});

test('equal-time events run in schedule order, including ones scheduled while running', (t) => {
  const { sim, log, h } = recorder();
  const spawner = sim.register((p) => {
    // scheduled at the current time: must run after everything already queued for this time
    sim.schedule(0, h, 100 + p);
  });
  for (let i = 0; i < 50; i++) sim.schedule(1, i === 10 ? spawner : h, i);
  sim.schedule(0, h, -1);
  sim.run();
  const order = log.map(([, p]) => p);
  const expected = [-1, ...Array.from({ length: 50 }, (_, i) => i).filter((i) => i !== 10), 110];
  t.deepEqual(order, expected);
});

test('cancel removes a pending event; double cancel and cancel after run return false', (t) => {
  const { sim, log, h } = recorder();
  const a = sim.schedule(1, h, 1);
  const b = sim.schedule(2, h, 2);
  const c = sim.schedule(3, h, 3);
  t.is(sim.pending, 3);
  t.true(sim.cancel(b));
  t.is(sim.pending, 2);
  t.false(sim.cancel(b), 'second cancel of the same handle');
  sim.run();
  t.deepEqual(
    log.map(([, p]) => p),
    [1, 3],
  );
  t.false(sim.cancel(a), 'cancel after the event ran');
  t.false(sim.cancel(c));
  t.is(sim.events, 2, 'cancelled events are not counted');
});

test('a stale handle does not cancel the event that reused its slot', (t) => {
  const { sim, log, h } = recorder();
  const old = sim.schedule(1, h, 1);
  sim.run();
  // the freed slot is reused by the next schedule
  const fresh = sim.schedule(1, h, 2);
  t.not(fresh, old);
  t.false(sim.cancel(old), 'stale handle of an event that ran');
  const cancelled = sim.schedule(1, h, 3);
  t.true(sim.cancel(cancelled));
  sim.run(); // discards the cancelled entry, frees its slot
  const reused = sim.schedule(1, h, 4);
  t.false(sim.cancel(cancelled), 'stale handle of a cancelled event');
  sim.run();
  t.deepEqual(
    log.map(([, p]) => p),
    [1, 2, 4],
  );
  t.false(sim.cancel(reused));
});

test('cancel of garbage handles returns false and changes nothing', (t) => {
  const { sim, log, h } = recorder();
  sim.schedule(1, h, 1);
  for (const bad of [-1, 0.5, NaN, Infinity, 12345, 2 ** 40]) t.false(sim.cancel(bad), String(bad));
  t.is(sim.pending, 1);
  sim.run();
  t.is(log.length, 1);
});

test('cancel inside a handler prevents a later event at the same time', (t) => {
  const { sim, log, h } = recorder();
  let victim = -1;
  const killer = sim.register(() => {
    t.true(sim.cancel(victim));
  });
  sim.schedule(1, killer);
  victim = sim.schedule(1, h, 7);
  sim.schedule(1, h, 8);
  sim.run();
  t.deepEqual(
    log.map(([, p]) => p),
    [8],
  );
});

test('run(until) runs events at or before until and leaves the clock at until', (t) => {
  const { sim, log, h } = recorder();
  sim.schedule(1, h, 1);
  sim.schedule(2, h, 2);
  sim.schedule(3, h, 3);
  t.is(sim.run(2), 2, 'the event at exactly `until` runs');
  t.is(sim.now, 2);
  t.is(sim.run(2.5), 0);
  t.is(sim.now, 2.5, 'clock advances to until even without events');
  sim.schedule(0.25, h, 4); // at 2.75
  t.is(sim.run(10), 2);
  t.is(sim.now, 10);
  t.deepEqual(
    log.map(([now, p]) => [now, p]),
    [
      [1, 1],
      [2, 2],
      [2.75, 4],
      [3, 3],
    ],
  );
  t.is(sim.run(), 0, 'empty queue');
  t.is(sim.now, 10, 'run() on an empty queue leaves the clock alone');
});

test('run(until) skips cancelled events at the head without moving the clock past them', (t) => {
  const { sim, log, h } = recorder();
  const x = sim.schedule(1, h, 1);
  sim.schedule(5, h, 5);
  sim.cancel(x);
  t.is(sim.run(3), 0);
  t.is(sim.now, 3);
  t.is(sim.pending, 1);
  sim.run();
  t.deepEqual(log, [[5, 5]]);
});

test('stop() ends run after the current event; run resumes where it stopped', (t) => {
  const { sim, log } = recorder();
  const h = sim.register((p) => {
    log.push([sim.now, p]);
    if (p === 2) sim.stop();
  });
  for (let i = 1; i <= 4; i++) sim.schedule(i, h, i);
  t.is(sim.run(100), 2);
  t.is(sim.now, 2, 'a stopped run(until) does not advance the clock to until');
  t.is(sim.pending, 2);
  t.is(sim.run(), 2);
  t.deepEqual(
    log.map(([, p]) => p),
    [1, 2, 3, 4],
  );
});

test('scheduling in the past throws, also for NaN', (t) => {
  const { sim, h } = recorder();
  sim.schedule(2, h);
  sim.run();
  t.throws(() => sim.schedule(-0.1, h), { instanceOf: RangeError, message: /time never goes back/ });
  t.throws(() => sim.scheduleAt(1.5, h), { instanceOf: RangeError });
  t.throws(() => sim.schedule(NaN, h), { instanceOf: RangeError });
  t.notThrows(() => sim.scheduleAt(2, h), 'the current time is allowed');
});

test('call() runs closures in order, and a cancelled closure never runs', (t) => {
  const sim = new Simulator();
  const seen: string[] = [];
  sim.call(2, () => seen.push(`b@${sim.now}`));
  const c = sim.call(1.5, () => seen.push('cancelled'));
  sim.call(1, () => {
    seen.push(`a@${sim.now}`);
    sim.call(0, () => seen.push(`a2@${sim.now}`));
  });
  t.true(sim.cancel(c));
  t.false(sim.cancel(c));
  sim.run();
  t.deepEqual(seen, ['a@1', 'a2@1', 'b@2']);
  // closures and handlers interleave in schedule order at equal times
  const h = sim.register((p) => seen.push(`h${p}`));
  sim.schedule(1, h, 1);
  sim.call(1, () => seen.push('c'));
  sim.schedule(1, h, 2);
  sim.run();
  t.deepEqual(seen.slice(3), ['h1', 'c', 'h2']);
});

test('the queue grows beyond its initial capacity and keeps order', (t) => {
  const { sim, log, h } = recorder(16);
  const rng = makeRng(7, 'grow');
  const n = 5000;
  const handles: number[] = [];
  for (let i = 0; i < n; i++) handles.push(sim.schedule(rng() * 100, h, i));
  // cancel every third one, some before growth has finished being exercised by the run
  let cancelled = 0;
  for (let i = 0; i < n; i += 3) {
    t.true(sim.cancel(handles[i]));
    cancelled++;
  }
  t.is(sim.pending, n - cancelled);
  sim.run();
  t.is(log.length, n - cancelled);
  for (let i = 1; i < log.length; i++) t.true(log[i][0] >= log[i - 1][0]);
  t.false(
    log.some(([, p]) => p % 3 === 0),
    'no cancelled event ran',
  );
});

test('time never goes back over a random workload with cancels (property, seeded)', (t) => {
  for (const seed of [1, 2, 3]) {
    const rng = makeRng(seed, 'property');
    const sim = new Simulator(8);
    const live = new Map<number, number>(); // handle -> due time
    const ran: number[] = [];
    let last = 0;
    let violations = 0;
    let ranCancelled = 0;
    let wrongCancel = 0;
    const cancelledSet = new Set<number>();
    const h = sim.register((id) => {
      if (sim.now < last) violations++;
      if (cancelledSet.has(id)) ranCancelled++;
      last = sim.now;
      ran.push(id);
      // each event spawns 0-2 events, sometimes at the current time, and cancels a random pending one
      const k = rng() < 0.45 ? 2 : 1;
      for (let j = 0; j < k && nextId < 20000; j++) {
        const delay = rng() < 0.2 ? 0 : rng() * 10;
        const id2 = nextId++;
        handleOf.set(id2, sim.schedule(delay, h, id2));
        live.set(id2, sim.now + delay);
      }
      live.delete(id);
      if (rng() < 0.3) {
        // any id ever scheduled: cancel must succeed exactly when that event is still pending
        const v = Math.floor(rng() * nextId);
        const pendingBefore = live.has(v);
        const ok = sim.cancel(handleOf.get(v)!);
        if (ok !== pendingBefore) wrongCancel++;
        if (ok) {
          cancelledSet.add(v);
          live.delete(v);
        }
      }
    });
    const handleOf = new Map<number, number>();
    let nextId = 0;
    for (let i = 0; i < 200; i++) {
      const id = nextId++;
      const d = rng() * 10;
      handleOf.set(id, sim.schedule(d, h, id));
      live.set(id, d);
    }
    sim.run();
    t.is(violations, 0, `seed ${seed}: the clock went back`);
    t.is(ranCancelled, 0, `seed ${seed}: a cancelled event ran`);
    t.is(wrongCancel, 0, `seed ${seed}: cancel() disagreed with whether the event was pending`);
    t.true(cancelledSet.size > 100, `seed ${seed}: cancels were exercised (${cancelledSet.size})`);
    t.is(live.size, 0, `seed ${seed}: every live event ran`);
    t.is(sim.events, ran.length);
    t.true(ran.length > 1000, `seed ${seed}: the workload is not trivial (${ran.length} events)`);
  }
});

test('mass cancellation compacts the queue and keeps the survivors in order', (t) => {
  const q = new EventQueue(16);
  const n = 20000;
  const handles: number[] = [];
  for (let i = 0; i < n; i++) handles.push(q.push((i * 7919) % n, 0, i));
  // cancel all but every 10th: far more dead than live entries, which triggers compaction
  for (let i = 0; i < n; i++) if (i % 10 !== 0) t.true(q.cancel(handles[i]));
  t.is(q.length, n / 10);
  let prev = -Infinity;
  let count = 0;
  while (q.pop()) {
    t.true(q.poppedTime >= prev);
    t.is(q.poppedPayload % 10, 0);
    prev = q.poppedTime;
    count++;
  }
  t.is(count, n / 10);
  // handles of events discarded by compaction are stale now
  t.false(q.cancel(handles[1]));
});

test('EventQueue.pop(until) removes nothing past until; peekTime skips cancelled heads', (t) => {
  const q = new EventQueue();
  const a = q.push(1, 3, 10);
  q.push(2, 4, 20);
  t.is(q.peekTime(), 1);
  t.true(q.cancel(a));
  t.is(q.poppedHandler, 3, 'cancel reports the handler it removed');
  t.is(q.poppedPayload, 10);
  t.is(q.peekTime(), 2);
  t.false(q.pop(1.5));
  t.is(q.length, 1);
  t.true(q.pop(2));
  t.deepEqual([q.poppedTime, q.poppedHandler, q.poppedPayload], [2, 4, 20]);
  t.false(q.pop());
  t.is(q.peekTime(), Infinity);
});
