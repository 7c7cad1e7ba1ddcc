/**
 * dataflower-extras: DataFlower's extra experiments (test scripts at fa57162, reference 2.E).
 * - bursty: wordcount at 10 rpm for 60 s, then 100 rpm for 60 s, as rate phases of one open-loop
 *   workload (so the burst finds the containers the 10 rpm phase warmed up). The requests of the
 *   burst phase (sent from 60 s on) are measured.
 * - cpu: wordcount with every function's cpu quota in {0.1..0.5} (open loop 10 rpm).
 * - chunk: Kafka chunk size {16,32,256,384,640,896} KB on video (open loop 4 rpm), DataFlower
 *   mode only (the chunk size is a DataFlower mechanism).
 * - pressure: pressure-aware container release on/off on svd, 1..24 closed-loop clients,
 *   DataFlower mode only.
 * Open-loop parts use DataFlower's async protocol (ramp, 3 min warm-up, 300 s measured);
 * the pressure part its sync protocol (clients 2 s apart, 2 min warm-up, 300 s measured).
 */
import type { ExperimentDef, Point } from '../types.js';
import { DATAFLOWER_CLUSTER, MODES, modeAxis } from '../lib/catalog.js';
import { baseWorkflow, preloadWorkflows, withCpu } from '../lib/workflows.js';

const PARTS = ['bursty', 'cpu', 'chunk', 'pressure'];
const SETTINGS: Record<string, Array<number | string>> = {
  bursty: ['10-then-100rpm'],
  cpu: [0.1, 0.2, 0.3, 0.4, 0.5],
  chunk: [16, 32, 256, 384, 640, 896],
  pressure: ['on', 'off'],
};
const QUICK_SETTINGS: Record<string, Array<number | string>> = {
  bursty: ['10-then-100rpm'],
  cpu: [0.1, 0.5],
  chunk: [16, 256],
  pressure: ['on', 'off'],
};
const PRESSURE_CLIENTS = [1, 2, 4, 8, 12, 16, 20, 24];
const dfOnly = (p: Point) => p.part === 'chunk' || p.part === 'pressure';

const def: ExperimentDef = {
  name: 'dataflower-extras',
  description: 'DataFlower extras: bursty load (10 then 100 rpm), cpu sensitivity {0.1..0.5}, Kafka chunk size, pressure-aware release on/off',
  source: 'DataFlower AE test scripts at fa57162 (reference 2.E)',
  axes: [
    { name: 'part', describe: `part (${PARTS.join(', ')})`, values: PARTS, cli: { type: 'string', choices: PARTS } },
    {
      name: 'setting',
      describe: 'cpu cores (cpu), chunk KB (chunk), on/off (pressure)',
      values: (p) => SETTINGS[String(p.part)],
      quick: (p) => QUICK_SETTINGS[String(p.part)],
    },
    { ...modeAxis(), values: (p: Point) => (dfOnly(p) ? ['dataflower'] : [...MODES]) },
    {
      name: 'clients',
      describe: 'closed-loop clients of the pressure part (0 = open loop)',
      values: (p) => (p.part === 'pressure' ? PRESSURE_CLIENTS : [0]),
      quick: (p) => (p.part === 'pressure' ? [1, 8] : [0]),
      cli: { type: 'number', min: 0, max: 1000, integer: true },
    },
  ],
  metrics: [
    { name: 'e2e.mean', label: 'e2e mean', unit: 's' },
    { name: 'e2e.p99', label: 'e2e p99', unit: 's' },
    { name: 'throughputRps', label: 'throughput', unit: 'req/s' },
    { name: 'e2e.count', label: 'measured requests' },
    { name: 'timeouts', label: 'timeouts' },
  ],
  async prepare() {
    await preloadWorkflows(['df-wordcount']);
  },
  scenario(p, ctx) {
    const mode = p.mode as 'hyperflow' | 'faasflow' | 'dataflower';
    const warm = (full: number) => (ctx.quick ? 20 : full);
    const measure = ctx.quick ? 40 : 300;
    switch (p.part) {
      case 'bursty':
        return {
          workflows: ['df-wordcount'],
          mode,
          cluster: DATAFLOWER_CLUSTER,
          phases: [
            { rpm: 10, durationS: 60 },
            { rpm: 100, durationS: 60 },
          ],
          warmupS: 60,
          warmupRequests: 0,
        };
      case 'cpu':
        return {
          workflows: [withCpu(baseWorkflow('df-wordcount'), Number(p.setting))],
          mode,
          cluster: DATAFLOWER_CLUSTER,
          rpm: 10,
          ramp: true,
          warmupS: warm(180),
          warmupRequests: 0,
          durationS: warm(180) + measure,
        };
      case 'chunk':
        return {
          workflows: ['df-video'],
          mode,
          cluster: DATAFLOWER_CLUSTER,
          rpm: 4,
          ramp: true,
          warmupS: warm(180),
          warmupRequests: 0,
          durationS: warm(180) + measure,
          params: { storage: { chunkBytes: Number(p.setting) * 1024 } },
        };
      default:
        return {
          workflows: ['df-svd'],
          mode,
          cluster: DATAFLOWER_CLUSTER,
          clients: Number(p.clients),
          staggerS: 2,
          warmupS: warm(120),
          warmupRequests: 0,
          durationS: warm(120) + measure,
          params: { dataflower: { pressureAware: p.setting === 'on' } },
        };
    }
  },
  plots: [
    {
      name: 'bursty',
      title: 'Bursty load: e2e of the 100 rpm burst after 60 s at 10 rpm',
      mark: 'bar',
      x: 'workflow',
      xOffset: 'mode',
      color: 'mode',
      y: 'e2e.mean',
      yTitle: 'e2e mean (s)',
      where: { part: 'bursty' },
    },
    {
      name: 'cpu-sensitivity',
      title: 'Wordcount e2e vs cpu quota per function',
      mark: 'line',
      x: 'setting',
      xType: 'quantitative',
      xTitle: 'cpu (cores)',
      y: 'e2e.mean',
      yTitle: 'e2e mean (s)',
      color: 'mode',
      where: { part: 'cpu' },
    },
    {
      name: 'chunk-size',
      title: 'Video e2e vs Kafka chunk size (DataFlower)',
      mark: 'line',
      x: 'setting',
      xType: 'quantitative',
      xTitle: 'chunk (KB)',
      y: 'e2e.mean',
      yTitle: 'e2e mean (s)',
      where: { part: 'chunk' },
    },
    {
      name: 'pressure-aware',
      title: 'SVD throughput vs clients, pressure-aware release on/off',
      mark: 'line',
      x: 'clients',
      xType: 'quantitative',
      y: 'throughputRps',
      yTitle: 'throughput (req/s)',
      color: 'setting',
      where: { part: 'pressure' },
    },
  ],
  headline: [
    { title: 'bursty e2e mean (s)', metric: 'e2e.mean', col: 'mode', rows: ['workflow'], where: { part: 'bursty' } },
    { title: 'cpu sensitivity e2e mean (s)', metric: 'e2e.mean', col: 'mode', rows: ['setting'], where: { part: 'cpu' } },
    { title: 'chunk size e2e mean (s)', metric: 'e2e.mean', col: 'mode', rows: ['setting'], where: { part: 'chunk' } },
    { title: 'pressure-aware throughput (req/s)', metric: 'throughputRps', col: 'setting', rows: ['clients'], where: { part: 'pressure' } },
  ],
};
export default def;
