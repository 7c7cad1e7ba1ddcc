/** First in, first out: both systems' dispatchers (reference 1.B "FIFO per function"). The default. */
import type { QueuePolicy } from './queue.js';

export const fifo: QueuePolicy = { name: 'fifo', compare: () => 0 };
