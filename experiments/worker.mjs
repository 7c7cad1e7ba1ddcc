// Worker entry: Node 20 ignores `--import tsx` in a worker's execArgv, so register tsx's ESM
// loader here, then load the TypeScript worker (see shared/reference/toolchain.md).
import { register } from 'tsx/esm/api';

register();
await import(new URL('./worker-impl.ts', import.meta.url).href);
