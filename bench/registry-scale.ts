/**
 * `npm run bench:registry`: the HTTP registry at scale (issue #28). Seeds
 * PostgreSQL with 100,000 packages × 10 versions (a million versions, a
 * million audit entries) and PGlite with as many as it holds in reasonable
 * time, then drives 1, 2 and 4 `aam-trust registry serve` processes on the
 * same database with autocannon at fixed concurrency, over loopback,
 * bounded in time and count. Each read is measured beside its floor in the
 * same run: a bare node:http server answering the same bytes from memory,
 * and a static file server for archives, with as many processes. Prints a
 * table and one JSON line; exits 1 when a measurement fails or yields no
 * figure (never on a time).
 *
 *   AAM_BENCH_SCALE=small                 ~1,000 versions, a couple of minutes (what npm test runs)
 *   AAM_BENCH_PACKAGES=100000             packages on PostgreSQL (10 versions each)
 *   AAM_BENCH_EMBEDDED_PACKAGES=10000     packages on PGlite
 *   AAM_BENCH_BEFORE=DIR/dist/cli.js      also measure that build (the registry before), 1 and 2 instances
 *   AAM_BENCH_ONLY=publish                only the publish cost and signed publishes, on PostgreSQL, 1 and 2 instances
 *   AAM_BENCH_PUBLISHES=1500              signed publishes per instance count
 *   AAM_BENCH_PUBLISH_CONNECTIONS=16      connections of the publish load (default: the reads')
 *   AAM_BENCH_PUBLISH_WARMUP=100          publishes sent first, untimed (the packages' first versions; warm connections)
 *   AAM_BENCH_DURABLE=1                   PostgreSQL with fsync and synchronous commit on (as in production)
 *   AAM_BENCH_EMBEDDED_VERSIONS=10        versions per package on PGlite (1: all 100,000 packages in minutes)
 *   AAM_BENCH_ONLY=search                 only the search slices (no publishes, no proofs)
 *   AAM_BENCH_ENGINES=postgres            only this engine (postgres, pglite; both by default)
 *   AAM_BENCH_INSTANCES=1,2               only these instance counts
 *   AAM_BENCH_SEARCH_CACHE=0              the registries keep no search answers (each search's own database cost)
 *   AAM_BENCH_CPU_PROF=DIR                each registry process writes a V8 CPU profile into DIR when stopped
 *   AAM_BENCH_DATABASE_URL=postgres://…   a database of your own, kept: seeded only when it holds fewer
 *                                         packages than asked (seed once, measure search again and again;
 *                                         with AAM_BENCH_ONLY=search, nothing is written to it)
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sha256Hex } from '../src/core/archive/hash.ts';
import { postgresBin, startPostgres } from '../test/helpers/postgres.ts';
import { buildFixture } from './registry/fixture.ts';
import type { Fixture } from './registry/fixture.ts';
import { cpuNow, machineBusyMs, postmasterOn } from './registry/cpu.ts';
import { load, spawnServer } from './registry/load.ts';
import type { LoadResult, Served } from './registry/load.ts';
import { proofCost, recordHead } from './registry/proofs.ts';
import { multipart, publishCost, signedUploads } from './registry/publish.ts';
import { fixturePackage, queryWord } from './registry/names.ts';
import { packageName } from './registry/seed.ts';

const CLI = join(import.meta.dirname, '..', 'dist', 'cli.js');
const FLOOR = join(import.meta.dirname, 'registry', 'floor-server.ts');
const small = process.env.AAM_BENCH_SCALE === 'small';
const SIZE = small
  ? {
      server: 100,
      embedded: 100,
      seconds: 1,
      rounds: 1,
      connections: 8,
      publishes: 100,
      instances: [1, 2],
      costRuns: 10,
      proofRuns: 3,
    }
  : {
      server: Number(process.env.AAM_BENCH_PACKAGES ?? 100_000),
      embedded: Number(process.env.AAM_BENCH_EMBEDDED_PACKAGES ?? 10_000),
      seconds: 3,
      rounds: 5,
      connections: 16,
      publishes: 1500,
      instances: [1, 2, 4],
      costRuns: 100,
      proofRuns: 20,
    };
const VERSIONS = 10;
/** Only the write path: the publish cost and the signed publishes, with 1 and 2 instances. */
const onlyPublish = process.env.AAM_BENCH_ONLY === 'publish';
if (onlyPublish) SIZE.instances = [1, 2];
if (process.env.AAM_BENCH_PUBLISHES) SIZE.publishes = Number(process.env.AAM_BENCH_PUBLISHES);
const durable = process.env.AAM_BENCH_DURABLE === '1';
/** Publishes sent before the measured ones, untimed (the 50 new packages are the first 50). */
const PUBLISH_WARMUP = Number(process.env.AAM_BENCH_PUBLISH_WARMUP ?? 0);
const EMBEDDED_VERSIONS = small ? VERSIONS : Number(process.env.AAM_BENCH_EMBEDDED_VERSIONS ?? VERSIONS);
const ONLY_SEARCH = process.env.AAM_BENCH_ONLY === 'search';
const ENGINES = (process.env.AAM_BENCH_ENGINES ?? 'postgres,pglite').split(',');
const INSTANCES = process.env.AAM_BENCH_INSTANCES?.split(',').map(Number);
const DATABASE_URL = process.env.AAM_BENCH_DATABASE_URL;
// The registries this spawns inherit it: no search answer is kept, every search reads the database.
if (process.env.AAM_BENCH_SEARCH_CACHE === '0') process.env.AAM_SEARCH_CACHE_ENTRIES = '0';
/** The search goal's p99 is measured one request at a time (see the note printed with the figures). */
const SEARCH_GOAL_MS = 20;
/** dist/cli.js of a build from before this change (AAM_BENCH_BEFORE): measured the same way, beside. */
const BEFORE = process.env.AAM_BENCH_BEFORE;

