/**
 * Memory and linearity: verify-all of the base world and of one ten times its
 * size (500 packages in the smoke run), round by round — time per package at
 * both sizes, in the extension and as a CLI process, the peak RSS of each,
 * the floor at the large size, and warm re-verification there.
 */
import { availableParallelism } from 'node:os';
import { median, ratio, round, RUNS, runJson, SMOKE, summary } from '../harness.ts';
import type { SectionResult } from '../harness.ts';
import type { World } from '../worlds.ts';
import { cliCold } from './verify-all.ts';

interface Scale {
  ms: number;
  total: number;
  failing: number;
  peakRssMb: number;
  warm: number[];
}

export function scale(base: World, large: World): SectionResult {
  const rounds = SMOKE ? 1 : Math.max(1, Math.min(RUNS, 3));
  const cores = availableParallelism();
  const engine = { base: [] as number[], large: [] as number[], rss: [] as number[], warm: [] as number[] };
  const cli = { base: [] as number[], large: [] as number[], rss: [] as number[] };
  const floor: number[] = [];
  for (let i = 0; i < rounds; i++) {
    floor.push(runJson<{ times: number[] }>('floor.ts', [large.method, large.root, '1', String(cores)]).times[0]!);
    engine.base.push(runJson<Scale>('verify.ts', ['scale', base.root, '1']).ms);
    const big = runJson<Scale>('verify.ts', ['scale', large.root, '3']);
    engine.large.push(big.ms);
    engine.rss.push(big.peakRssMb);
    engine.warm.push(median(big.warm));
    cli.base.push(cliCold(base).ms);
    // The hook that reports the peak costs a module load: a run of its own, but for the smoke run, which times nothing.
    const measured = cliCold(large, [], true);
    cli.large.push(SMOKE ? measured.ms : cliCold(large).ms);
    cli.rss.push(measured.peakRssMb!);
  }
  const linear = (atBase: number[], atLarge: number[]) => {
    const small = atBase.map((ms) => ms / base.packages);
    const big = atLarge.map((ms) => ms / large.packages);
    // 1.0: linear; above: each package costs more in the larger world.
    return {
      ms_per_package_base: summary(small, 3),
      ms_per_package_large: summary(big, 3),
      linearity: ratio(big, small),
    };
  };
  const figures = {
    base_packages: base.packages,
    large_packages: large.packages,
    engine: { ...linear(engine.base, engine.large), peak_rss_mb: summary(engine.rss, 0) },
    cli: { ...linear(cli.base, cli.large), peak_rss_mb: summary(cli.rss, 0) },
    floor_ms: summary(floor),
    engine_ratio: ratio(engine.large, floor),
    cli_ratio: ratio(cli.large, floor),
    warm_per_1000_ms: summary(
      engine.warm.map((ms) => (ms * 1000) / large.packages),
      2,
    ),
  };
  const f = figures;
  return {
    figures,
    rows: [
      [
        `verify-all, ${large.packages} packages, in the extension`,
        `${round(median(engine.large) / 1000, 2)} s`,
        `${f.engine.ms_per_package_large.median} ms/package (at ${base.packages}: ${f.engine.ms_per_package_base.median}; ${f.engine.linearity.median}×); peak RSS ${f.engine.peak_rss_mb.median} MB (goal ≤ 300); ${f.engine_ratio.median}× floor`,
      ],
      [
        `verify-all, ${large.packages} packages, aam-trust verify process`,
        `${round(median(cli.large) / 1000, 2)} s`,
        `${f.cli.ms_per_package_large.median} ms/package (at ${base.packages}: ${f.cli.ms_per_package_base.median}; ${f.cli.linearity.median}×); peak RSS ${f.cli.peak_rss_mb.median} MB (goal ≤ 300); ${f.cli_ratio.median}× floor`,
      ],
      [
        `warm re-verify, ${large.packages} packages, swept by stat (no watcher)`,
        `${round(median(engine.warm), 1)} ms`,
        `${f.warm_per_1000_ms.median} ms per 1,000 (goal ≤ 10)`,
      ],
    ],
  };
}
