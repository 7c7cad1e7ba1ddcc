/**
 * Queue policies: the order in which calls waiting for a container are served, within a
 * function's pool on a node and, when a node is short of memory, across the pools waiting on it
 * (container-pool.ts). A policy is one comparison; ties go to the earlier arrival. Adding one is a
 * new file with a `QueuePolicy` and a line in `QUEUE_POLICIES` (policies/index.ts).
 *
 * Left out: the order of work on CPU cores, which is processor sharing (node.ts), not a queue.
 */

/** What a policy may know about a waiting call. */
export interface WaitingCall {
  /** Arrival order at the pool (ties). */
  seq: number;
  /** When the call reached the pool's dispatcher. */
  arrival: number;
  /** The request's start, its workflow (app index) and the function. */
  requestStart: number;
  app: number;
  f: number;
  /** The function's mean service time (shortest-job-first). */
  predictedS: number;
  /** Higher is served first (priority policy). */
  priority: number;
  /** Absolute deadline of the request (earliest-deadline-first); Infinity when none. */
  deadline: number;
}

export interface QueuePolicy {
  readonly name: string;
  /** < 0 when `a` goes before `b`; 0 keeps arrival order. */
  compare(a: WaitingCall, b: WaitingCall): number;
}
