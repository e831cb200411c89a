/**
 * `npm run bench`: builds the bundles and the worlds it needs (cached in
 * .bench-fixtures/), runs every measurement several times, each in a process
 * of its own, alternating with its floor so that both see the same noise, and
 * prints medians with ratios to floors measured in the same run (the machines
 * are shared and noisy). Writes bench/results.json (untracked).
 *
 * `npm run bench:smoke` (in `npm test`): every measurement once on small worlds
 * (50 packages, a 500-package scale point); it fails when a measurement throws
 * or yields no figure, never on a time.
 *
 *   AAM_BENCH_RUNS      rounds per measurement (default 5; smoke 1)
 *   AAM_BENCH_PACKAGES  packages per world (default 1000; smoke 50)
 *   AAM_BENCH_SCALE     the memory and linearity point (default 10 × packages; smoke 500)
 *   AAM_BENCH_CONTENT   the worlds' prompts: random (64 KiB of random base64 lines, the default) or text
 *                       (64 KiB of Markdown, which the hidden-content scan reads in full)
 *   AAM_BENCH_ONLY      comma-separated sections: verify,pgp,one,warm,scale,activation,editor,view,report,hash,publish,registry,memory
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, release, totalmem } from 'node:os';
import { join } from 'node:path';
import { CONTENT, fixtures, node, PACKAGES, repo, round, RUNS, SCALE, SMOKE } from './harness.ts';
import type { Row, SectionResult } from './harness.ts';
import { activation, editor, hash, peers, publish, registry, view } from './sections/other.ts';
import { memory } from './sections/memory.ts';
import { report } from './sections/report.ts';
import { scale } from './sections/scale.ts';
import { verifyAll } from './sections/verify-all.ts';
import { verifyOne } from './sections/verify-one.ts';
import { warm } from './sections/warm.ts';
import { stopAgents, warmPageCache, world } from './worlds.ts';
import type { World } from './worlds.ts';

const only = process.env.AAM_BENCH_ONLY?.split(',');
const wanted = (section: string) => !only || only.includes(section);

/**
 * CPU seconds this process and the children it waited for have used (Linux):
 * how much a section costs, whatever else the shared machine is running.
 */
function cpuSeconds(): number {
  try {
    const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ');
    // utime, stime, cutime, cstime: fields 14–17 of stat, 12–15 after the command name.
    return fields.slice(11, 15).reduce((sum, ticks) => sum + Number(ticks), 0) / 100;
  } catch {
    return NaN;
  }
}

/** Where a figure is missing or not a number: a measurement that produced nothing is a broken benchmark. */
function missingFigures(value: unknown, path: string): string[] {
  if (value === undefined || value === null) return [path];
  if (typeof value === 'number') return Number.isFinite(value) ? [] : [`${path} (${value})`];
  if (Array.isArray(value))
    return value.length === 0 && /runs$/.test(path)
      ? [path]
      : value.flatMap((v, i) => missingFigures(v, `${path}[${i}]`));
  if (typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => missingFigures(v, `${path}.${k}`));
  return [];
}

async function main(): Promise<void> {
  const begun = performance.now();
  await mkdir(fixtures, { recursive: true });
  console.log(`Building the extension bundles...${SMOKE ? ' (smoke run: every measurement once, small worlds)' : ''}`);
  execFileSync(node, [join(repo, 'scripts', 'build.ts')], { cwd: repo, stdio: ['ignore', 'ignore', 'inherit'] });
  const worlds = new Map<string, World>();
  const get = async (method: 'sigstore' | 'gpg', count: number) => {
    const key = `${method}-${count}`;
    if (!worlds.has(key)) {
      const built = await world(method, count);
      warmPageCache(built.root);
      worlds.set(key, built);
    }
    return worlds.get(key)!;
  };
  const sections: [string, string, () => Promise<SectionResult> | SectionResult][] = [
    ['verify', 'verify_all_sigstore', async () => verifyAll(await get('sigstore', PACKAGES), 'Sigstore packages')],
    ['pgp', 'verify_all_gpg', async () => verifyAll(await get('gpg', PACKAGES), 'OpenPGP packages')],
    ['pgp', 'peers', async () => peers(await get('gpg', PACKAGES))],
    [
      'one',
      'verify_one',
      async () => verifyOne(await get('sigstore', 1), [await get('sigstore', PACKAGES), await get('gpg', PACKAGES)]),
    ],
    ['warm', 'warm', async () => warm(await get('sigstore', PACKAGES))],
    ['scale', 'scale', async () => scale(await get('sigstore', PACKAGES), await get('sigstore', SCALE))],
    ['activation', 'activation', activation],
    ['editor', 'editor', editor],
    ['view', 'view', view],
    ['report', 'report', report],
    ['hash', 'hash', hash],
    ['publish', 'publish', publish],
    ['registry', 'registry', registry],
    ['memory', 'registry_memory', memory],
  ];
  const results: Record<string, unknown> = {
    date: new Date().toISOString(),
    machine: {
      cpu: cpus()[0]?.model ?? 'unknown',
      cores: availableParallelism(),
      memory_gb: Math.round(totalmem() / 2 ** 30),
      node: process.version,
      kernel: release(),
    },
    smoke: SMOKE,
    content: CONTENT,
    runs: RUNS,
    packages: PACKAGES,
    scale: SCALE,
  };
  const rows: Row[] = [];
  const timings: Record<string, { wall_s: number; cpu_s: number }> = {};
  try {
    for (const [section, key, measure] of sections) {
      if (!wanted(section)) continue;
      const started = performance.now();
      const cpu = cpuSeconds();
      const result = await measure();
      timings[key] = { wall_s: round((performance.now() - started) / 1000), cpu_s: round(cpuSeconds() - cpu) };
      results[key] = result.figures;
      rows.push(...result.rows);
    }
  } finally {
    for (const built of worlds.values()) stopAgents(built.root);
  }
  // Not figures: what each section cost, fixture builds included (a missing CPU figure is no failure).
  const cost = { ...timings, total: { wall_s: round((performance.now() - begun) / 1000), cpu_s: round(cpuSeconds()) } };
  const width = Math.max(...rows.map((r) => r[0].length));
  const valueWidth = Math.max(...rows.map((r) => r[1].length));
  console.log(
    `\nMedians of ${RUNS} round(s) (${availableParallelism()} cores, ${cpus()[0]?.model}, Node ${process.version}):\n`,
  );
  for (const [what, value, note] of rows)
    console.log(`  ${what.padEnd(width)}  ${value.padStart(valueWidth)}  ${note}`);
  const missing = missingFigures(results, 'results');
  results.cost = cost;
  const out = join(repo, 'bench', SMOKE ? 'results.smoke.json' : 'results.json');
  await writeFile(out, `${JSON.stringify(results, null, 2)}\n`);
  const costs = Object.entries(timings).map(([k, t]) => `${k} ${t.wall_s}/${t.cpu_s}`);
  console.log(`\nWrote ${out}. Wall/CPU seconds: ${costs.join(', ')}; in all ${cost.total.wall_s}/${cost.total.cpu_s}`);
  if (missing.length > 0) {
    console.error(`\nMeasurements that produced no figure:\n  ${missing.join('\n  ')}`);
    process.exitCode = 1;
  }
}

await main();
