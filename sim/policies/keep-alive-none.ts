/** No keep-alive: a container is removed as soon as it goes idle; every call that finds no busy container to reuse starts cold. */
import type { KeepAlivePolicy } from './keep-alive.js';

export function noKeepAlive(): KeepAlivePolicy {
  const decision = Object.freeze({ keepS: 0, prewarmS: 0 });
  return { name: 'none', onArrival: () => {}, onIdle: () => decision };
}
