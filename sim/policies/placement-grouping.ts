/** FaaSFlow's critical-path grouping (modes/faasflow-grouping.ts): each group on one worker. */
import { groupWorkflow } from '../modes/faasflow-grouping.js';
import type { PlacementPolicy } from './placement.js';

export const groupingPlacement: PlacementPolicy = { name: 'grouping', prepare: (cw, n, p) => Array.from(groupWorkflow(cw, n, p.faasflow).nodeOf, (k) => [k]) };
