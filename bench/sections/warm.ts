/**
 * Warm re-verification in a long-running host (the engine in one process, its
 * results in memory), against the warm floors measured in the same process:
 * swept by stat, one lstat of every path the stored results were established
 * from; with a file watcher (ChangeWatch, as the extension runs), its own
 * bookkeeping (handling the events delivered, one lookup per package). Then
 * one installed file, and one deployed copy, rewritten with the watcher on:
 * how many packages are checked again.
 */
import { median, PACKAGES, ratio, round, RUNS, runJson, SMOKE, summary } from '../harness.ts';
import type { SectionResult } from '../harness.ts';
import type { World } from '../worlds.ts';

interface Warm {
  coldMs: number;
  warm: number[];
  warmRechecked: number;
  statFloorMs: number;
  statPaths: number;
  watchedFirstMs: number;
  watched: number[];
  watchedRechecked: number;
  watchedSwept: number;
  watchFloorMs: number;
  changed: string;
  afterInstalledChange: { ms: number; rechecked: number };
  afterDeployedChange: { ms: number; rechecked: number };
  fromDiskMs: number;
}

export function warm(world: World): SectionResult {
  const processes = SMOKE ? 1 : Math.max(1, Math.min(RUNS, 3));
  const inProcess = SMOKE ? 3 : 15;
  const runs: Warm[] = Array.from({ length: processes }, () =>
    runJson<Warm>('verify.ts', ['warm', world.root, String(inProcess)]),
  );
  // Per process: the median of its warm runs (the first ones also compile the warm path), and its floor.
  const perProcess = runs.map((r) => median(r.warm));
  const floors = runs.map((r) => r.statFloorMs);
  const per1000 = (ms: number) => (ms * 1000) / world.packages;
  const figures = {
    packages: world.packages,
    warm_ms: summary(perProcess, 2),
    warm_per_1000_ms: summary(perProcess.map(per1000), 2),
    warm_first_ms: summary(
      runs.map((r) => r.warm[0]!),
      2,
    ),
    warm_runs: runs.map((r) => r.warm.map((v) => round(v, 2))),
    warm_rechecked: Math.max(...runs.map((r) => r.warmRechecked)),
    stat_floor_ms: summary(floors, 2),
    stat_floor_paths: runs[0]!.statPaths,
    ratio_to_stat_floor: ratio(perProcess, floors),
    watched_ms: summary(
      runs.map((r) => median(r.watched)),
      3,
    ),
    watched_per_1000_ms: summary(
      runs.map((r) => per1000(median(r.watched))),
      3,
    ),
    watched_first_ms: summary(runs.map((r) => r.watchedFirstMs)),
    watched_runs: runs.map((r) => r.watched.map((v) => round(v, 3))),
    watched_rechecked: Math.max(...runs.map((r) => r.watchedRechecked)),
    watched_swept: Math.max(...runs.map((r) => r.watchedSwept)),
    watch_floor_ms: summary(
      runs.map((r) => r.watchFloorMs),
      3,
    ),
    watched_ratio_to_watch_floor: ratio(
      runs.map((r) => median(r.watched)),
      runs.map((r) => r.watchFloorMs),
    ),
    from_disk_ms: summary(runs.map((r) => r.fromDiskMs)),
    after_installed_change: {
      ms: summary(runs.map((r) => r.afterInstalledChange.ms)),
      rechecked: Math.max(...runs.map((r) => r.afterInstalledChange.rechecked)),
    },
    after_deployed_change: {
      ms: summary(runs.map((r) => r.afterDeployedChange.ms)),
      rechecked: Math.max(...runs.map((r) => r.afterDeployedChange.rechecked)),
    },
  };
  return {
    figures,
    rows: [
      [
        `warm re-verify, nothing changed, swept by stat (${PACKAGES} packages)`,
        `${figures.warm_ms.median} ms`,
        `${round(figures.warm_per_1000_ms.median, 1)} ms per 1,000 (goal ≤ 10); ${figures.ratio_to_stat_floor.median}× one lstat per path (${figures.stat_floor_paths} paths, ${figures.stat_floor_ms.median} ms); first ${figures.warm_first_ms.median} ms`,
      ],
      [
        `warm re-verify with the file watcher, nothing changed (${PACKAGES} packages)`,
        `${figures.watched_ms.median} ms`,
        `${round(figures.watched_per_1000_ms.median, 2)} ms per 1,000 (goal ≤ 10); ${figures.watched_ratio_to_watch_floor.median}× the watcher's floor (${figures.watch_floor_ms.median} ms); ${figures.watched_swept} swept, ${figures.watched_rechecked} re-checked; first (sweep, watches set up) ${figures.watched_first_ms.median} ms`,
      ],
      [
        'warm re-verify after one installed file / deployed copy changed (watcher on)',
        `${figures.after_installed_change.rechecked} / ${figures.after_deployed_change.rechecked} re-checked`,
        `${figures.after_installed_change.ms.median} / ${figures.after_deployed_change.ms.median} ms; store read from disk first: ${figures.from_disk_ms.median} ms`,
      ],
    ],
  };
}
