/** Least loaded: the worker with the fewest containers serving or starting when the function is ready. */
import { leastBusy, type PlacementPolicy } from './placement.js';

export const leastLoadedPlacement: PlacementPolicy = { name: 'least-loaded', choose: (_req, _f, s) => leastBusy(s) };
