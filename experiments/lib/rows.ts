import type { AxisValue } from '../types.js';

/** A summary row: axis values, workflow, and `<metric>.mean` / `<metric>.ci95` columns. */
export type SummaryRow = Record<string, AxisValue | number | null>;

export function matches(row: Record<string, unknown>, where?: Record<string, AxisValue | AxisValue[]>): boolean {
  if (!where) return true;
  return Object.entries(where).every(([k, v]) => (Array.isArray(v) ? v.includes(row[k] as AxisValue) : row[k] === v));
}
