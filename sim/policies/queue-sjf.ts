/**
 * Shortest job first, non-preemptive, on the predicted service time: the function's mean service
 * time from its distribution (what a platform learns from past runs [ASSUMPTION: the prediction is
 * the true mean; no prediction error is modelled]).
 */
import type { QueuePolicy } from './queue.js';

export const sjf: QueuePolicy = { name: 'sjf', compare: (a, b) => a.predictedS - b.predictedS };