type Figure = LoadResult & { floor?: LoadResult; ratio?: number };

/** CPU ms per signed publish: the registry's processes, PostgreSQL's, the load generator's, the whole machine's. */
interface PublishCpu {
  registry_ms: number;
  postgres_ms: number;
  load_generator_ms: number;
  machine_ms?: number;
  /** The machine's busy CPU over the slice's wall time: how many of the cores were in use. */
  cores_busy?: number;
}

const others = (cpu: PublishCpu) =>
  `, load generator ${cpu.load_generator_ms} ms` +
  (cpu.machine_ms === undefined ? '' : `; the machine ${cpu.machine_ms} ms, ${cpu.cores_busy} cores busy`);

const pick = <T>(list: readonly T[]) => list[Math.floor(Math.random() * list.length)]!;

/**
 * The requests: "hot" reads walk a set of 1,000 URLs (1,000 packages; 100 packages × 10 versions),
 * what a registry answers most; "cold" reads pick any of all the packages, mostly answered from
 * the database. Search asks what people type: a package's exact name, the start of one (40–80% of
 * its characters, as typed so far), one word, two words joined by a hyphen (the words as often as
 * the fixture uses them: common ones often); `search` mixes the four evenly.
 */
function paths(fixture: Fixture) {
  const count = Math.min(1000, fixture.packages);
  const hot = Array.from({ length: count }, (_, i) => packageName((i * 97) % fixture.packages).full);
  const hotVersions = hot
    .slice(0, Math.ceil(count / fixture.versions))
    .flatMap((name) => Array.from({ length: fixture.versions }, (_, v) => `${name}/1.${v}.0`));
  const any = () => packageName(Math.floor(Math.random() * fixture.packages)).full;
  const warmUrls = [...hot, ...hotVersions].map((url) => `/api/v1/packages/${url}`);
  return {
    /** Every hot URL once, in order: what warms an instance before it is measured. */
    warm: () => {
      let walk = 0;
      return () => ({ path: warmUrls[walk++ % warmUrls.length]! });
    },
    warmCount: warmUrls.length,
    metadata: () => ({ path: `/api/v1/packages/${pick(hot)}` }),
    version: () => ({ path: `/api/v1/packages/${pick(hotVersions)}` }),
    cold: () => ({ path: `/api/v1/packages/${any()}` }),
    download: () => ({ path: `/api/v1/packages/${pick(hotVersions)}/download` }),
    searches: Object.fromEntries(Object.entries(SEARCHES).map(([kind, q]) => [kind, () => searchPath(q(fixture))])),
  };
}

