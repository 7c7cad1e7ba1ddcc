/**
 * Static priority: the call with the higher priority first, arrival order among equals. A
 * workflow's `priority` (workflow YAML), overridden per function (`priority` on the function).
 */
import type { QueuePolicy } from './queue.js';

export const priority: QueuePolicy = { name: 'priority', compare: (a, b) => b.priority - a.priority };
