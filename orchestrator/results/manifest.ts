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
  image: { tag: string; id: string };
  emunet_version: string;
  docker: { version: string; api_version: string };
  kernel: string;
  impairment_backend: string;
  /** False where netem could not take the seed: its losses then differ from run to run. */
  impairment_seeded: boolean;
  started_at: string;
  ended_at: string;
  measurements: number;
  /** `partial`: some runs failed (see failed_runs), the others are in the CSV. */
  status: 'complete' | 'partial' | 'failed';
  failed_runs: RunFailure[];
  error?: string;
  /** Each network measured against its configuration before the experiment (`run --calibrate`). */
  calibration?: CalibrationRow[];
  files: { measurements: string; summary: string; events: string; calibration?: string };
}

export async function writeManifest(path: string, manifest: Manifest): Promise<void> {
  await writeFile(path, JSON.stringify(manifest, null, 2) + '\n');
}
