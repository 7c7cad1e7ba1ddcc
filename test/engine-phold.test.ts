import test from 'ava';
import { PHOLD_DEFAULTS, pholdBare, pholdEngine } from '../bench/phold.js';

// The benchmark's fairness rests on both implementations running the same model in the same
// order: same clock and same checksum of destinations after the same number of events. This also
// checks the engine's (time, sequence) order against an independent heap on ~10^5 events.
for (const [lps, perLp] of [
  [64, 1],
  [256, 8],
] as const) {
  test(`PHOLD ${lps}x${perLp}: engine and bare heap loop reach the same state`, (t) => {
    const cfg = { lps, eventsPerLp: perLp, ...PHOLD_DEFAULTS };
    const events = 50_000;
    const a = pholdEngine(cfg, events);
    const b = pholdBare(cfg, events);
    t.is(a.events, events);
    t.is(a.finalTime, b.finalTime);
    t.is(a.checksum, b.checksum);
    // PHOLD's clock advances by about (lookahead + mean) / (events per LP) per LP-event
    const expected = (events / (lps * perLp)) * (PHOLD_DEFAULTS.lookahead + PHOLD_DEFAULTS.mean);
    t.true(Math.abs(a.finalTime - expected) / expected < 0.1, `final time ${a.finalTime}, expected about ${expected}`);
  });
}

test('PHOLD: a different seed gives a different run', (t) => {
  const cfg = { lps: 64, eventsPerLp: 1, ...PHOLD_DEFAULTS };
  const a = pholdEngine(cfg, 10_000);
  const b = pholdEngine({ ...cfg, seed: 2 }, 10_000);
  t.not(a.checksum, b.checksum);
});
