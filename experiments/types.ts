/**
 * The shape of an experiment definition (one file each in experiments/defs/).
 *
 * An experiment is declarative: an ordered list of axes whose cartesian product gives the sweep
 * points (an axis' values may depend on the axes before it, e.g. FaaSFlow's rpm grid depends on
 * the bandwidth), times a number of seeds; a pure function from a point to `ScenarioOptions`
 * (JSON-serializable, resolved by `buildScenario`); the metrics to keep from each `AppResult`;
 * what to plot and which headline table to print.
 */
import type { ScenarioOptions } from '../loader/build.js';
import type { Scenario } from '../sim/scenario.js';
import type { SummaryRow } from './lib/rows.js';

export type AxisValue = string | number | boolean;
export type Point = Record<string, AxisValue>;

export interface DefContext {
  /** --quick: smaller grids and shorter simulated durations (smoke runs). */
  quick: boolean;
  /** Passed through to every scenario (`--params`, `--calibration`). */
  paramsFile?: string;
  calibration?: string;
  /** `--cluster`: every scenario runs on this cluster (a name or an absolute file path). */
  cluster?: string;
}

export type AxisValues = AxisValue[] | ((p: Point, ctx: DefContext) => AxisValue[]);

/** Validation / parsing of a command-line override of an axis (`--bandwidth 25,50`). */
export type AxisType =
  | { type: 'number'; min?: number; exclusiveMin?: number; max?: number; integer?: boolean; unit?: string }
  | { type: 'string'; choices: readonly string[] }
  | { type: 'boolean' };

export interface AxisDef {
  name: string;
  describe: string;
  values: AxisValues;
  /** Values under --quick (default: `values`). */
  quick?: AxisValues;
  /** How a command-line override is parsed and checked; absent = the axis cannot be overridden. */
  cli?: AxisType;
}

export interface MetricDef {
  /** A path into the AppResult (`e2e.mean`, `throughputRps`) or, prefixed `run.`, into SimResult (`run.coldStarts`). */
  name: string;
  label: string;
  unit?: string;
}

export interface PlotDef {
  /** File stem: <name>.vl.json, <name>.svg, <name>.png */
  name: string;
  title: string;
  mark: 'bar' | 'line' | 'point';
  /** Field on the x axis: an axis name or `workflow`; with `xMetric`, the point's label field. */
  x: string;
  /** A metric on the x axis instead (its across-seed mean; a scatter of two metrics, mark 'point'). */
  xMetric?: string;
  logX?: boolean;
  /** Field drawn as the point's shape (grayscale-safe with `color`). */
  shape?: string;
  /** Metric name (its across-seed mean is plotted, with the 95% CI as error bars). */
  y: string;
  /** Comes from timing.csv (wall-clock measurements) instead of summary.csv. */
  timing?: boolean;
  color?: string;
  /** Bars side by side within an x group (grouped bars). */
  xOffset?: string;
  column?: string;
  row?: string;
  /** Keep only these summary rows. */
  where?: Record<string, AxisValue | AxisValue[]>;
  xType?: 'nominal' | 'ordinal' | 'quantitative';
  yTitle?: string;
  xTitle?: string;
  logY?: boolean;
}

export interface HeadlineDef {
  title: string;
  metric: string;
  /** Column field (usually `mode`). */
  col: string;
  /** Row fields (joined into the row label). */
  rows: string[];
  where?: Record<string, AxisValue | AxisValue[]>;
  /** Reduce over this field by taking the max of the means (peak throughput over clients). */
  maxOver?: string;
  timing?: boolean;
}

/** Output of a point evaluated without a simulation (e.g. FaaSFlow grouping cost). */
export interface CustomOutput {
  rows: Array<{ workflow: string; metrics: Record<string, number | null> }>;
  /** Deterministic description of what was evaluated, hashed into the manifest. */
  config: unknown;
  /** Wall-clock measurements (never in points.csv). */
  timing: Record<string, number>;
}

export interface ExperimentDef {
  name: string;
  description: string;
  /** Where the protocol comes from (reference sections). */
  source: string;
  axes: AxisDef[];
  /** Seeds per point (default 3). */
  seeds?: number;
  metrics: MetricDef[];
  /** Loads what `scenario` needs synchronously (base workflow specs); called once per process. */
  prepare?(ctx: DefContext): Promise<void>;
  scenario(p: Point, ctx: DefContext): ScenarioOptions;
  /** Adjust the resolved scenario for what ScenarioOptions cannot express (per-app rates...). */
  adjust?(s: Scenario, p: Point, ctx: DefContext): Scenario;
  /** Points evaluated without a simulation (e.g. FaaSFlow's grouping cost). */
  custom?: {
    applies(p: Point): boolean;
    run(p: Point, seed: number, ctx: DefContext): Promise<CustomOutput>;
  };
  /** Extra timing columns this experiment's custom points produce (timing.csv). */
  timingMetrics?: MetricDef[];
  plots: PlotDef[];
  headline: HeadlineDef[];
  /** Derived tables appended to the headline (computed from the summary rows, e.g. a regret). */
  derived?(summary: SummaryRow[]): string;
}
