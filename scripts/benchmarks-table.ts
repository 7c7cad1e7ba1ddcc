/**
 * Prints the Markdown table of the built-in benchmarks used in docs/benchmarks.md, computed from
 * the YAMLs (so the doc cannot drift from the configs):
 *
 *   npx tsx scripts/benchmarks-table.ts
 *
 * "Edge bytes, taken" follows the branches a request takes (switch edges with probability 0 and
 * everything only they lead to are dead); "all" counts every edge once per instance.
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileWorkflow, criticalPathLength, isTriggering, totalEdgeBytes, type CompiledWorkflow } from '../sim/models/workflow.js';
import { listWorkflows, loadWorkflow } from '../loader/load.js';
import { formatBytes } from '../loader/units.js';

export interface BenchmarkRow {
  name: string;
  system: string;
  functions: number;
  switches: number;
  edges: number;
  fanOut: string;
  criticalPath: number;
  edgeBytesAll: number;
  edgeBytesTaken: number;
  inputBytes: number;
  outputBytes: number;
}

/** Functions that run for a request whose switch edges with probability 0 are never taken. */
export function liveFunctions(c: CompiledWorkflow): boolean[] {
  const live = new Array<boolean>(c.functions.length).fill(false);
  const edgeLive = (ei: number): boolean => {
    const e = c.edges[ei];
    return live[c.index.get(e.from)!] && !(e.kind === 'switch' && e.probability === 0);
  };
  for (const f of c.topo) {
    const trig = c.inEdges[f].filter((ei) => isTriggering(c.edges[ei]));
    live[f] = trig.length === 0 || trig.some(edgeLive);
  }
  return live;
}

export function benchmarkRow(name: string): BenchmarkRow {
  const w = loadWorkflow(name);
  const c = compileWorkflow(w);
  const live = liveFunctions(c);
  let taken = 0;
  for (const e of c.edges) {
    const a = c.index.get(e.from)!;
    const b = c.index.get(e.to)!;
    if (!live[a] || !live[b] || (e.kind === 'switch' && e.probability === 0)) continue;
    const mult = e.kind === 'foreach' ? c.functions[b].instances : e.kind === 'merge' ? c.functions[a].instances : 1;
    taken += e.bytes * mult;
  }
  const fans = w.functions.filter((f) => f.instances > 1).map((f) => `${f.name} x${f.instances}`);
  let input = 0;
  let output = 0;
  c.functions.forEach((f, i) => {
    if (!live[i]) return;
    input += f.inputBytes * f.instances;
    if (c.ends.includes(i)) output += f.userOutputBytes * f.instances;
  });
  return {
    name,
    system: w.defaultCluster === 'dataflower-3w' ? 'DataFlower' : 'FaaSFlow',
    functions: w.functions.filter((f) => f.kind === 'function').length,
    switches: w.functions.filter((f) => f.kind === 'switch').length,
    edges: w.edges.length,
    fanOut: fans.join(', ') || '-',
    criticalPath: criticalPathLength(c),
    edgeBytesAll: totalEdgeBytes(c),
    edgeBytesTaken: taken,
    inputBytes: input,
    outputBytes: output,
  };
}

export function benchmarkTable(): string {
  const head =
    '| benchmark | system | functions (+switch nodes) | edges | fan-out | critical path | edge bytes/request, taken | edge bytes, all branches | workflow input | final output |\n' +
    '|---|---|---|---|---|---|---|---|---|---|\n';
  const rows = listWorkflows()
    .map((w) => benchmarkRow(w.name))
    .sort((a, b) => (a.system === b.system ? 0 : a.system === 'FaaSFlow' ? -1 : 1))
    .map(
      (r) =>
        `| ${r.name} | ${r.system} | ${r.functions}${r.switches ? ` (+${r.switches})` : ''} | ${r.edges} | ${r.fanOut} | ${r.criticalPath} | ${formatBytes(r.edgeBytesTaken)} (${r.edgeBytesTaken.toLocaleString('en-US')} B) | ${formatBytes(r.edgeBytesAll)} | ${formatBytes(r.inputBytes)} | ${formatBytes(r.outputBytes)} |`,
    );
  return head + rows.join('\n') + '\n';
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) process.stdout.write(benchmarkTable());
