/** No keep-alive: a container is removed as soon as it goes idle; every call that finds no busy container to reuse starts cold. */
import type { KeepAlivePolicy } from './keep-alive.js';

export function noKeepAlive(): KeepAlivePolicy {
  return { name: 'none', onArrival: () => {}, onIdle: () => ({ keepS: 0, prewarmS: 0 }) };
}
