/**
 * Cold verify-all of a world against its floor, round by round in the same
 * run: the floor on one thread and on every core, the engine inside the
 * extension (all threads, and this thread only), and a whole
 * `aam-trust verify --no-cache` process with no stored results (a fresh CI machine).
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
    {
      cwd: join(world.root, 'project'),
      env: worldEnv(world.root),
      ok: [0, 1],
    },
  );
  const peak = /aam-bench-peak-rss-kb=(\d+)/.exec(run.stderr);
  return { ms: run.ms, ...failingOf(run.stdout), peakRssMb: peak ? Number(peak[1]) / 1024 : undefined };
}

export function verifyAll(world: World, label: string): SectionResult {
  const cores = availableParallelism();
  const runs = {
    floorOneThread: [] as number[],
    floor: [] as number[],
    engine: [] as number[],
    oneThread: [] as number[],
    cli: [] as number[],
  };
  let last: { floor: Floor; engine: Cold; cli: ReturnType<typeof cliCold> } | undefined;
  const rss: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    runs.floorOneThread.push(runJson<Floor>('floor.ts', [world.method, world.root, '1', '1']).times[0]!);
    const floor = runJson<Floor>('floor.ts', [world.method, world.root, '1', String(cores)]);
    runs.floor.push(floor.times[0]!);
    const engine = runJson<Cold>('verify.ts', ['cold', world.root]);
    runs.engine.push(engine.ms);
    rss.push(engine.peakRssMb);
    runs.oneThread.push(runJson<Cold>('verify.ts', ['cold', world.root, '0']).ms);
    const cli = cliCold(world);
    runs.cli.push(cli.ms);
    last = { floor, engine, cli };
  }
  const engineRatio = ratio(runs.engine, runs.floor);
  const cliRatio = ratio(runs.cli, runs.floor);
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
    engine_peak_rss_mb: round(Math.max(...rss), 0),
    failing: {
      engine: last!.engine.failing,
      cli: last!.cli.failing,
      floor_deployed_mismatches: last!.floor.deployedMismatches,
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
        `  one thread: engine / floor`,
        `${ms(figures.engine_one_thread_ms)} / ${ms(figures.floor_one_thread_ms)}`,
        `${figures.one_thread_ratio.median}×; engine peak RSS ${figures.engine_peak_rss_mb} MB`,
      ],
      [
        `  failing: engine / CLI / floor's deployed mismatches`,
        `${figures.failing.engine.length} / ${figures.failing.cli.length} / ${figures.failing.floor_deployed_mismatches.length}`,
        `${world.collisions.length} collision pairs in the world`,
      ],
    ],
  };
}
