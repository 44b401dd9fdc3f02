/** What a scenario is and what it reports. */
import type { BenchConfig } from './config.js';
import type { Datasets } from './dataset.js';

/** One line of the results table. */
export interface ResultRow {
  scenario: string;
  /** Peyvand's figure and the baseline's, in `unit`. */
  peyvand: number;
  baseline: number;
  unit: string;
  /** How the two compare, as the target states it (see `ratioLabel`). */
  ratio: number;
  ratioLabel: string;
  target: string;
  /** Whether the target is met; null for figures reported for reference. */
  pass: boolean | null;
  /** Extra figures (percentiles, CPU-time ratios) for the notes. */
  details?: string;
}

/** What every scenario receives. */
export interface Context {
  config: BenchConfig;
  datasets: Datasets;
  log(message: string): void;
}

/** A scenario: runs Peyvand and its baseline in the same run, returns its rows. */
export interface Scenario {
  name: string;
  /** Run only when `--only` names it (a part of another scenario, for iterating on it). */
  onlyWhenNamed?: boolean;
  run(ctx: Context): Promise<ResultRow[]>;
}
