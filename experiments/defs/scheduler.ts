/**
 * scheduler: queue policies on a co-located workload at rising load.
 *
 * FaaSFlow's four applications (video, illegal-recognizer, file-processing, wordcount) run open
 * loop together on a small shared cluster (shared-3w: 3 workers whose memory holds 12 containers
 * each), in hyperflow mode, so that calls of different workflows wait for the same memory and the
 * queue policy decides who goes first.
 *
 * [ASSUMPTION] The references define no such experiment; everything below is flowsim's own:
 * - base rates (load x1): video 2, illegal-recognizer 2, file-processing 2, wordcount 6 rpm; the
 *   load axis multiplies them;
 * - deadlines: twice each workflow's solo e2e mean in hyperflow mode on faasflow-7w (6.4, 5.7, 7.8
 *   and 1.16 s): 13, 11.5, 16 and 2.4 s;
 * - priorities (priority policy): the shorter the workflow the higher: wordcount 3,
 *   illegal-recognizer 2, video 1, file-processing 0.
 */
import type { ExperimentDef } from '../types.js';

export const SCHEDULER_WORKFLOWS = ['video', 'illegal-recognizer', 'file-processing', 'wordcount'] as const;
const BASE_RPM: Record<string, number> = { video: 2, 'illegal-recognizer': 2, 'file-processing': 2, wordcount: 6 };
export const DEADLINES: Record<string, number> = { video: 13, 'illegal-recognizer': 11.5, 'file-processing': 16, wordcount: 2.4 };
const PRIORITIES: Record<string, number> = { wordcount: 3, 'illegal-recognizer': 2, video: 1, 'file-processing': 0 };
const QUEUES = ['fifo', 'priority', 'sjf', 'edf'];

const def: ExperimentDef = {
  name: 'scheduler',
  description: 'queue policies (fifo, priority, sjf, edf) on four co-located workflows at rising load: mean and p99 latency, deadline misses, cost',
  source: "flowsim's own (no reference experiment); policies in sim/policies/, deadlines and rates are [ASSUMPTION]s in experiments/defs/scheduler.ts",
  axes: [
    { name: 'load', describe: 'rate multiplier over the base rates (comma list)', values: [4, 8, 12, 16], quick: [8, 16], cli: { type: 'number', exclusiveMin: 0, max: 100 } },
    { name: 'queue', describe: `queue policies (${QUEUES.join(', ')})`, values: QUEUES, quick: ['fifo', 'edf'], cli: { type: 'string', choices: QUEUES } },
  ],
  seeds: 2,
  metrics: [
    { name: 'e2e.mean', label: 'e2e mean', unit: 's' },
    { name: 'e2e.p99', label: 'e2e p99', unit: 's' },
    { name: 'deadlineMissRate', label: 'deadline misses', unit: 'fraction' },
    { name: 'cost.usdPerRequest', label: 'cost per request', unit: 'USD' },
    { name: 'cost.gbSecondsPerRequest', label: 'GB-s per request', unit: 'GB-s' },
    { name: 'e2e.count', label: 'measured requests' },
    { name: 'timeouts', label: 'timeouts' },
  ],
  scenario(p, ctx) {
    const load = Number(p.load);
    return {
      workflows: [...SCHEDULER_WORKFLOWS],
      mode: 'hyperflow',
      cluster: 'shared-3w',
      rpms: SCHEDULER_WORKFLOWS.map((w) => BASE_RPM[w] * load),
      queue: String(p.queue),
      deadlines: { ...DEADLINES },
      priorities: { ...PRIORITIES },
      durationS: ctx.quick ? 90 : 300,
      warmupS: 30,
      warmupRequests: 0,
    };
  },
  plots: [
    { name: 'scheduler-misses', title: 'Deadline misses per queue policy at rising load', mark: 'line', x: 'load', y: 'deadlineMissRate', color: 'queue', shape: 'queue', column: 'workflow', xTitle: 'load (x base rates)', yTitle: 'deadline misses (fraction of requests)' },
    { name: 'scheduler-p99', title: 'p99 latency per queue policy at rising load', mark: 'line', x: 'load', y: 'e2e.p99', color: 'queue', shape: 'queue', column: 'workflow', xTitle: 'load (x base rates)', yTitle: 'p99 latency (s)', logY: true },
    { name: 'scheduler-mean', title: 'Mean latency per queue policy at rising load', mark: 'line', x: 'load', y: 'e2e.mean', color: 'queue', shape: 'queue', column: 'workflow', xTitle: 'load (x base rates)', yTitle: 'e2e mean (s)', logY: true },
  ],
  headline: [
    { title: 'deadline misses (fraction of requests)', metric: 'deadlineMissRate', col: 'queue', rows: ['load', 'workflow'] },
    { title: 'e2e p99 (s)', metric: 'e2e.p99', col: 'queue', rows: ['load', 'workflow'] },
  ],
};
export default def;
