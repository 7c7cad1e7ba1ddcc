/**
 * `npm run notebook -- <name>`: executes notebooks/<name>.ipynb with its TypeScript kernel (tslab,
 * from npm) through Jupyter's nbconvert (Debian: apt-get install jupyter-nbconvert) and writes
 * the result with its outputs to results/notebooks/<name>.html (or .ipynb with --to notebook).
 * `list` prints the notebooks. Exit 2 on bad input, 1 when a cell fails (its error is printed).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const NB_DIR = path.join(REPO, 'notebooks');

export function notebookNames(): string[] {
  return fs.readdirSync(NB_DIR).filter((f) => f.endsWith('.ipynb')).map((f) => f.replace(/\.ipynb$/, '')).sort();
}

/** The jupyter command: Debian's (the pyenv shims on PATH may hide it), else whatever is on PATH. */
export function jupyterCommand(): string | null {
  for (const c of ['/usr/bin/jupyter', '/usr/local/bin/jupyter']) if (fs.existsSync(c)) return c;
  try {
    return execFileSync('sh', ['-c', 'command -v jupyter'], { encoding: 'utf8' }).trim() || null;
  } catch {
    return null;
  }
}

/** The environment the kernel needs: our kernel spec and node_modules/.bin on PATH. */
export function notebookEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    JUPYTER_PATH: [path.join(NB_DIR, '.jupyter'), process.env.JUPYTER_PATH].filter(Boolean).join(path.delimiter),
    PATH: [path.join(REPO, 'node_modules', '.bin'), process.env.PATH].join(path.delimiter),
    ...extra,
  };
}

function lastLines(text: string): string {
  return `\n${text.split('\n').filter((l) => l.trim() !== '' && !/MissingIDFieldWarning|validate\(nb\)/.test(l)).slice(-25).join('\n')}`;
}

/**
 * tslab reports a cell's exception on the cell's stderr only (nbconvert then says "<Error>:"), so
 * a failed notebook is executed once more keeping errors, to name the cell and its message.
 */
function failureOf(jupyter: string, name: string, extra: Record<string, string>, timeout: number): string | null {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flowsim-nb-'));
  try {
    spawnSync(jupyter, ['nbconvert', '--to', 'notebook', '--execute', '--allow-errors', `--ExecutePreprocessor.timeout=${timeout}`, '--ExecutePreprocessor.kernel_name=tslab', '--output-dir', dir, path.join(NB_DIR, `${name}.ipynb`)], { env: notebookEnv(extra), cwd: NB_DIR, encoding: 'utf8' });
    const nb = JSON.parse(fs.readFileSync(path.join(dir, `${name}.ipynb`), 'utf8')) as { cells: Array<{ cell_type: string; outputs?: Array<{ name?: string; text?: string[] | string }> }> };
    for (const [i, c] of nb.cells.entries()) {
      const err = (c.outputs ?? []).find((o) => o.name === 'stderr');
      if (!err) continue;
      const text = Array.isArray(err.text) ? err.text.join('') : String(err.text ?? '');
      const line = text.split('\n').find((l) => /^\w*Error\b.*:/.test(l)) ?? text.split('\n').find((l) => l.trim() !== '') ?? '';
      return `cell ${i + 1}: ${line.replace(/^Error: /, '')}`;
    }
    return null;
  } catch {
    return null;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<number> {
  const argv = await yargs(hideBin(process.argv))
    .scriptName('npm run notebook --')
    .usage('$0 <name|list> [options]\n\nRuns a notebook of notebooks/ (TypeScript, tslab kernel) over the results in results/ and writes it with its outputs.')
    .command('$0 [name]', false, (y) => y.positional('name', { type: 'string', describe: 'a notebook of notebooks/, or list' }))
    .option('to', { choices: ['html', 'notebook'] as const, default: 'html' as const, describe: 'output format' })
    .option('out', { type: 'string', default: path.join(REPO, 'results', 'notebooks'), defaultDescription: 'results/notebooks', describe: 'output folder' })
    .option('results', { type: 'string', describe: 'results folder the notebook reads (default: results/; sets FLOWSIM_RESULTS)' })
    .option('run', { type: 'string', describe: 'the run id to read (default: the newest finished run; sets FLOWSIM_RUN)' })
    .option('timeout', { type: 'number', default: 600, describe: 'seconds per cell' })
    .strict()
    .help()
    .version(false)
    .fail((msg, err) => {
      throw err ?? new Error(msg);
    })
    .parseAsync();
  const name = String((argv as { name?: string }).name ?? '');
  const names = notebookNames();
  if (name === 'list') {
    for (const n of names) process.stdout.write(`${n}\n`);
    return 0;
  }
  if (!names.includes(name)) {
    process.stderr.write(`error: ${name ? `unknown notebook '${name}'` : 'name a notebook'}; valid: ${names.join(', ')} (or list)\n`);
    return 2;
  }
  const jupyter = jupyterCommand();
  if (!jupyter) {
    process.stderr.write('error: Jupyter is not installed; as root: apt-get install -y jupyter-nbconvert (the TypeScript kernel comes with npm ci)\n');
    return 2;
  }
  if (argv.results !== undefined && !fs.existsSync(argv.results)) {
    process.stderr.write(`error: --results: no such folder: ${argv.results}\n`);
    return 2;
  }
  fs.mkdirSync(argv.out, { recursive: true });
  const extra: Record<string, string> = {};
  if (argv.results !== undefined) extra.FLOWSIM_RESULTS = path.resolve(argv.results);
  if (argv.run !== undefined) extra.FLOWSIM_RUN = argv.run;
  const r = spawnSync(
    jupyter,
    ['nbconvert', '--to', argv.to, '--execute', `--ExecutePreprocessor.timeout=${argv.timeout}`, '--ExecutePreprocessor.kernel_name=tslab', '--output-dir', path.resolve(argv.out), path.join(NB_DIR, `${name}.ipynb`)],
    { env: notebookEnv(extra), cwd: NB_DIR, encoding: 'utf8' },
  );
  if (r.status !== 0) {
    process.stderr.write(`error: notebook ${name} failed: ${failureOf(jupyter, name, extra, argv.timeout) ?? lastLines(r.stderr ?? '')}\n`);
    return 1;
  }
  process.stdout.write(`${name}: ${path.join(path.resolve(argv.out), `${name}.${argv.to === 'html' ? 'html' : 'ipynb'}`)}\n`);
  return 0;
}

const isMain = process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  main().then(
    (code) => (process.exitCode = code),
    (e: Error) => {
      process.stderr.write(`error: ${e.message}\n(see: npm run notebook -- --help)\n`);
      process.exitCode = 2;
    },
  );
}
