import test from 'ava';
import { buildScenario } from '../loader/build.js';
import { runScenario } from '../sim/run.js';

// FaaSFlow's engines trigger a function once, however many instances it has (mastersp.py /
// workersp.py run_foreach spawns them all). wordcount is start -> count x 8 -> merge.
test('hyperflow: one node_select and one POST per function, not per instance (wordcount: 50 messages per request)', (t) => {
  const s = buildScenario({ workflows: ['wordcount'], mode: 'hyperflow', calibration: 'none', clients: 1, maxRequests: 1, warmupRequests: 0 });
  const r = runScenario(s);
  t.is(r.completed, 1);
  // gateway -> master 1; per function (3): /info to 7 workers and 7 replies, the POST, its reply = 16;
  // master -> gateway 1
  t.is(r.controlMessages, 1 + 3 * 16 + 1);
});

test('faasflow: a foreach function is triggered by one call and runs all its instances; its successor by one call', (t) => {
  const s = buildScenario({ workflows: ['wordcount'], mode: 'faasflow', calibration: 'none', clients: 1, maxRequests: 1, warmupRequests: 0, trace: true });
  const r = runScenario(s);
  t.is(r.completed, 1);
  // at most: gateway -> start, start -> count, count -> merge, merge -> gateway
  t.true(r.controlMessages <= 4, `${r.controlMessages} messages`);
  const counts = r.instances!.filter((x) => x.fn === 'count');
  t.is(counts.length, 8);
  // all 8 instances become ready at the same moment (one trigger)
  t.is(new Set(counts.map((x) => x.ready)).size, 1);
});
