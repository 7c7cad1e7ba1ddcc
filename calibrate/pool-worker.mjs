// Worker entry of calibrate/pool.ts: Node 20 ignores `--import tsx` in a worker's execArgv, so
// register tsx's ESM loader here, then load the TypeScript side.
import { register } from 'tsx/esm/api';

register();
await import(new URL('./pool-worker-impl.ts', import.meta.url).href);
