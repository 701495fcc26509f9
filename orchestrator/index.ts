// The emunet library API: the same verbs the CLI offers, typed.
export { validate, deploy, run, exec, impair, calibrate, capture, report, graph, destroy, inspect, buildImages, contextDefaults, RunFailedError, NotFoundError } from './api.js';
export type { Context, RunRequest, RunResult, LabSummary } from './api.js';
export { doctor } from './doctor.js';
export type { Check } from './doctor.js';
export { loadTopology, parseTopology } from './topology/load.js';
export { planLab } from './topology/plan.js';
export { TopologyError, PlanError } from './topology/errors.js';
export type { Topology, LabPlan, Diagnostic } from './topology/types.js';
export type { Lab, Reporter } from './deploy/lab.js';
export { DockerRuntime } from './runtime/docker.js';
export type { ContainerRuntime, ImageStore, ExecResult } from './runtime/runtime.js';
export type { Measurement } from './results/measurement.js';
