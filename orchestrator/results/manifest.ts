import { writeFile } from 'node:fs/promises';
import type { RunFailure } from '../experiment/runner.js';
import type { CalibrationRow } from '../impairment/calibrate.js';

/** Everything needed to reproduce a run and to judge its figures (DESIGN.md contract 5). */
export interface Manifest {
  lab: string;
  run_id: string;
  topology: { file: string; sha256: string };
  seed: number;
  repetitions: number;
  /** Swept keys and their values; every run's seed derives from `seed`, the point and the repetition. */
  sweep: Record<string, (string | number | boolean)[]>;
  /** `--filter` expressions: only the matching runs were planned. */
  filter: string[];
  image: { tag: string; id: string };
  emunet_version: string;
  docker: { version: string; api_version: string };
  kernel: string;
  impairment_backend: string;
  /** False where netem could not take the seed: its losses then differ from run to run. */
  impairment_seeded: boolean;
  /** false: every run had a fresh lab. */
  reuse_lab: boolean;
  labs_deployed: number;
  started_at: string;
  ended_at: string;
  /** Planned (after --filter), and how they ended, over every session of a resumed run (runs.csv). */
  runs: { planned: number; complete: number; failed: number };
  measurements: number;
  /** `partial`: some runs failed (see failed_runs), the others are in the CSV. `running` while it runs. */
  status: 'complete' | 'partial' | 'failed';
  failed_runs: RunFailure[];
  error?: string;
  /** Each network measured against its configuration before the experiment (`run --calibrate`). */
  calibration?: CalibrationRow[];
  /** summary_json and plan are the typed inputs of report.html; report is listed once it is written. */
  files: { measurements: string; summary: string; events: string; runs: string; logs: string; summary_json: string; plan?: string; report?: string; calibration?: string; pcap?: string };
}

export async function writeManifest(path: string, manifest: Manifest): Promise<void> {
  await writeFile(path, JSON.stringify(manifest, null, 2) + '\n');
}
