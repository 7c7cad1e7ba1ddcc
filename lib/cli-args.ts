/**
 * Checks every command line shares (sim, exp, calibrate, bench), so that a bad argument gets the
 * same kind of one-line answer everywhere. Each function returns an error message, or undefined
 * when the argument is fine; the caller raises it in its own error type (exit 2).
 */

/** A plain decimal number: digits, an optional fraction and exponent ('0x10', '1_000', ' ' are not). */
const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)(e[+-]?\d+)?$/i;

/**
 * Parses option `--name`'s value as a finite decimal number. `raw` is what the parser handed over
 * (a string, or a number when the option is typed as one). `int`: a whole number; `min`/`max`:
 * inclusive bounds.
 */
export function parseNumberArg(name: string, raw: unknown, o: { int?: boolean; min?: number; max?: number } = {}): number | { error: string } {
  const shown = raw === '' ? 'nothing' : `'${String(raw)}'`;
  const text = typeof raw === 'number' ? String(raw) : typeof raw === 'string' ? raw.trim() : '';
  const x = typeof raw === 'number' ? raw : DECIMAL.test(text) ? Number(text) : NaN;
  const range = o.min !== undefined && o.max !== undefined ? ` in ${o.min}..${o.max}` : o.min !== undefined ? ` >= ${o.min}` : o.max !== undefined ? ` <= ${o.max}` : '';
  const what = `${o.int ? 'a whole number' : 'a number'}${range}`;
  if (!Number.isFinite(x) || (o.int && !Number.isInteger(x)) || (o.min !== undefined && x < o.min) || (o.max !== undefined && x > o.max)) return { error: `--${name}: expected ${what}, got ${shown}` };
  return x;
}

/** Options given more than once (the parser hands them over as a list): the first such message. */
export function repeatedOption(argv: Record<string, unknown>, allowed: readonly string[] = []): string | undefined {
  for (const [k, v] of Object.entries(argv)) {
    if (k === '_' || k === '$0' || k.length <= 1 || /[A-Z]/.test(k) || allowed.includes(k)) continue;
    if (Array.isArray(v)) return `--${k} was given ${v.length} times; give it once`;
  }
  return undefined;
}

/** String options given with an empty value (`--params ''`): the first such message. */
export function emptyOption(argv: Record<string, unknown>, names: readonly string[]): string | undefined {
  for (const k of names) if (argv[k] === '' || (typeof argv[k] === 'string' && (argv[k] as string).trim() === '')) return `--${k}: expected a value, got nothing`;
  return undefined;
}

/** True when `--name` (or `--name=...`) appears on the command line itself, not as a default. */
export function givenOnCommandLine(args: readonly string[], name: string): boolean {
  return args.some((a) => a === `--${name}` || a.startsWith(`--${name}=`));
}
