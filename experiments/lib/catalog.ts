/** Benchmarks, clusters, modes and the axis definitions shared by several experiments. */
import { ALL_MODE_NAMES, MODE_NAMES } from '../../sim/scenario.js';
import type { AxisDef } from '../types.js';

export const FAASFLOW_BENCHMARKS = [
  'cycles',
  'epigenomics',
  'genome',
  'soykb',
  'video',
  'illegal-recognizer',
  'file-processing',
  'wordcount',
] as const;
export const DATAFLOWER_BENCHMARKS = ['df-video', 'df-wordcount', 'df-recognizer', 'df-svd'] as const;
export const ALL_BENCHMARKS: readonly string[] = [...FAASFLOW_BENCHMARKS, ...DATAFLOWER_BENCHMARKS];
export const MODES: readonly string[] = MODE_NAMES;

export const FAASFLOW_CLUSTER = 'faasflow-7w';
export const DATAFLOWER_CLUSTER = 'dataflower-3w';

export function clusterOf(benchmark: string): string {
  return benchmark.startsWith('df-') ? DATAFLOWER_CLUSTER : FAASFLOW_CLUSTER;
}

/** FaaSFlow's wondershaper settings on the storage node, MB/s (reference 1.B). */
export const FAASFLOW_BANDWIDTHS = [25, 50, 75, 100];

export function modeAxis(values: readonly string[] = MODES): AxisDef {
  return { name: 'mode', describe: 'orchestration modes', values: [...values], cli: { type: 'string', choices: ALL_MODE_NAMES } };
}

export function bandwidthAxis(values: number[], quick?: number[]): AxisDef {
  return {
    name: 'bandwidth',
    describe: 'storage-node bandwidth cap, MB/s (comma list)',
    values,
    quick,
    cli: BANDWIDTH_CLI,
  };
}

export function benchmarkAxis(values: AxisDef['values'], quick?: AxisDef['quick'], choices: readonly string[] = ALL_BENCHMARKS): AxisDef {
  return { name: 'benchmark', describe: 'benchmarks (comma list)', values, quick, cli: { type: 'string', choices } };
}

export const BANDWIDTH_CLI = { type: 'number', exclusiveMin: 0, max: 100000, unit: 'MB/s' } as const;
export const RPM_CLI = { type: 'number', exclusiveMin: 0, max: 6000, unit: 'rpm' } as const;
export const CLIENTS_CLI = { type: 'number', min: 1, max: 1000, integer: true } as const;
