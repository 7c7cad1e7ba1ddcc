/**
 * Fixed keep-alive window: an idle container is removed `keepAliveS` after its last use (both
 * systems: 600 s, reference 1.B and 2.B; their 5 s cleaning period is not modelled). The default.
 */
import type { KeepAlivePolicy } from './keep-alive.js';

export function fixedKeepAlive(keepAliveS: number): KeepAlivePolicy {
  const decision = Object.freeze({ keepS: keepAliveS, prewarmS: 0 });
  return { name: 'fixed', onArrival: () => {}, onIdle: () => decision };
}
