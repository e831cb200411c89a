/**
 * What every section of the benchmark shares: its size (full or smoke), how a
 * measurement runs in a process of its own, and how figures are summarised.
 */
import { spawnSync } from 'node:child_process';
import type { SpawnSyncOptions } from 'node:child_process';
import { join } from 'node:path';

export const repo = join(import.meta.dirname, '..');
export const fixtures = join(repo, '.bench-fixtures');
export const node = process.execPath;
export const CLI = join(repo, 'dist', 'cli.js');

/**
 * The smoke size runs every measurement once on small worlds, so that `npm test`
 * notices when one breaks; its figures are not results. The full size is `npm run bench`.
 */
export const SMOKE = process.argv.includes('--smoke') || process.env.AAM_BENCH_SMOKE === '1';
export const RUNS = Number(process.env.AAM_BENCH_RUNS ?? (SMOKE ? 1 : 5));
export const PACKAGES = Number(process.env.AAM_BENCH_PACKAGES ?? (SMOKE ? 50 : 1000));
/** The memory and linearity point: ten times the world, or 500 packages for the smoke run. */
export const SCALE = Number(process.env.AAM_BENCH_SCALE ?? (SMOKE ? 500 : 10 * PACKAGES));

/** What the worlds' prompts hold (see buildBenchWorld): random printable text by default, or Markdown. */
export const CONTENT = process.env.AAM_BENCH_CONTENT === 'text' ? 'text' : 'random';
if (process.env.AAM_BENCH_CONTENT && process.env.AAM_BENCH_CONTENT !== CONTENT)
  throw new Error(`AAM_BENCH_CONTENT is "random" or "text", not "${process.env.AAM_BENCH_CONTENT}".`);

/** A table row: what, the figure, and what it is against. */
export type Row = [string, string, string];

/** A section's output: rows for the printed table, figures for results.json. */
export interface SectionResult {
  rows: Row[];
  figures: Record<string, unknown>;
}

export const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};
export const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;

/** Median and spread of one measurement's runs, as results.json keeps them. */
export function summary(
  values: readonly number[],
  digits = 1,
): { median: number; min: number; max: number; runs: number[] } {
  return {
    median: round(median(values), digits),
    min: round(Math.min(...values), digits),
    max: round(Math.max(...values), digits),
    runs: values.map((v) => round(v, digits)),
  };
}

/**
 * A ratio of two measurements taken round by round in the same run: the ratio
 * of their medians (the headline), and the spread of the per-round ratios.
 */
export function ratio(ours: readonly number[], floor: readonly number[]) {
  const perRound = ours.map((v, i) => v / floor[i]!);
  return {
    median: round(median(ours) / median(floor), 2),
    min: round(Math.min(...perRound), 2),
    max: round(Math.max(...perRound), 2),
  };
}

/** Runs bench/SCRIPT in a process of its own and returns the last line it prints, parsed. */
export function runJson<T>(script: string, args: string[], env?: NodeJS.ProcessEnv): T {
  const result = spawnSync(node, [join(repo, 'bench', script), ...args], {
    cwd: repo,
    encoding: 'utf8',
    maxBuffer: 64 << 20,
    env: env ?? process.env,
  });
  if (result.status !== 0) throw new Error(`bench/${script} ${args.join(' ')} failed:\n${result.stderr}`);
  return JSON.parse(result.stdout.trim().split('\n').pop()!) as T;
}

/**
 * Wall time of a whole process, from spawn to exit, as a shell user sees it.
 * `ok` lists the exit codes that are not a failure of the benchmark.
 */
export function timeProcess(
  args: string[],
  options: SpawnSyncOptions & { ok?: number[] } = {},
): { ms: number; stdout: string; stderr: string; status: number } {
  const started = performance.now();
  const result = spawnSync(node, args, { encoding: 'utf8', maxBuffer: 64 << 20, ...options });
  const ms = performance.now() - started;
  const status = result.status ?? -1;
  if (!(options.ok ?? [0]).includes(status))
    throw new Error(`node ${args.join(' ')} exited with ${status}:\n${String(result.stderr).slice(0, 4000)}`);
  return { ms, stdout: String(result.stdout), stderr: String(result.stderr), status };
}

/** Environment for a CLI run in a world: its home (policy, trusted root, keyring), no colour. */
export function worldEnv(world: string): NodeJS.ProcessEnv {
  return { ...process.env, HOME: join(world, 'home'), NO_COLOR: '1' };
}

/** A package counts as failing as the CLI's summary counts it: a failing outcome, or tampered or missing evidence. */
export const isFailing = (outcome: string, status: string) =>
  outcome === 'fail' || status === 'tampered' || status === 'unavailable';

/**
 * `aam-trust verify --json` output: how many packages it reported, and the
 * names of those that failed. The CLI exits 1 when any fails, which is a
 * verdict, not a broken run.
 */
export function failingOf(stdout: string): { total: number; failing: string[] } {
  const parsed = JSON.parse(stdout) as { packages: { name: string; outcome: string; status: string }[] };
  return {
    total: parsed.packages.length,
    failing: parsed.packages.filter((p) => isFailing(p.outcome, p.status)).map((p) => p.name),
  };
}
