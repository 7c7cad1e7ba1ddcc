/**
 * Earliest deadline first: the call whose request must finish first goes first. A request's
 * deadline is its start plus its workflow's `deadline` (workflow YAML or `--deadline`); calls of
 * workflows without one go after every call that has one. Deadline misses are reported per
 * workflow (sim's `deadline misses`).
 */
import type { QueuePolicy } from './queue.js';

export const edf: QueuePolicy = {
  name: 'edf',
  compare: (a, b) => (a.deadline === b.deadline ? 0 : a.deadline < b.deadline ? -1 : 1),
};
