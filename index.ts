/**
 * flowsim as a library: `import { simulate } from 'flowsim'`.
 *
 * One call builds a scenario from the same options as `npm run sim` (workflows by name, file,
 * WfFormat or gen:, a cluster, a mode, a bandwidth cap, a workload, parameters, faults) and runs
 * it; the result is the object `npm run sim -- --json` prints. Deterministic: the same options
 * (seed included) give the same result. Bad options throw a ConfigError whose `format()` names
 * the option or file, the path in it and the line.
 *
 * The package is TypeScript run through tsx (as every flowsim command); from another project,
 * run with `node --import tsx`. Experiments: `runExperiment` with a built-in definition or a
 * user-defined sweep (`loadSpecFile` + `specDef`).
 */
import { buildScenario, type ScenarioOptions } from './loader/build.js';
import { runScenario, type RunOptions } from './sim/run.js';
import type { Scenario, SimResult } from './sim/scenario.js';

export type { ScenarioOptions, Scenario, SimResult, RunOptions };
export { buildScenario, runScenario };
export { ConfigError, listClusters, listWorkflows, loadCluster, loadWorkflow } from './loader/load.js';
export { ALL_MODE_NAMES, MODE_NAMES } from './sim/scenario.js';
export { DEFAULT_PARAMS, type Params } from './sim/params.js';
export { EXPERIMENTS, getExperiment } from './experiments/registry.js';
export { runExperiment, type RunOptions as ExperimentRunOptions, type RunOutcome } from './experiments/runner.js';
export { loadSpecFile, specDef, type NormalizedSpec } from './experiments/spec.js';

/** Builds and runs one scenario: the result of `npm run sim -- --json` for the same options. */
export function simulate(options: ScenarioOptions, run: Pick<RunOptions, 'progress'> = {}): SimResult {
  return runScenario(buildScenario(options), run);
}
