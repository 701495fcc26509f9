import type { Lab, Reporter } from '../deploy/lab.js';
import { AgentOutputError, parseRecord, type Measurement } from '../results/measurement.js';
import type { ContainerRuntime } from '../runtime/runtime.js';
import type { ExperimentDef, WorkloadStep } from '../topology/types.js';
import { deriveSeed } from './seeds.js';

export interface RunOptions {
  runtime: ContainerRuntime;
  runId: string;
  reporter: Reporter;
  signal?: AbortSignal;
  /** Longest a single workload may run. */
  stepTimeoutMs: number;
}

export class StepFailedError extends Error {}

/** The command the orchestrator execs in a node to run a workload (the agent's CLI). */
export const workloadArgv = (step: WorkloadStep, seed: number) => ['node', '/opt/emunet/agent.mjs', 'workload', step.run, JSON.stringify({ ...step.args, seed })];

/**
 * Runs every step of every repetition in order, appending the agents' records to `rows` as they
 * arrive, so whatever was measured before a failure is still there to be written.
 */
export async function runExperiment(lab: Lab, experiment: ExperimentDef, rows: Measurement[], o: RunOptions): Promise<void> {
  const total = experiment.repeat * experiment.steps.length;
  let done = 0;
  for (let repetition = 1; repetition <= experiment.repeat; repetition++) {
    const seed = deriveSeed(experiment.seed, repetition);
    for (const [index, step] of experiment.steps.entries()) {
      o.signal?.throwIfAborted();
      if (step.kind !== 'workload') throw new Error('impairment steps are not supported yet');
      const node = lab.nodes.find((n) => n.name === step.node);
      if (!node) throw new StepFailedError(`step ${index + 1}: node "${step.node}" is not in lab ${lab.name}`);
      o.reporter.progress(`rep ${repetition}/${experiment.repeat} step ${index + 1}: ${step.run} on ${step.node}`, done, total);
      const ctx = { lab: lab.name, run_id: o.runId, repetition, seed, step: index + 1, workload: step.run, node: step.node };
      const parseErrors: AgentOutputError[] = [];
      const result = await o.runtime.exec(node.id, workloadArgv(step, seed), {
        timeoutMs: o.stepTimeoutMs,
        onStdoutLine: (line) => {
          try {
            const m = parseRecord(line, ctx);
            if (m) rows.push(m);
          } catch (e) {
            parseErrors.push(e as AgentOutputError);
          }
        },
      });
      if (result.exitCode !== 0) {
        const why = result.stderr.trim().split('\n').slice(-8).join('\n  ');
        throw new StepFailedError(`step ${index + 1} (${step.run} on ${step.node}) failed with exit code ${result.exitCode}:\n  ${why}`);
      }
      if (parseErrors[0]) throw parseErrors[0];
      done++;
    }
  }
  o.reporter.progress('experiment', done, total);
}
