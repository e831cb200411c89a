/**
 * One package, cold, as a whole `aam-trust verify NAME` process — in a
 * project of one package and in the large worlds — against `node -e 0` (and
 * `aam-trust --version`, which only loads the CLI, and a Node process that
 * only loads and uses node:crypto and node:zlib, which every verification
 * needs: the machine's floor under goal 3) in the same rounds. Then
 * in the large worlds as a user runs it after a verify-all: with that run's
 * stored results there, as `verify NAME` and as `verify --no-cache NAME`
 * (what the stored results of every other package cost one package). Then,
 * once, untimed: which of the collision pairs' packages verify-one and
 * verify-all report as failing.
 */
import { CLI, ratio, round, RUNS, SMOKE, summary, timeProcess } from '../harness.ts';
import type { SectionResult } from '../harness.ts';
import type { World } from '../worlds.ts';
import { cliCold, cliStored } from './verify-all.ts';

/** A SHA-256 and an inflate: the built-ins a verification cannot do without, loaded and used once. */
const BUILTINS =
  "const c = require('node:crypto'), z = require('node:zlib'); c.createHash('sha256').update(z.gunzipSync(z.gzipSync('x'))).digest()";

export function verifyOne(single: World, large: World[]): SectionResult {
  const rounds = SMOKE ? 1 : Math.max(RUNS * 2, 10);
  const nodeMs: number[] = [];
  const builtinsMs: number[] = [];
  const version: number[] = [];
  const alone: number[] = [];
  const inWorld = large.map(() => [] as number[]);
  for (let i = 0; i < rounds; i++) {
    nodeMs.push(timeProcess(['-e', '0']).ms);
    builtinsMs.push(timeProcess(['-e', BUILTINS]).ms);
    version.push(timeProcess([CLI, '--version']).ms);
    alone.push(cliCold(single, [single.names[0]!]).ms);
    large.forEach((world, k) => inWorld[k]!.push(cliCold(world, [world.names[0]!]).ms));
  }
  // After a verify-all (its results stored, as on a user's machine); node -e 0 again in the same rounds.
  const storedNode: number[] = [];
  const stored = large.map(() => ({ reuse: [] as number[], forced: [] as number[] }));
  large.forEach((world) => cliCold(world));
  for (let i = 0; i < rounds; i++) {
    storedNode.push(timeProcess(['-e', '0']).ms);
    large.forEach((world, k) => {
      stored[k]!.reuse.push(cliStored(world, [world.names[0]!]).ms);
      stored[k]!.forced.push(cliStored(world, ['--no-cache', world.names[0]!]).ms);
    });
  }
  const over = (values: number[], node = nodeMs) => ({
    ms: summary(values),
    over_node_ms: round(summary(values).median - summary(node).median),
    ratio_to_node: ratio(values, node),
  });
  const collisions = Object.fromEntries(
    large.map((world) => {
      // The smoke run checks one pair: the path is the same for every pair.
      const members = (SMOKE ? world.collisions.slice(0, 1) : world.collisions).flat();
      const one = members.filter((name) => cliCold(world, [name]).failing.length > 0);
      const all = cliCold(world).failing;
      return [world.method, { collision_packages: members, verify_one_failing: one, verify_all_failing: all }];
    }),
  );
  const figures = {
    node_e0_ms: summary(nodeMs),
    node_crypto_zlib_ms: summary(builtinsMs),
    cli_version: over(version),
    one_package_project: over(alone),
    ...Object.fromEntries(large.map((world, k) => [`in_${world.method}_${world.packages}`, over(inWorld[k]!)])),
    node_e0_stored_rounds_ms: summary(storedNode),
    ...Object.fromEntries(
      large.flatMap((world, k) => [
        [`in_${world.method}_${world.packages}_after_verify_all`, over(stored[k]!.reuse, storedNode)],
        [`in_${world.method}_${world.packages}_after_verify_all_no_cache`, over(stored[k]!.forced, storedNode)],
      ]),
    ),
    collisions,
  };
  const margin = round(100 - figures.node_crypto_zlib_ms.median, 0);
  const row = (what: string, f: ReturnType<typeof over>) =>
    [
      what,
      `${round(f.ms.median, 0)} ms`,
      `node -e 0 + ${round(f.over_node_ms, 0)} ms (${f.ratio_to_node.median}×, rounds ${f.ratio_to_node.min}–${f.ratio_to_node.max}×); goal ≤ 100 ms`,
    ] as [string, string, string];
  return {
    figures,
    rows: [
      ['node -e 0 (process floor)', `${round(figures.node_e0_ms.median, 0)} ms`, `median of ${rounds}`],
      [
        'node with node:crypto and node:zlib used (no verification does less)',
        `${round(figures.node_crypto_zlib_ms.median, 0)} ms`,
        margin >= 0
          ? `the goal's 100 ms leaves ${margin} ms for the CLI, its reads and checks`
          : `${-margin} ms over the goal's 100 ms before the CLI runs at all`,
      ],
      row('aam-trust --version (loads dist/cli.js)', figures.cli_version),
      row('verify NAME, cold, project of one package', figures.one_package_project),
      ...large.map((world, k) =>
        row(`verify NAME, cold, ${world.packages} ${world.method} packages`, over(inWorld[k]!)),
      ),
      ...large.flatMap((world, k) => [
        row(
          `verify NAME after a verify-all, ${world.packages} ${world.method} packages`,
          over(stored[k]!.reuse, storedNode),
        ),
        row(
          `verify --no-cache NAME after a verify-all, ${world.packages} ${world.method} packages`,
          over(stored[k]!.forced, storedNode),
        ),
      ]),
      ...large.map(
        (world) =>
          [
            `collisions (${world.method}): failing in verify-one / verify-all`,
            `${collisions[world.method]!.verify_one_failing.length} / ${collisions[world.method]!.verify_all_failing.length}`,
            `of ${collisions[world.method]!.collision_packages.length} packages in collision pairs (a warning naming both; test/core/verify/bench-collisions.test.ts asserts agreement)`,
          ] as [string, string, string],
      ),
    ],
  };
}
