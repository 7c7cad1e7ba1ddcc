/** Random: a worker drawn uniformly for each function of each request, from its own seeded stream ('placement'). */
import type { PlacementPolicy } from './placement.js';

export const randomPlacement: PlacementPolicy = { name: 'random', choose: (_req, _f, s) => s.workers[Math.min(s.workers.length - 1, Math.floor(s.rng() * s.workers.length))] };
