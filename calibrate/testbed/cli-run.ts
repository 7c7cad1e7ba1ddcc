/**
 * How the testbed commands (`npm run calibrate`, `npm run validate`) end: exit 2 with one line for
 * a usage error, a bad config or a testbed that cannot run here; exit 1 with one line for a failure
 * during the run (`--verbose` adds the stack); on SIGINT/SIGTERM the testbed's own handler removes
 * everything and exits 130/143, and requests failing meanwhile must not end the process first
 * with a misleading message.
 */
import { ConfigError } from '../../loader/load.js';
import { TestbedUnavailableError } from './types.js';

export function runTestbedCli(name: string, main: () => Promise<void>, isUsageError: (e: unknown) => boolean): void {
  let interrupted = false;
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.prependListener(sig, () => {
      interrupted = true;
      // no testbed handler yet (or any more): behave like the default action
      if (process.listenerCount(sig) === 1) process.exit(sig === 'SIGINT' ? 130 : 143);
    });
  }
  main().catch((e: unknown) => {
    if (interrupted) return;
    const err = e as Error;
    if (isUsageError(err) || err instanceof TestbedUnavailableError || err?.name === 'YError') {
      process.stderr.write(`${name}: ${err.message}\n`);
      process.exit(2);
    }
    if (err instanceof ConfigError) {
      process.stderr.write(`${name}: ${err.format()}\n`);
      process.exit(2);
    }
    process.stderr.write(`${name}: failed: ${err?.message ?? String(e)}\n`);
    if (process.argv.includes('--verbose')) process.stderr.write(`${err?.stack}\n`);
    process.exit(1);
  });
}
