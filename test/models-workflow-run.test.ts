/** One request's walk through a DAG (sim/models/workflow-run.ts): triggering, foreach, merge, switches, errors. */
import test from 'ava';
import { compileWorkflow, type EdgeSpec, type FunctionSpec, type WorkflowSpec } from '../sim/models/workflow.js';
import { WorkflowRun } from '../sim/models/workflow-run.js';

const fn = (name: string, o: Partial<FunctionSpec> = {}): FunctionSpec => ({ name, kind: 'function', serviceTime: { kind: 'constant', value: 1 }, cpu: 0, memoryBytes: 1, maxContainers: 1, instances: 1, inputBytes: 0, userOutputBytes: 0, ...o });
const wf = (functions: FunctionSpec[], edges: EdgeSpec[]): WorkflowSpec => ({ name: 'w', functions, edges });

/** Runs the DAG to the end: every ready instance finishes at once and delivers along its out edges. */
function walk(spec: WorkflowSpec, u = 0.5) {
  const cw = compileWorkflow(spec);
  const run = new WorkflowRun(cw, () => u);
  const order: string[] = [];
  const dead: string[] = [];
  let allDone = 0;
  run.onDead = (f, i) => dead.push(`${cw.functions[f].name}#${i}`);
  run.onAllDone = () => allDone++;
  const queue: Array<[number, number]> = [];
  run.onReady = (f, i) => queue.push([f, i]);
  run.start();
  while (queue.length) {
    const [f, i] = queue.shift()!;
    order.push(`${cw.functions[f].name}#${i}`);
    run.finish(f, i);
    const chosen = run.chooseSwitch(f);
    for (const e of cw.outEdges[f]) {
      const edge = cw.edges[e];
      if (edge.kind === 'switch' && e !== chosen) continue;
      const to = cw.index.get(edge.to)!;
      if (edge.kind === 'foreach') for (let k = 0; k < cw.functions[to].instances; k++) run.deliver(e, k);
      else run.deliver(e, edge.kind === 'merge' ? i : 0);
    }
  }
  return { order, dead, allDone, run };
}

test('foreach fans out one instance per item; merge waits for every instance', (t) => {
  const r = walk(wf([fn('a'), fn('b', { instances: 3 }), fn('c')], [{ from: 'a', to: 'b', kind: 'foreach', bytes: 1 }, { from: 'b', to: 'c', kind: 'merge', bytes: 1 }]));
  t.deepEqual(r.order, ['a#0', 'b#0', 'b#1', 'b#2', 'c#0']);
  t.is(r.allDone, 1);
  t.true(r.run.done);
});

test('a function with two parents starts once both have delivered; a data edge is waited for too', (t) => {
  const r = walk(wf([fn('a'), fn('b'), fn('c'), fn('d')], [
    { from: 'a', to: 'b', kind: 'normal', bytes: 1 },
    { from: 'a', to: 'c', kind: 'normal', bytes: 1 },
    { from: 'b', to: 'd', kind: 'normal', bytes: 1 },
    { from: 'c', to: 'd', kind: 'data', bytes: 1 },
  ]));
  t.deepEqual(r.order, ['a#0', 'b#0', 'c#0', 'd#0']);
});

test('a switch takes one branch by probability; the other branch dies and so does what only it feeds', (t) => {
  const spec = wf([fn('s', { kind: 'switch' }), fn('x'), fn('y'), fn('after-y')], [
    { from: 's', to: 'x', kind: 'switch', bytes: 0, probability: 0.3 },
    { from: 's', to: 'y', kind: 'switch', bytes: 0, probability: 0.7 },
    { from: 'y', to: 'after-y', kind: 'normal', bytes: 1 },
  ]);
  // u = 0.1 < 0.3: x; u = 0.5: y
  const low = walk(spec, 0.1);
  t.deepEqual(low.order, ['s#0', 'x#0']);
  t.deepEqual(low.dead, ['y#0', 'after-y#0']);
  t.is(low.allDone, 1);
  t.deepEqual(walk(spec, 0.5).order, ['s#0', 'y#0', 'after-y#0']);
});

test('an instance that finishes twice is an error', (t) => {
  const cw = compileWorkflow(wf([fn('a')], []));
  const run = new WorkflowRun(cw, () => 0.5);
  run.start();
  run.finish(0, 0);
  t.throws(() => run.finish(0, 0), { message: /finished twice/ });
});
