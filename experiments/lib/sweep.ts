/** Expands an experiment's axes into sweep points, and parses command-line axis overrides. */
import type { AxisDef, AxisType, AxisValue, DefContext, ExperimentDef, Point } from '../types.js';
import { ExpError } from './errors.js';

export type Overrides = Record<string, AxisValue[]>;

/** Cartesian product of the axes, in axis order (the last axis varies fastest). */
export function expandPoints(def: ExperimentDef, ctx: DefContext, overrides: Overrides = {}): Point[] {
  const out: Point[] = [];
  const walk = (i: number, p: Point): void => {
    if (i === def.axes.length) {
      out.push({ ...p });
      return;
    }
    const axis = def.axes[i];
    for (const v of axisValues(axis, p, ctx, overrides)) {
      p[axis.name] = v;
      walk(i + 1, p);
    }
    delete p[axis.name];
  };
  walk(0, {});
  return out;
}

function axisValues(axis: AxisDef, p: Point, ctx: DefContext, overrides: Overrides): AxisValue[] {
  const o = overrides[axis.name];
  if (o) return o;
  const spec = ctx.quick && axis.quick !== undefined ? axis.quick : axis.values;
  return typeof spec === 'function' ? spec(p, ctx) : spec;
}

type NumberType = Extract<AxisType, { type: 'number' }>;

/** Why a finite number is outside an axis' range (`must be > 0 MB/s, got 0`), or null. */
export function numberError(t: Omit<NumberType, 'type'>, x: number): string | null {
  const unit = t.unit ? ` ${t.unit}` : '';
  if (t.integer && !Number.isInteger(x)) return `expected whole numbers, got ${x}`;
  if (t.exclusiveMin !== undefined && !(x > t.exclusiveMin)) return `must be > ${t.exclusiveMin}${unit}, got ${x}`;
  if (t.min !== undefined && x < t.min) return `must be >= ${t.min}${unit}, got ${x}`;
  if (t.max !== undefined && x > t.max) return `must be <= ${t.max}${unit}, got ${x}`;
  return null;
}

/** Parses `25,50` for an axis; throws ExpError naming the option and the accepted values. */
export function parseOverride(axis: AxisDef, raw: unknown): AxisValue[] {
  const t = axis.cli;
  if (!t) throw new ExpError(`--${axis.name} cannot be set for this experiment`);
  const parts = (Array.isArray(raw) ? raw : [raw]).flatMap((r) => String(r).split(',')).map((s) => s.trim());
  if (parts.length === 0 || parts.some((s) => s === ''))
    throw new ExpError(`--${axis.name}: expected a comma-separated list, got '${String(raw)}'`);
  const vals: AxisValue[] = parts.map((s) => {
    switch (t.type) {
      case 'number': {
        const x = Number(s);
        if (!Number.isFinite(x)) throw new ExpError(`--${axis.name}: '${s}' is not a number`);
        const why = numberError(t, x);
        if (why) throw new ExpError(`--${axis.name}: ${why}`);
        return x;
      }
      case 'string':
        if (!t.choices.includes(s))
          throw new ExpError(`--${axis.name}: unknown value '${s}'; valid: ${t.choices.join(', ')}`);
        return s;
      case 'boolean':
        if (s !== 'true' && s !== 'false') throw new ExpError(`--${axis.name}: expected true or false, got '${s}'`);
        return s === 'true';
    }
  });
  return [...new Set(vals)];
}
