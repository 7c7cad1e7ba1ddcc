/**
 * Calibration profiles: `configs/calibration/<name>.yaml`.
 *
 *   name: netns-local
 *   measuredAt: 2026-11-22T05:40:00.000Z
 *   testbed: {kind: netns, ...}      # where and how it was measured
 *   host: {hostname, kernel, cpus, node, ...}
 *   params: {network: {bandwidthFactor, latencyFactor}, storage: {...}, containers: {coldStart}, control: {...}}
 *   fits: {...}                      # quality (R^2, residuals) of every fitted value
 *
 * `params` is a partial of `Params` (sim/params.ts), validated against the shape of DEFAULT_PARAMS:
 * unknown keys and wrong types are errors naming the file and the path inside it. The simulator's
 * `--calibration <name>` calls `readProfile(name)` and merges `params` over the defaults.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';
import { z } from 'zod';
import { type DeepPartial, type Params } from '../sim/params.js';
import { paramsOverrideSchema } from '../loader/schema.js';
import { atomicWrite } from '../lib/atomic-write.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = path.resolve(HERE, '..');
export const CALIBRATION_DIR = path.join(REPO_ROOT, 'configs', 'calibration');

export class ProfileError extends Error {
  override name = 'ProfileError';
}

/** A profile's params: any subset of the parameter tree, with every value's range (loader/schema.ts, from sim/params.ts PARAM_SPEC). */
export const ParamsPartialSchema = paramsOverrideSchema as unknown as z.ZodType<DeepPartial<Params>>;

export const ProfileSchema = z
  .object({
    name: z.string().regex(/^[A-Za-z0-9._-]+$/, 'expected a name of letters, digits, . _ -'),
    measuredAt: z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'expected an ISO date-time'),
    testbed: z.record(z.string(), z.unknown()),
    host: z.record(z.string(), z.unknown()),
    params: ParamsPartialSchema,
    fits: z.record(z.string(), z.unknown()).optional(),
  })
  .passthrough();

export type Profile = z.infer<typeof ProfileSchema> & { params: DeepPartial<Params> };

export interface LoadedProfile {
  name: string;
  params: DeepPartial<Params>;
  meta: Record<string, unknown>;
}

export function listProfiles(dir = CALIBRATION_DIR): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .map((f) => f.replace(/\.ya?ml$/, ''))
    .sort();
}

function formatIssues(file: string, issues: z.core.$ZodIssue[]): string {
  return issues
    .map((i) => {
      const where = i.path.length ? i.path.map(String).join('.') : '(top level)';
      return `${file}: ${where}: ${i.message}`;
    })
    .join('\n');
}

/** Resolves a profile name (configs/calibration/<name>.yaml) or a path to a file. */
export function resolveProfile(nameOrPath: string, dir = CALIBRATION_DIR): string {
  const looksLikePath = nameOrPath.includes('/') || nameOrPath.includes(path.sep) || /\.ya?ml$/.test(nameOrPath);
  if (looksLikePath) {
    const p = path.resolve(nameOrPath);
    if (!fs.existsSync(p)) throw new ProfileError(`${nameOrPath}: calibration profile file not found`);
    return p;
  }
  for (const ext of ['.yaml', '.yml']) {
    const p = path.join(dir, nameOrPath + ext);
    if (fs.existsSync(p)) return p;
  }
  const available = listProfiles(dir);
  throw new ProfileError(
    `no calibration profile named '${nameOrPath}' in ${path.relative(process.cwd(), dir) || dir}; available: ${available.length ? available.join(', ') : '(none: run `npm run calibrate`)'}`,
  );
}

/** Validates a parsed profile; errors name the file and the path inside it. */
export function validateProfile(data: unknown, file: string): Profile {
  const r = ProfileSchema.safeParse(data);
  if (!r.success) throw new ProfileError(formatIssues(file, r.error.issues));
  return r.data as Profile;
}

export function readProfile(nameOrPath: string, dir = CALIBRATION_DIR): LoadedProfile {
  const file = resolveProfile(nameOrPath, dir);
  const rel = path.relative(process.cwd(), file) || file;
  let data: unknown;
  try {
    const doc = YAML.parseDocument(fs.readFileSync(file, 'utf8'), { prettyErrors: true });
    if (doc.errors.length) throw new ProfileError(`${rel}: YAML: ${doc.errors[0]!.message}`);
    data = doc.toJS();
  } catch (e) {
    if (e instanceof ProfileError) throw e;
    throw new ProfileError(`${rel}: ${(e as Error).message}`);
  }
  const p = validateProfile(data, rel);
  const { name, params, ...rest } = p;
  return { name, params, meta: { ...rest, file } };
}

/** Validates and writes a profile atomically (temp name, then rename). Returns the path. */
export function writeProfile(profile: Profile, dir = CALIBRATION_DIR): string {
  const file = path.join(dir, `${profile.name}.yaml`);
  validateProfile(profile, file);
  fs.mkdirSync(dir, { recursive: true });
  const header =
    `# flowsim calibration profile, written by \`npm run calibrate\`. Measured values only:\n` +
    `# params = fitted values merged over DEFAULT_PARAMS by --calibration ${profile.name}; fits = their quality.\n`;
  atomicWrite(file, header + YAML.stringify(profile, { lineWidth: 120 }));
  return file;
}
