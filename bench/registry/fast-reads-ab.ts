/**
 * The fast path for cache hits (src/server/fast-reads.ts) on and off, side
 * by side: two `registry serve` processes on one small PostgreSQL fixture
 * (100 packages × 10 versions), one with AAM_REGISTRY_FAST_READS=off, and
 * the bench's floor (a bare node:http server answering the same bytes from
 * memory). Each route is loaded in slices that alternate between the three
 * (on, off, floor; the order rotating each round) so all see the same
 * moments of a shared machine; each slice also reports the server process's
 * CPU per request (from /proc), the figure another job's load moves least.
 *
 * AAM_AB_LOG=1 runs both registries with their request log on (no
 * `--quiet`: a JSON line for each request coming and each answer, on
 * stderr), written to /dev/null — or AAM_AB_LOG=FILE, appended to FILE.
 *
 *   node bench/registry/fast-reads-ab.ts    (after npm run build)
 *   AAM_AB_ROUNDS=6 AAM_AB_SECONDS=3 AAM_AB_CONNECTIONS=16 AAM_AB_LOG=1
 */
import { closeSync, openSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPostgres } from '../../test/helpers/postgres.ts';
import { cpuNow } from './cpu.ts';
import { buildFixture } from './fixture.ts';
import { load, spawnServer } from './load.ts';
import type { LoadResult, Served } from './load.ts';
import { packageName } from './seed.ts';

const ROUNDS = Number(process.env.AAM_AB_ROUNDS ?? 6);
const SECONDS = Number(process.env.AAM_AB_SECONDS ?? 3);
const CONNECTIONS = Number(process.env.AAM_AB_CONNECTIONS ?? 16);
const LOG = ['', '0', undefined].includes(process.env.AAM_AB_LOG) ? undefined : process.env.AAM_AB_LOG!;
const CLI = join(import.meta.dirname, '..', '..', 'dist', 'cli.js');
const FLOOR = join(import.meta.dirname, 'floor-server.ts');
const PACKAGES = 100;
const VERSIONS = 10;

const pick = <T>(list: readonly T[]) => list[Math.floor(Math.random() * list.length)]!;
const hot = Array.from({ length: PACKAGES }, (_, i) => `/api/v1/packages/${packageName(i).full}`);
const ROUTES: Record<string, () => { path: string }> = {
  package_metadata: () => ({ path: pick(hot) }),
  version_metadata: () => ({ path: `${pick(hot)}/1.${Math.floor(Math.random() * VERSIONS)}.0` }),
};

interface Slice extends LoadResult {
  /** CPU of the server's process per request answered, in µs. */
  cpu_us: number;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1]!;

const root = await mkdtemp(join(tmpdir(), 'aam-bench-fast-'));
const postgres = await startPostgres();
const servers: Served[] = [];
try {
  const fixture = await buildFixture(root, { packages: PACKAGES, versions: VERSIONS }, await postgres.createDatabase());
  const serve = async (name: string, env: NodeJS.ProcessEnv) => {
    const log = LOG ? openSync(LOG === '1' ? '/dev/null' : LOG, 'a') : undefined;
    const served = await spawnServer(
      [
        CLI,
        ...['registry', 'serve', '--port', '0', ...(LOG ? [] : ['--quiet']), '--data', join(root, name)],
        ...['--database', fixture.databaseUrl!, '--blobs', fixture.blobs, '--key', join(root, 'key.pem')],
        ...['publish', 'search', 'download'].flatMap((kind) => ['--rate-limit', `${kind}=off`]),
      ],
      env,
      log ?? 'pipe',
    );
    if (log !== undefined) closeSync(log);
    return served;
  };
  const on = await serve('on', { ...process.env, AAM_REGISTRY_FAST_READS: '' });
  servers.push(on);
  const off = await serve('off', { ...process.env, AAM_REGISTRY_FAST_READS: 'off' });
  servers.push(off);
  const sample = join(root, 'floor.json');
  await writeFile(sample, Buffer.from(await (await fetch(`${on.url}${hot[0]}`)).arrayBuffer()));
  const floor = await spawnServer([FLOOR, 'memory', sample]);
  servers.push(floor);
  const targets = { fast_on: on, fast_off: off, floor } as const;

  for (const server of [on, off])
    for (const next of Object.values(ROUTES))
      await load([server.url], { connections: CONNECTIONS, amount: PACKAGES * VERSIONS * 2, next });

  const loadBefore = loadavg();
  const results: Record<string, Record<string, Slice[]>> = {};
  for (const [route, next] of Object.entries(ROUTES)) {
    const slices: Record<string, Slice[]> = { fast_on: [], fast_off: [], floor: [] };
    for (let round = 0; round < ROUNDS; round++) {
      const order = Object.entries(targets);
      for (let k = 0; k < round % order.length; k++) order.push(order.shift()!);
      for (const [name, server] of order) {
        const pid = server.child.pid!;
        const before = await cpuNow([pid]);
        const result = await load([server.url], {
          connections: CONNECTIONS,
          duration: SECONDS,
          next: name === 'floor' ? () => ({ path: '/' }) : next,
        });
        const after = await cpuNow([pid]);
        slices[name]!.push({
          ...result,
          cpu_us: Math.round(((after.server - before.server) * 1000) / result.requests),
        });
      }
    }
    results[route] = slices;
  }

  const rows = [
    `${ROUNDS} alternated rounds of ${SECONDS} s at ${CONNECTIONS} connections${LOG ? ', request log on' : ''}; median (min–max)`,
    '| Route | Fast path on | Fast path off (Fastify) | Floor | On ÷ floor | Off ÷ floor | CPU/request on, off, floor |',
    '| --- | --- | --- | --- | --- | --- | --- |',
  ];
  const span = (values: number[]) =>
    `${median(values).toLocaleString('en')} (${Math.min(...values).toLocaleString('en')}–${Math.max(...values).toLocaleString('en')})`;
  for (const [route, slices] of Object.entries(results)) {
    const ratios = (name: string) =>
      slices[name]!.map((s, i) => Math.round((s.rps / slices.floor![i]!.rps) * 100) / 100);
    const cell = (name: string) =>
      `${span(slices[name]!.map((s) => Math.round(s.rps)))}/s, p99 ${median(slices[name]!.map((s) => s.p99))} ms`;
    rows.push(
      `| ${route} | ${cell('fast_on')} | ${cell('fast_off')} | ${cell('floor')} | ${span(ratios('fast_on'))}× | ${span(ratios('fast_off'))}× | ${['fast_on', 'fast_off', 'floor'].map((n) => median(slices[n]!.map((s) => s.cpu_us))).join(', ')} µs |`,
    );
  }
  const averages = (l: number[]) => l.map((n) => n.toFixed(2)).join(' ');
  rows.push(`Load average (1, 5, 15 min) before: ${averages(loadBefore)}; after: ${averages(loadavg())}`);
  console.log(rows.join('\n'));
  console.log(JSON.stringify(results));
  const failed = Object.values(results)
    .flatMap((s) => Object.values(s).flat())
    .filter((s) => s.failed > 0 || !(s.rps > 0));
  if (failed.length > 0) {
    console.error(`Slices with failures or no figure: ${JSON.stringify(failed)}`);
    process.exitCode = 1;
  }
} finally {
  await Promise.all(servers.map((s) => s.stop()));
  await postgres.stop();
  await rm(root, { recursive: true, force: true });
}
