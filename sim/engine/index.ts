export { EventQueue } from './queue.js';
export { Simulator, type Handler } from './simulator.js';
export { RandomStreams, makeRng, type Rng } from './random.js';
export * from './distributions.js';
