/**
 * The HTTP registry under load, over loopback: `aam-trust registry serve`
 * processes (1, and 2 on one PostgreSQL database), a bounded load that stops
 * by itself (a fixed number of publishes and installs, and a time cap), and
 * the latency of a version-metadata request. Prints one JSON line.
 *
 *   node bench/registry.ts [PUBLISHES] [INSTALLS] [LATENCY_REQUESTS] [ENGINES]
 *
 * ENGINES: `pglite`, or `pglite,postgres` (the default; PostgreSQL only where it is installed).
 */
import { execFileSync, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packDirectory } from '../src/core/package/pack.ts';
import { HttpRegistry } from '../src/core/registry/http-registry.ts';
import { postgresBin, startPostgres } from '../test/helpers/postgres.ts';

const CLI = join(import.meta.dirname, '..', 'dist', 'cli.js');
const PUBLISHES = Number(process.argv[2] ?? 200);
const INSTALLS = Number(process.argv[3] ?? 400);
const LATENCY = Number(process.argv[4] ?? 500);
const ENGINES = (process.argv[5] ?? 'pglite,postgres').split(',');
/** Packages the publishes are spread over (versions 1.0.0, 1.0.1, … of each): installs and metadata requests ask for them. */
const NAMES = Math.min(50, PUBLISHES);
const CONCURRENCY = 8;
/** No load runs longer than this, whatever the counts. */
const CAP_MS = 60_000;

async function serve(args: string[]): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [CLI, 'registry', 'serve', '--port', '0', '--quiet', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const read = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /Listening on (http:\/\/\S+)/.exec(output);
      if (match) resolve(match[1]!);
    };
    child.stdout!.on('data', read);
    child.stderr!.on('data', read);
    child.on('exit', (code) => reject(new Error(`registry serve exited (${code}): ${output}`)));
  });
  return { url, child };
}

async function stop(server: { child: ChildProcess }): Promise<void> {
  const exited = new Promise((resolve) =>
    server.child.exitCode !== null ? resolve(0) : server.child.once('exit', resolve),
  );
  server.child.kill('SIGTERM');
  await exited;
}

/**
 * An embedded-engine data folder, copied from one initialised once into
 * .bench-fixtures/: PGlite takes seconds (and much CPU) to initialise a new
 * one and a fraction of that to open one, and the load measured starts after
 * the server listens either way.
 */
async function pgliteData(dir: string): Promise<void> {
  const template = join(import.meta.dirname, '..', '.bench-fixtures', 'registry-pglite-data');
  if (!existsSync(join(template, 'ready'))) {
    await rm(template, { recursive: true, force: true });
    await stop(await serve(['--data', template, '--blobs', join(template, 'blobs')]));
    // What the stopped server left of its run (its pid and admin key) is not part of an empty registry.
    await rm(join(template, 'serving.json'), { force: true });
    await writeFile(join(template, 'ready'), '');
  }
  await cp(template, dir, { recursive: true });
}

/** Runs `count` tasks, `CONCURRENCY` at a time, until done or the cap: how many ran, and how long it took. */
async function load(count: number, task: (i: number) => Promise<void>): Promise<{ done: number; ms: number }> {
  const started = performance.now();
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < count && performance.now() - started < CAP_MS) {
      await task(next++);
      done++;
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return { done, ms: performance.now() - started };
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

async function measure(engine: 'pglite' | 'postgres', instances: 1 | 2) {
  const root = await mkdtemp(join(tmpdir(), 'aam-bench-registry-'));
  const postgres = engine === 'postgres' ? await startPostgres() : undefined;
  const servers: { url: string; child: ChildProcess }[] = [];
  try {
    const database = await postgres?.createDatabase();
    // A load test is far above the spec's limits a minute: they are off, but for logins.
    const common = [
      ...(database ? ['--database', database] : []),
      '--blobs',
      join(root, 'blobs'),
      ...['publish', 'search', 'download', 'write'].flatMap((kind) => ['--rate-limit', `${kind}=off`]),
    ];
    if (engine === 'pglite') await pgliteData(join(root, 'instance-0'));
    for (let i = 0; i < instances; i++) servers.push(await serve(['--data', join(root, `instance-${i}`), ...common]));
    const token = execFileSync(
      process.execPath,
      [
        CLI,
        'registry',
        'token',
        'create',
        '--data',
        join(root, 'instance-0'),
        ...(database ? ['--database', database] : []),
        '--user',
        'bench',
      ],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] },
    ).trim();
    const clients = servers.map((s) => new HttpRegistry('bench', s.url, { token: async () => token, attempts: 1 }));

    // Archives are packed before the clock starts: the load is the registry's, not the packer's.
    const archives: Buffer[] = [];
    for (let i = 0; i < PUBLISHES; i++) {
      const dir = join(root, 'src', String(i));
      await mkdir(join(dir, 'prompts'), { recursive: true });
      await writeFile(
        join(dir, 'aam.yaml'),
        `name: "@bench/p${i % NAMES}"\nversion: 1.0.${Math.floor(i / NAMES)}\ndescription: Bench\nartifacts:\n  prompts:\n    - name: p\n      path: prompts/p.md\n      description: P\n`,
      );
      await writeFile(join(dir, 'prompts', 'p.md'), `# ${i}\n${'x'.repeat(16 * 1024)}\n`);
      archives.push((await packDirectory(dir)).bytes);
    }
    const published = await load(PUBLISHES, async (i) => {
      await clients[i % clients.length]!.publish(archives[i]!, []);
    });
    const installed = await load(INSTALLS, async (i) => {
      const client = clients[i % clients.length]!;
      const name = `@bench/p${i % NAMES}`;
      const { entry } = await client.resolve(name);
      await client.readArchive(name, entry.version);
    });
    const latencies: number[] = [];
    for (let i = 0; i < LATENCY; i++) {
      const started = performance.now();
      const response = await fetch(`${servers[i % servers.length]!.url}/api/v1/packages/@bench/p${i % NAMES}/1.0.0`);
      await response.arrayBuffer();
      latencies.push(performance.now() - started);
    }
    latencies.sort((a, b) => a - b);
    return {
      engine,
      instances,
      publishes: published.done,
      publishes_per_s: Math.round((published.done / published.ms) * 1000 * 10) / 10,
      installs: installed.done,
      installs_per_s: Math.round((installed.done / installed.ms) * 1000 * 10) / 10,
      metadata_p50_ms: Math.round(percentile(latencies, 50) * 100) / 100,
      metadata_p99_ms: Math.round(percentile(latencies, 99) * 100) / 100,
    };
  } finally {
    await Promise.all(servers.map(stop));
    await postgres?.stop();
    await rm(root, { recursive: true, force: true });
  }
}

const results = ENGINES.includes('pglite') ? [await measure('pglite', 1)] : [];
if (ENGINES.includes('postgres') && (await postgresBin()))
  results.push(await measure('postgres', 1), await measure('postgres', 2));
console.log(JSON.stringify({ results }));
