import test from 'ava';
import { loadWorkflow } from '../loader/load.js';
import { compileWorkflow } from '../sim/models/workflow.js';
import { groupWorkflow } from '../sim/modes/faasflow-grouping.js';
import { DEFAULT_PARAMS } from '../sim/params.js';

const p = DEFAULT_PARAMS.faasflow;

test('grouping respects the group limit, node slots and places each group on one worker', (t) => {
  for (const name of ['genome', 'epigenomics', 'soykb', 'cycles', 'video', 'wordcount']) {
    const cw = compileWorkflow(loadWorkflow(name));
    const g = groupWorkflow(cw, 7, p);
    const size = new Map<number, number>();
    const slots = new Map<number, number>();
    for (let f = 0; f < cw.functions.length; f++) {
      size.set(g.groupOf[f], (size.get(g.groupOf[f]) ?? 0) + 1);
      // all members of a group on the same worker
      for (let h = 0; h < f; h++) if (g.groupOf[h] === g.groupOf[f]) t.is(g.nodeOf[h], g.nodeOf[f]);
    }
    for (const s of size.values()) t.true(s <= p.groupLimit);
    t.is(size.size, g.groups, name);
    t.true(g.merges > 0, `${name}: the critical path should allow merges`);
    // slots of merged groups never exceed a node's usable capacity
    for (let f = 0; f < cw.functions.length; f++) if (size.get(g.groupOf[f])! > 1) slots.set(g.nodeOf[f], (slots.get(g.nodeOf[f]) ?? 0) + (cw.functions[f].scale ?? 3));
    for (const s of slots.values()) t.true(s <= p.scaleLimit * p.usableFraction, `${name}: ${s} slots`);
  }
});

test('a tight memory budget stops the merge of a heavy edge', (t) => {
  const cw = compileWorkflow({
    name: 'heavy',
    functions: ['a', 'b'].map((name) => ({ name, kind: 'function', serviceTime: { kind: 'constant', value: 1 }, cpu: 1, memoryBytes: 1, maxContainers: 1, instances: 1, inputBytes: 0, userOutputBytes: 0, memUsage: 0.25 })),
    edges: [{ from: 'a', to: 'b', kind: 'normal', bytes: 200e6 }],
  });
  t.is(groupWorkflow(cw, 2, p).groups, 1, '200 MB fits 2 x 140.8 MB of budget');
  const cw2 = compileWorkflow({ ...cw.spec, edges: [{ from: 'a', to: 'b', kind: 'normal', bytes: 400e6 }] });
  t.is(groupWorkflow(cw2, 2, p).groups, 2, '400 MB does not');
});
