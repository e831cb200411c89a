/**
 * Cold verify-all of a world against its floors, round by round in the same
 * run: the floor on one thread and on every core, each in its two modes —
 * prepared (its inputs parsed before its clock: the checks alone) and reading
 * (reading and parsing them inside the clock, which no cold verifier can
 * skip) — the engine inside the extension (all threads, and this thread
 * only), and a whole `aam-trust verify --no-cache` process with no stored
 * results (a fresh CI machine). The floor fails exactly the packages the
 * engine fails (test/core/verify/bench-floor-honest.test.ts): here, where
 * nothing is tampered with, none, or the run times something else.
 */
import { rmSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { CLI, failingOf, PACKAGES, ratio, round, RUNS, runJson, summary, timeProcess, worldEnv } from '../harness.ts';
import type { SectionResult } from '../harness.ts';
import type { World } from '../worlds.ts';

interface Floor {
  times: number[];
  threads: number;
  mode: 'prepared' | 'reading';
  failures: Record<string, string>;
  hidden: string[];
  deployedMismatches: string[];
}
interface Cold {
  ms: number;
  total: number;
  failing: string[];
  peakRssMb: number;
}

/** Makes a process report its peak RSS (threads included) on stderr as it exits. */
const PEAK_RSS_HOOK =
  "data:text/javascript,import{writeSync}from'node:fs';process.on('exit',()=>writeSync(2,'\\naam-bench-peak-rss-kb='+process.resourceUsage().maxRSS+'\\n'))";

/**
 * The CLI's cold run: no stored results from an earlier run (which would decide
 * collisions differently), nothing reused. With `rss`, its peak RSS too (the
 * hook costs a module load: not for timed runs).
 */
export function cliCold(world: World, args: string[] = [], rss = false) {
  rmSync(join(world.root, 'home', '.aam', 'cache', 'verified'), { recursive: true, force: true });
  const run = timeProcess(
    [...(rss ? ['--import', PEAK_RSS_HOOK] : []), CLI, 'verify', '--no-cache', '--json', ...args],
    inWorld(world),
  );
  const peak = /aam-bench-peak-rss-kb=(\d+)/.exec(run.stderr);
  return { ms: run.ms, ...failingOf(run.stdout), peakRssMb: peak ? Number(peak[1]) / 1024 : undefined };
}

/** `aam-trust verify ARGS` as a user runs it: whatever an earlier run stored is there (and what this one stores stays). */
export function cliStored(world: World, args: string[]) {
  return timeProcess([CLI, 'verify', '--json', ...args], inWorld(world));
}

/** A CLI run in a world's project, with its home; exit 1 (a package failed) is a verdict, not a broken run. */
const inWorld = (world: World) => ({ cwd: join(world.root, 'project'), env: worldEnv(world.root), ok: [0, 1] });

export function verifyAll(world: World, label: string): SectionResult {
  const cores = availableParallelism();
  const runs = {
    floorOneThread: [] as number[],
    floor: [] as number[],
    readingOneThread: [] as number[],
    reading: [] as number[],
    engine: [] as number[],
    oneThread: [] as number[],
    cli: [] as number[],
  };
  let last: { floor: Floor; engine: Cold; cli: ReturnType<typeof cliCold> } | undefined;
  const rss: number[] = [];
  const floorRun = (threads: number, mode: Floor['mode']) => {
    const floor = runJson<Floor>('floor.ts', [world.method, world.root, '1', String(threads), mode]);
    const failing = Object.entries(floor.failures);
    if (failing.length > 0)
      throw new Error(
        `the ${mode} floor fails packages the world does not tamper with: ${failing.slice(0, 3).join('; ')}`,
      );
    return floor;
  };
  for (let i = 0; i < RUNS; i++) {
    // The two modes alternate which goes first, so neither always meets the machine's state after the other.
    const modes = i % 2 ? (['reading', 'prepared'] as const) : (['prepared', 'reading'] as const);
    let floor: Floor | undefined;
    for (const mode of modes) {
      (mode === 'prepared' ? runs.floorOneThread : runs.readingOneThread).push(floorRun(1, mode).times[0]!);
      const many = floorRun(cores, mode);
      (mode === 'prepared' ? runs.floor : runs.reading).push(many.times[0]!);
      if (mode === 'prepared') floor = many;
    }
    const engine = runJson<Cold>('verify.ts', ['cold', world.root]);
    runs.engine.push(engine.ms);
    rss.push(engine.peakRssMb);
    runs.oneThread.push(runJson<Cold>('verify.ts', ['cold', world.root, '0']).ms);
    const cli = cliCold(world);
    runs.cli.push(cli.ms);
    last = { floor: floor!, engine, cli };
  }
  const engineRatio = ratio(runs.engine, runs.floor);
  const cliRatio = ratio(runs.cli, runs.floor);
  const engineReading = ratio(runs.engine, runs.reading);
  const cliReading = ratio(runs.cli, runs.reading);
  const figures = {
    packages: world.packages,
    threads: cores,
    floor_ms: summary(runs.floor),
    floor_one_thread_ms: summary(runs.floorOneThread),
    engine_ms: summary(runs.engine),
    engine_one_thread_ms: summary(runs.oneThread),
    cli_ms: summary(runs.cli),
    engine_ratio: engineRatio,
    cli_ratio: cliRatio,
    one_thread_ratio: ratio(runs.oneThread, runs.floorOneThread),
    // The same, against the floor that reads and parses its inputs inside its clock.
    reading_floor_ms: summary(runs.reading),
    reading_floor_one_thread_ms: summary(runs.readingOneThread),
    engine_reading_ratio: engineReading,
    cli_reading_ratio: cliReading,
    one_thread_reading_ratio: ratio(runs.oneThread, runs.readingOneThread),
    engine_peak_rss_mb: round(Math.max(...rss), 0),
    failing: {
      engine: last!.engine.failing,
      cli: last!.cli.failing,
      floor: Object.keys(last!.floor.failures),
      floor_deployed_mismatches: last!.floor.deployedMismatches,
      floor_hidden: last!.floor.hidden,
      collisions: world.collisions,
    },
  };
  const ms = (s: { median: number }) => `${round(s.median, 0)} ms`;
  return {
    figures,
    rows: [
      [
        `cold verify-all, ${PACKAGES} ${label}, in the extension`,
        ms(figures.engine_ms),
        `${engineRatio.median}× the ${cores}-thread floor (${ms(figures.floor_ms)}; rounds ${engineRatio.min}–${engineRatio.max}×); goal ≤ 1.2×`,
      ],
      [
        `cold verify-all, ${PACKAGES} ${label}, aam-trust verify process`,
        ms(figures.cli_ms),
        `${cliRatio.median}× the ${cores}-thread floor (rounds ${cliRatio.min}–${cliRatio.max}×); goal ≤ 1.2×`,
      ],
      [
        `  against the ${cores}-thread reading floor (${ms(figures.reading_floor_ms)})`,
        `${engineReading.median}× / ${cliReading.median}×`,
        `extension / CLI (rounds ${engineReading.min}–${engineReading.max}× / ${cliReading.min}–${cliReading.max}×); goal ≤ 1.2×`,
      ],
      [
        `  one thread: engine / floor`,
        `${ms(figures.engine_one_thread_ms)} / ${ms(figures.floor_one_thread_ms)}`,
        `${figures.one_thread_ratio.median}×; engine peak RSS ${figures.engine_peak_rss_mb} MB`,
      ],
      [
        `  one thread: engine / reading floor`,
        `${ms(figures.engine_one_thread_ms)} / ${ms(figures.reading_floor_one_thread_ms)}`,
        `${figures.one_thread_reading_ratio.median}×`,
      ],
      [
        `  failing: engine / CLI / floor's deployed mismatches`,
        `${figures.failing.engine.length} / ${figures.failing.cli.length} / ${figures.failing.floor_deployed_mismatches.length}`,
        `${world.collisions.length} collision pairs in the world`,
      ],
    ],
  };
}
