/**
 * `npm run serve [-- options]`: the experiment service and its dashboard (docs/service.md).
 * Listens on 127.0.0.1:8642 by default. Any other (non-loopback) host needs a token.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { REPO_ROOT, buildService, isLoopback } from './server.js';

export interface ServeOptions {
  host: string;
  port: number;
  results: string;
  db: string;
  token?: string;
  parallel: number;
}

/** Parses the command line; throws an Error with the message to print (exit 2). */
export async function parseServeArgs(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<ServeOptions | null> {
  let helped = false;
  const argv = await yargs(args)
    .scriptName('npm run serve --')
    .usage('$0 [options]\n\nThe flowsim experiment service: a REST API (see /api/openapi.json) and a dashboard at / that start experiments, follow them live and show their results.')
    .option('host', { type: 'string', default: '127.0.0.1', describe: 'address to listen on; a non-loopback one needs --token' })
    .option('port', { type: 'number', default: 8642, describe: 'TCP port (0: any free port)' })
    .option('results', { type: 'string', default: path.join(REPO_ROOT, 'results'), defaultDescription: 'results/', describe: 'results root (runs go to <results>/<experiment>/<run-id>/)' })
    .option('db', { type: 'string', describe: 'SQLite database of the runs', defaultDescription: '<results>/.service/flowsim.db' })
    .option('token', { type: 'string', describe: 'require this token on every request (Authorization: Bearer <token> or ?token=); default: env FLOWSIM_TOKEN' })
    .option('parallel', { type: 'number', default: 1, describe: 'experiments run at the same time (others wait, queued)' })
    .strict()
    .help()
    .alias('help', 'h')
    .version(false)
    .exitProcess(false)
    .fail((msg, err) => {
      throw err ?? new Error(`${msg} (see: npm run serve -- --help)`);
    })
    .epilog('Security: on 127.0.0.1 / ::1 no token is needed unless one is given. Docs: docs/service.md')
    .middleware((a) => {
      if (a.help) helped = true;
    }, true)
    .parseAsync();
  if (helped || argv.help) return null;
  const port = argv.port;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be an integer 0..65535, got ${String(port)}`);
  if (!Number.isInteger(argv.parallel) || argv.parallel < 1 || argv.parallel > 64) throw new Error(`--parallel must be an integer 1..64, got ${String(argv.parallel)}`);
  const token = argv.token ?? (env.FLOWSIM_TOKEN || undefined);
  if (token !== undefined && token.length < 8) throw new Error('the token must have at least 8 characters');
  if (!isLoopback(argv.host) && !token)
    throw new Error(`refusing to listen on ${argv.host} without a token: anyone who can reach it could start processes on this machine. Give --token <secret> (or env FLOWSIM_TOKEN), or listen on 127.0.0.1`);
  const results = path.resolve(argv.results);
  return { host: argv.host, port, results, db: path.resolve(argv.db ?? path.join(results, '.service', 'flowsim.db')), ...(token ? { token } : {}), parallel: argv.parallel };
}

export async function serve(args: string[]): Promise<number> {
  let o: ServeOptions | null;
  try {
    o = await parseServeArgs(args);
  } catch (e) {
    process.stderr.write(`error: ${(e as Error).message}\n`);
    return 2;
  }
  if (!o) return 0;
  const svc = buildService({ resultsDir: o.results, dbFile: o.db, token: o.token, parallel: o.parallel });
  svc.manager.recover();
  let address: string;
  try {
    address = await svc.app.listen({ host: o.host, port: o.port });
  } catch (e) {
    process.stderr.write(`error: cannot listen on ${o.host}:${o.port}: ${(e as Error).message}\n`);
    await svc.close();
    return 2;
  }
  process.stdout.write(`flowsim service on ${address} (results ${o.results}, db ${o.db}${o.token ? ', token required' : ''})\n`);
  await new Promise<void>((resolve) => {
    const stop = (sig: string) => {
      process.stdout.write(`${sig}: stopping (running experiments become 'interrupted'; resume them after a restart)\n`);
      void svc.close().then(resolve, resolve);
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
  return 0;
}

const isMain = process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) process.exitCode = await serve(hideBin(process.argv));
