/**
 * Verify-all inside the extension: the bundled engine (dist/features.js, its
 * workers from dist/verify-worker.js) in this process, called as the
 * extension's model calls it — the verifier assembled by the engine's
 * verificationServices on every verification, the config loaded once
 * beforehand. Run as its own process:
 *
 *   node bench/verify.ts cold WORLD [WORKERS]  one cold run, no stored results
 *   node bench/verify.ts warm WORLD RUNS       a cold run that stores results, RUNS warm runs (store in memory)
 *                                              swept by stat, RUNS with a file watcher vouching (ChangeWatch),
 *                                              one after an installed file and one after a deployed copy is
 *                                              rewritten (watcher on), one with the store read from disk
 *   node bench/verify.ts scale WORLD RUNS      a cold run with its peak RSS, then RUNS warm runs
 *
 * Prints JSON. Exits non-zero if a package outside the world's collision
 * pairs does not verify: then the benchmark would time something else.
 */
import { lstatSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { VerificationStore } from '../src/core/verify/store/result-store.ts';
import { ChangeWatch } from '../src/core/verify/store/change-watch.ts';
import type { PackageReport } from '../src/core/verify/verdict/report.ts';
import { toFsName } from '../src/core/model/names.ts';
import { nameGroupPath } from '../src/core/scan/name-groups.ts';
import type { Engine } from '../src/extension/engine.ts';
import type { WorldInfo } from './fixtures.ts';
import { isFailing } from './harness.ts';
import { installVscodeStub } from './vscode-stub.ts';

installVscodeStub();
const { engine } = createRequire(import.meta.url)(join(import.meta.dirname, '..', 'dist', 'features.js')) as {
  engine: Engine;
};
const [mode, world, arg] = process.argv.slice(2) as [string, string, string | undefined];
const info = JSON.parse(readFileSync(join(world, 'ready.json'), 'utf8')) as WorldInfo;
const colliding = new Set(info.collisions.flat());
const home = join(world, 'home');
const project = join(world, 'project');
const config = await engine.loadConfig({ homeDir: home, projectDir: project, env: {} });
const workspace = {
  root: project,
  aamDir: join(project, '.aam'),
  lockFile: join(project, '.aam', 'aam-lock.yaml'),
  packagesDir: join(project, '.aam', 'packages'),
};

interface Run {
  ms: number;
  total: number;
  failing: string[];
  /** Packages whose checks ran in this run (the rest reused a stored result). */
  rechecked: number;
}

async function run(options: { store?: VerificationStore; workers?: number; watch?: ChangeWatch }): Promise<Run> {
  const started = performance.now();
  const startedAt = Date.now();
  const reports: PackageReport[] = await engine.verifyWorkspace({
    workspace,
    config,
    ...engine.verificationServices(config, home, {}),
    homeDir: home,
    recordSigners: true,
    ...options,
  });
  const ms = performance.now() - started;
  const failing = reports
    .filter((r) => isFailing(r.findings.some((f) => f.action === 'fail') ? 'fail' : r.verdict.action, r.verdict.status))
    .map((r) => r.name);
  const unexpected = failing.filter((name) => !colliding.has(name));
  if (reports.length !== info.packages || unexpected.length > 0)
    throw new Error(`${reports.length} of ${info.packages} reported; failing outside the collisions: ${unexpected}`);
  const rechecked = reports.filter((r) => Date.parse(r.checkedAt) >= startedAt).length;
  return { ms, total: reports.length, failing, rechecked };
}

/** Rewrites a file with the bytes it has: a change of its stamps, none of its content. */
function touch(path: string): void {
  writeFileSync(path, readFileSync(path));
}

/**
 * The warm floor: one lstat of every path a stored result was established
 * from (evidence, installed folders and files, deployed copies), which is
 * what "nothing changed" costs when every path is asked again.
 */
function statFloor(store: VerificationStore): { ms: number; paths: number } {
  const paths: string[] = [];
  for (const [name, stored] of Object.entries(store.all(workspace.lockFile))) {
    // A name group's is its folder's stat (its listing is kept while that holds: name-groups.ts).
    for (const key of Object.keys(stored.result.evidence)) {
      const group = nameGroupPath(key);
      paths.push(group === undefined ? key : dirname(group));
    }
    const dir = join(workspace.packagesDir, toFsName(name));
    const scan = stored.result.scan;
    if (scan) for (const rel of [...Object.keys(scan.dirs), ...Object.keys(scan.files)]) paths.push(join(dir, rel));
  }
  const started = performance.now();
  for (const path of paths) lstatSync(path, { bigint: true, throwIfNoEntry: false });
  return { ms: performance.now() - started, paths: paths.length };
}

/**
 * The watcher's floor: what a warm run with nothing changed cannot do without — handling the
 * events delivered (settle) and asking once per package whether it is vouched for.
 */
async function watchFloor(store: VerificationStore, watch: ChangeWatch): Promise<number> {
  const results = Object.entries(store.all(workspace.lockFile));
  const started = performance.now();
  await watch.settle();
  for (const [name, stored] of results)
    watch.check(
      `${workspace.lockFile}\0${name}`,
      stored.result,
      () => [],
      () => false,
    );
  return performance.now() - started;
}

const peakRssMb = () => process.resourceUsage().maxRSS / 1024;

let out: Record<string, unknown>;
if (mode === 'cold') {
  const cold = await run({ workers: arg === undefined ? undefined : Number(arg) });
  out = { ...cold, peakRssMb: peakRssMb() };
} else if (mode === 'scale') {
  const store = new VerificationStore(undefined);
  const cold = await run({ store });
  const rss = peakRssMb();
  const warm: number[] = [];
  for (let i = 0; i < Number(arg ?? 3); i++) warm.push((await run({ store })).ms);
  out = { ...cold, failing: cold.failing.length, peakRssMb: rss, warm };
} else {
  const storeDir = mkdtempSync(join(tmpdir(), 'aam-bench-store-'));
  try {
    const store = new VerificationStore(storeDir);
    const cold = await run({ store });
    const warm: Run[] = [];
    for (let i = 0; i < Number(arg ?? 5); i++) warm.push(await run({ store }));
    const floor = statFloor(store);
    // With a watcher: the first run sweeps (and sets up the watches), then nothing is to be swept.
    const watch = new ChangeWatch();
    const firstWatched = await run({ store, watch });
    const swept = watch.stats.swept;
    const watched: Run[] = [];
    // Twice as many: each is short, and the first few pay for the sweeps' garbage and compiling this path.
    for (let i = 0; i < 2 * Number(arg ?? 5); i++) watched.push(await run({ store, watch }));
    const watchedSwept = watch.stats.swept - swept;
    const watchFloors: number[] = [];
    for (let i = 0; i < 5; i++) watchFloors.push(await watchFloor(store, watch));
    // One package's installed file, then one package's deployed copy: only that package is to be checked again.
    const name = info.names.find((n) => !colliding.has(n))!;
    const short = name.slice('@bench/'.length);
    touch(join(workspace.packagesDir, toFsName(name), 'prompts', `${short}.md`));
    const afterInstalled = await run({ store, watch });
    touch(join(project, '.cursor', 'prompts', `${short}.md`));
    const afterDeployed = await run({ store, watch });
    watch.close();
    const fromDisk = await run({ store: new VerificationStore(storeDir) });
    out = {
      coldMs: cold.ms,
      failing: cold.failing,
      warm: warm.map((w) => w.ms),
      warmRechecked: Math.max(...warm.map((w) => w.rechecked)),
      statFloorMs: floor.ms,
      statPaths: floor.paths,
      watchedFirstMs: firstWatched.ms,
      watched: watched.map((w) => w.ms),
      watchedRechecked: Math.max(...watched.map((w) => w.rechecked)),
      watchedSwept,
      watchFloorMs: watchFloors.sort((a, b) => a - b)[2],
      changed: name,
      afterInstalledChange: { ms: afterInstalled.ms, rechecked: afterInstalled.rechecked },
      afterDeployedChange: { ms: afterDeployed.ms, rechecked: afterDeployed.rechecked },
      fromDiskMs: fromDisk.ms,
    };
  } finally {
    rmSync(storeDir, { recursive: true, force: true });
  }
}
process.stdout.write(`${JSON.stringify(out)}\n`);
