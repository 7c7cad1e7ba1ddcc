/**
 * Keep-alive policies: what happens to a container when it goes idle (container-pool.ts). A
 * policy sees every call's arrival at a function's pool and every time a container of it goes
 * idle, and answers how long the idle container is kept, or that it is unloaded now and a fresh
 * one pre-warmed later. Adding one is a new file with a `KeepAlivePolicy` factory and a line in
 * `KEEP_ALIVE_POLICIES` (policies/index.ts).
 */

export interface IdleDecision {
  /** Seconds the idle container is kept (0: removed at once). */
  keepS: number;
  /**
   * When > 0: the container is removed now and a fresh one is started `prewarmS` from now, then
   * kept idle for `keepS` (the pre-warming window of Shahrad et al.'s hybrid policy).
   */
  prewarmS: number;
}

export interface KeepAlivePolicy {
  readonly name: string;
  /** A call reached pool `pool` (a function on one node) at `now`; `idle` when no container of it was busy. */
  onArrival(pool: string, now: number, idle: boolean): void;
  /** A container of `pool` went idle at `now` (its pool has no queued call); `allIdle` when none of the pool's containers is busy now. */
  onIdle(pool: string, now: number, allIdle: boolean): IdleDecision;
}
