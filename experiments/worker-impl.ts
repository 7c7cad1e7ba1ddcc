/** Worker-thread side of the runner: evaluates the tasks it is sent, one at a time. */
import { parentPort } from 'node:worker_threads';
import { evaluateTask, type Task } from './evaluate.js';

if (!parentPort) throw new Error('experiments/worker-impl.ts must run in a worker thread');
const port = parentPort;
port.on('message', (t: Task) => {
  evaluateTask(t).then(
    (record) => port.postMessage({ ok: true, record }),
    (err: unknown) =>
      port.postMessage({ ok: false, error: err instanceof Error ? err.message : String(err), stack: err instanceof Error ? err.stack : undefined }),
  );
});
