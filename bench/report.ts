/**
 * The results: a markdown table (printed, and written into docs/performance.md between
 * its markers after a full run) and `bench/results/latest.json`.
 */
import fs from 'node:fs';
import os from 'node:os';
import { fmt } from './http.js';
import type { ResultRow } from './scenario.js';

/** Where and when the figures were measured. */
export interface Machine {
  date: string;
  cpu: string;
  cores: number;
  memoryGiB: number;
  node: string;
  sqlite: string;
  /** 1-minute load average at start and end: other work on a shared machine. */
  loadStart: number;
  loadEnd: number;
}

/** The machine's description, `loadEnd` filled in later. */
export function machine(sqlite: string): Machine {
  return {
    date: new Date().toISOString(),
    cpu: os.cpus()[0]?.model ?? 'unknown',
    cores: os.cpus().length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    sqlite,
    loadStart: os.loadavg()[0]!,
    loadEnd: Number.NaN,
  };
}

const figure = (n: number, unit: string): string => {
  if (!Number.isFinite(n)) return '—';
  const digits = unit.startsWith('ms') || unit === 's' ? 1 : 0;
  return `${fmt(n, digits)} ${unit}`;
};

/** The results table in markdown. */
export function table(rows: readonly ResultRow[]): string {
  const lines = ['| scenario | Peyvand | baseline | ratio | target | result |', '|---|---:|---:|---:|---|---|'];
  for (const r of rows) {
    const ratio = Number.isFinite(r.ratio) ? `${r.ratio.toFixed(2)} (${r.ratioLabel})` : '—';
    const result = r.pass === null ? (r.details?.startsWith('skipped') ? 'skipped' : 'reference') : r.pass ? 'pass' : '**fail**';
    lines.push(`| ${r.scenario} | ${figure(r.peyvand, r.unit)} | ${figure(r.baseline, r.unit)} | ${ratio} | ${r.target} | ${result} |`);
  }
  return lines.join('\n');
}

/** Notes under the table: each row's extra figures. */
export function notes(rows: readonly ResultRow[]): string {
  return rows.filter((r) => r.details).map((r) => `- ${r.scenario}: ${r.details}`).join('\n');
}

/** The machine line under the table. */
export function machineLine(m: Machine, quick: boolean): string {
  return `${m.date.slice(0, 10)} · ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB · Node ${m.node} · SQLite ${m.sqlite} · load average ${m.loadStart.toFixed(1)} at start, ${m.loadEnd.toFixed(1)} at end${quick ? ' · --quick' : ''}`;
}

const START = '<!-- bench:latest:start -->';
const END = '<!-- bench:latest:end -->';

/** Replaces the section between the markers of docs/performance.md with the latest table. */
export function updateDoc(file: string, rows: readonly ResultRow[], m: Machine, command: string): boolean {
  if (!fs.existsSync(file)) return false;
  const doc = fs.readFileSync(file, 'utf8');
  const from = doc.indexOf(START);
  const to = doc.indexOf(END);
  if (from < 0 || to < from) return false;
  const section = `${START}\n\n\`${command}\` — ${machineLine(m, false)}\n\n${table(rows)}\n\n${notes(rows)}\n\n${END}`;
  fs.writeFileSync(file, doc.slice(0, from) + section + doc.slice(to + END.length));
  return true;
}