const searchPath = (q: string) => ({ path: `/api/v1/packages?q=${encodeURIComponent(q)}` });
const anyPackage = (fixture: Fixture) => fixturePackage(Math.floor(Math.random() * fixture.packages));
const SEARCH_KINDS: Record<string, (fixture: Fixture) => string> = {
  exact: (fixture) => anyPackage(fixture).full,
  prefix: (fixture) => {
    const { full } = anyPackage(fixture);
    return full.slice(0, Math.max(3, Math.round(full.length * (0.4 + Math.random() * 0.4))));
  },
  word: () => queryWord(),
  two_words: () => `${queryWord()}-${queryWord()}`,
};
/** `search` (the mix), then each kind apart. */
const SEARCHES: Record<string, (fixture: Fixture) => string> = {
  search: (fixture) => pick(Object.values(SEARCH_KINDS))(fixture),
  ...Object.fromEntries(Object.entries(SEARCH_KINDS).map(([kind, q]) => [`search_${kind}`, q])),
};

async function serveAll(count: number, args: (i: number) => string[]): Promise<Served[]> {
  const servers: Served[] = [];
  for (let i = 0; i < count; i++) servers.push(await spawnServer(args(i)));
  return servers;
}

async function stopAll(servers: Served[]): Promise<void> {
  await Promise.all(servers.map((s) => s.stop()));
}

async function measureInstances(
  root: string,
  fixture: Fixture,
  instances: number,
  keyFile: string,
  /** Another build of the CLI (the registry before this change): no proofs to measure. */
  cli = CLI,
): Promise<{
  instances: number;
  figures: Record<string, Figure>;
  publish_cpu?: PublishCpu;
  proofs?: Awaited<ReturnType<typeof proofCost>>;
}> {
  const legacy = cli !== CLI;
  const db = fixture.databaseUrl ? ['--database', fixture.databaseUrl] : [];
  const dataDir = (i: number) => (fixture.databaseUrl ? join(root, `instance-${i}`) : fixture.dataDir);
  const cpuProf = process.env.AAM_BENCH_CPU_PROF;
  const servers = await serveAll(instances, (i) => [
    ...(cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${cpuProf}`] : []),
    cli,
    'registry',
    'serve',
    '--port',
    '0',
    '--quiet',
    '--data',
    dataDir(i),
    ...db,
    '--blobs',
    fixture.blobs,
    '--key',
    keyFile,
    // A load generator on one address is far above the spec's limits a minute: they are off (a
    // build from before the limits has no such option).
    ...(legacy ? [] : ['publish', 'search', 'download', 'write'].flatMap((kind) => ['--rate-limit', `${kind}=off`])),
  ]);
  const urls = servers.map((s) => s.url);
  const engine = fixture.databaseUrl ? 'postgres' : 'pglite';
  const p = paths(fixture);
  const figures: Record<string, Figure> = {};
  const floors: Served[] = [];
  try {
    const sample = Buffer.from(await (await fetch(`${urls[0]}${p.metadata().path}`)).arrayBuffer());
    const sampleFile = join(root, 'floor-metadata.json');
    await writeFile(sampleFile, sample);
    const blob = join(fixture.blobs, ...splitKey(fixture.archive));
    floors.push(...(await serveAll(instances, () => [FLOOR, 'memory', sampleFile])));
    floors.push(...(await serveAll(instances, () => [FLOOR, 'static', blob])));
    const memory = floors.slice(0, instances).map((f) => f.url);
    const files = floors.slice(instances).map((f) => f.url);
    const run = (on: string[], next: () => { path: string }, connections = SIZE.connections) =>
      load(on, { connections, duration: SIZE.seconds, next });
    // The machine is shared and noisy: each figure is taken in slices alternating with its floor's,
    // so both see the same moments, and the medians of the slices are compared.
    const measure = async (
      name: string,
      next: () => { path: string },
      floorUrls?: string[],
      connections = SIZE.connections,
    ) => {
      const ours: LoadResult[] = [];
      const floor: LoadResult[] = [];
      for (let round = 0; round < SIZE.rounds; round++) {
        if (floorUrls) floor.push(await run(floorUrls, () => ({ path: '/' })));
        ours.push(await run(connections < urls.length ? urls.slice(0, connections) : urls, next, connections));
      }
      const figure = floorUrls ? withFloor(medianOf(ours), medianOf(floor)) : medianOf(ours);
      figures[name] = figure;
      progress(`${engine} ${instances}× ${name}`, figure);
    };
    if (!onlyPublish) {
      // One untimed pass over the hot packages first: the hot figures are the steady state, the cold one apart.
      for (const url of urls) await load([url], { connections: SIZE.connections, amount: p.warmCount, next: p.warm() });
      if (!ONLY_SEARCH) {
        await measure('package_metadata', p.metadata, memory);
        await measure('version_metadata', p.version, memory);
        await measure('package_metadata_cold', p.cold, memory);
        await measure('download', p.download, files);
      }
      for (const [name, next] of Object.entries(p.searches)) await measure(name, next);
      // One request at a time: what one search costs, without the queue of the others before it.
      if (instances === 1) await measure('search_one_connection', p.searches.search!, undefined, 1);
    }
    if (ONLY_SEARCH) return { instances, figures };
    const token = execFileSync(
      process.execPath,
      [cli, 'registry', 'token', 'create', '--data', dataDir(0), ...db, '--user', 'bench'],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] },
    ).trim();
    const recorded = legacy ? undefined : await recordHead(urls[0]!);
    // Each run its own scope: a database kept between runs (AAM_BENCH_DATABASE_URL) holds the last run's versions.
    const uploads = (
      await signedUploads(root, `b${instances}${Date.now().toString(36)}`, PUBLISH_WARMUP + SIZE.publishes)
    ).map(multipart);
    let next = 0;
    const publish = () => {
      const { body, contentType } = uploads[next++ % uploads.length]!;
      return {
        path: '/api/v1/packages',
        method: 'POST' as const,
        headers: { authorization: `Bearer ${token}`, 'content-type': contentType },
        body,
      };
    };
    // Untimed first (AAM_BENCH_PUBLISH_WARMUP): the new packages' first versions, and each instance's
    // database connections opened and warm, so the slice measures publishes of new versions in a steady state.
    if (PUBLISH_WARMUP > 0)
      await load(urls, {
        connections: Number(process.env.AAM_BENCH_PUBLISH_CONNECTIONS ?? SIZE.connections),
        amount: PUBLISH_WARMUP,
        next: publish,
      });
    // CPU per publish, of the registry's processes and of PostgreSQL: the cost that does not depend
    // on what else the (shared) machine is doing, unlike the rate.
    const pids = servers.map((s) => s.child.pid!);
    const postmaster = fixture.databaseUrl ? await postmasterOn(Number(new URL(fixture.databaseUrl).port)) : undefined;
    const cpuBefore = await cpuNow(pids, postmaster);
    // The load generator (autocannon, in this process) shares the cores: its CPU, and the whole machine's.
    const generatorBefore = process.cpuUsage();
    const busyBefore = await machineBusyMs();
    const wallBefore = performance.now();
    figures.signed_publish = await load(urls, {
      connections: Number(process.env.AAM_BENCH_PUBLISH_CONNECTIONS ?? SIZE.connections),
      amount: uploads.length,
      next: publish,
    });
    const wall = performance.now() - wallBefore;
    const generator = process.cpuUsage(generatorBefore);
    const busyAfter = await machineBusyMs();
    const cpuAfter = await cpuNow(pids, postmaster);
    const per = (ms: number) => Math.round((ms / Math.max(1, figures.signed_publish!.requests)) * 100) / 100;
    const publishCpu = {
      registry_ms: per(cpuAfter.server - cpuBefore.server),
      postgres_ms: per(cpuAfter.database - cpuBefore.database),
      load_generator_ms: per((generator.user + generator.system) / 1000),
      ...(busyBefore !== undefined && busyAfter !== undefined
        ? {
            machine_ms: per(busyAfter - busyBefore),
            cores_busy: Math.round(((busyAfter - busyBefore) / wall) * 100) / 100,
          }
        : {}),
    };
    progress(`${engine} ${instances}× signed_publish`, figures.signed_publish);
    process.stderr.write(`  CPU per publish: ${JSON.stringify(publishCpu)}\n`);
    const proofs =
      instances === 1 && recorded && !onlyPublish
        ? await proofCost(urls[0]!, recorded, packageName(7).full, SIZE.proofRuns)
        : undefined;
    return { instances, figures, publish_cpu: publishCpu, ...(proofs ? { proofs } : {}) };
  } finally {
    await stopAll([...servers, ...floors]);
  }
}

function medianOf(results: LoadResult[]): LoadResult {
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1]!;
  return {
    rps: median(results.map((r) => r.rps)),
    p50: median(results.map((r) => r.p50)),
    p99: median(results.map((r) => r.p99)),
    requests: results.reduce((n, r) => n + r.requests, 0),
    failed: results.reduce((n, r) => n + r.failed, 0),
  };
}

function progress(what: string, f: Figure | LoadResult): void {
  const floor = 'floor' in f && f.floor ? ` (floor ${f.floor.rps}/s, p99 ${f.floor.p99} ms)` : '';
  process.stderr.write(`${what}: ${f.rps}/s, p50 ${f.p50} ms, p99 ${f.p99} ms${floor}\n`);
}

function splitKey(bytes: Buffer): string[] {
  const key = sha256Hex(bytes);
  return [key.slice(0, 2), key.slice(2, 4), key];
}

function withFloor(ours: LoadResult, floor: LoadResult): Figure {
  return { ...ours, floor, ratio: Math.round((ours.rps / floor.rps) * 100) / 100 };
}

async function engineRun(engine: 'postgres' | 'pglite') {
  const root = await mkdtemp(join(tmpdir(), 'aam-bench-scale-'));
  const postgres = engine === 'postgres' && !DATABASE_URL ? await startPostgres({ durable }) : undefined;
  try {
    const databaseUrl = engine === 'postgres' ? (DATABASE_URL ?? (await postgres!.createDatabase())) : undefined;
    const packages = engine === 'postgres' ? SIZE.server : SIZE.embedded;
    const versions = engine === 'postgres' ? VERSIONS : EMBEDDED_VERSIONS;
    const fixture = await buildFixture(root, { packages, versions }, databaseUrl);
    const cost = ONLY_SEARCH ? {} : await publishCost(root, databaseUrl, fixture.dataDir, SIZE.costRuns);
    const keyFile = join(root, 'registry-key.pem');
    const runs = [];
    for (const instances of INSTANCES ?? (engine === 'postgres' ? SIZE.instances : [1]))
      runs.push(await measureInstances(root, fixture, instances, keyFile));
    // The same fixture and load against the registry as it was before (another build, its own schema).
    const before = [];
    if (BEFORE && postgres) {
      const beforeRoot = join(root, 'before');
      const old = await buildFixture(beforeRoot, { packages, versions }, await postgres.createDatabase(), BEFORE);
      for (const instances of [1, 2]) before.push(await measureInstances(beforeRoot, old, instances, keyFile, BEFORE));
    }
    return {
      engine,
      packages,
      versions: packages * versions,
      seed_s: Math.round(fixture.seedMs / 100) / 10,
      seeded: fixture.seeded,
      publish_cost: cost,
      runs,
      ...(before.length > 0 ? { before } : {}),
    };
  } finally {
    await postgres?.stop();
    await rm(root, { recursive: true, force: true });
  }
}

const results = [];
if (ENGINES.includes('postgres') && (DATABASE_URL || (await postgresBin()))) results.push(await engineRun('postgres'));
if (ENGINES.includes('pglite') && !onlyPublish) results.push(await engineRun('pglite'));

const rows: string[] = [];
const problems: string[] = [];
for (const r of results) {
  rows.push(
    `\n${r.engine}: ${r.versions.toLocaleString('en')} versions (${r.packages.toLocaleString('en')} packages), ${r.seeded ? `seeded in ${r.seed_s} s` : 'seeded before (a database kept between runs)'}`,
  );
  rows.push(
    `  one signed publish, ms: ${Object.entries(r.publish_cost)
      .map(([k, v]) => `${k.replace(/_ms$/, '')} ${v}`)
      .join(', ')}`,
  );
  for (const run of r.runs) {
    for (const [name, f] of Object.entries(run.figures)) {
      if (!(f.rps > 0) || f.failed > 0 || !Number.isFinite(f.p99))
        problems.push(`${r.engine} ${run.instances}× ${name}: ${JSON.stringify(f)}`);
      const floor = f.floor ? `  floor ${f.floor.rps}/s → ${f.ratio}× floor` : '';
      rows.push(
        `  ${run.instances}× ${name.padEnd(22)} ${String(f.rps).padStart(8)}/s  p50 ${f.p50} ms  p99 ${f.p99} ms${floor}`,
      );
    }
    if (run.publish_cpu)
      rows.push(
        r.engine === 'postgres'
          ? `  ${run.instances}× CPU per signed publish: registry ${run.publish_cpu.registry_ms} ms, PostgreSQL ${run.publish_cpu.postgres_ms} ms${others(run.publish_cpu)}`
          : `  ${run.instances}× CPU per signed publish: registry with its embedded database ${run.publish_cpu.registry_ms} ms${others(run.publish_cpu)}`,
      );
    if (run.proofs) rows.push(`  proofs: ${JSON.stringify(run.proofs)}`);
    const alone = run.figures.search_one_connection;
    if (alone)
      rows.push(
        `  search goal p99 ≤ ${SEARCH_GOAL_MS} ms, measured one request at a time (search_one_connection): p99 ${alone.p99} ms, ${alone.p99 <= SEARCH_GOAL_MS ? 'met' : 'NOT met'}${process.env.AAM_SEARCH_CACHE_ENTRIES === '0' ? ' (no answer cache)' : ''}.`,
        `  At ${SIZE.connections} connections on this machine's cores a search waits behind the others: that p99 is the queue (about connections ÷ throughput), reported for throughput, not held to the goal.`,
      );
  }
  for (const run of 'before' in r ? (r.before ?? []) : [])
    for (const [name, f] of Object.entries(run.figures)) {
      const floor = f.floor ? `  floor ${f.floor.rps}/s → ${f.ratio}× floor` : '';
      rows.push(
        `  before ${run.instances}× ${name.padEnd(15)} ${String(f.rps).padStart(8)}/s  p50 ${f.p50} ms  p99 ${f.p99} ms${floor}`,
      );
    }
}
console.log(rows.join('\n'));
console.log(JSON.stringify({ scale: small ? 'small' : 'full', results }));
if (problems.length > 0) {
  console.error(`Measurements without a figure:\n${problems.join('\n')}`);
  process.exit(1);
}
