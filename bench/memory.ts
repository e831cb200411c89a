/**
 * The registry's resident memory: `aam-trust registry serve` (the built CLI)
 * idle after start, and idle again after a bounded load (publishes and
 * installs over loopback), with the embedded engine (PGlite, a fresh folder
 * and an existing one) and a PostgreSQL server. RSS and its peak come from
 * /proc/PID/status. Prints one JSON line.
 *
 *   node bench/memory.ts [IDLE_SECONDS] [PUBLISHES] [--no-reopen]
 *
 * A section of `npm run bench` (`memory`; 10 s idle, 40 publishes) and of the
 * smoke run (1 s idle, 5 publishes, no restart: under 20 s), see sections/memory.ts.
 *
 * AAM_BENCH_NODE_FLAGS: flags for the server's node (e.g. --no-liftoff-only, to compare).
 * AAM_BENCH_CLI: another build's cli.js (an earlier commit's, to compare before and after);
 * it must sit under this checkout's node_modules to find the server's packages.
 */
import { execFileSync, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packDirectory } from '../src/core/package/pack.ts';
import { HttpRegistry } from '../src/core/registry/http-registry.ts';
import { postgresBin, startPostgres } from '../test/helpers/postgres.ts';

const CLI = process.env.AAM_BENCH_CLI ?? join(import.meta.dirname, '..', 'dist', 'cli.js');
const IDLE_MS = Number(process.argv[2] ?? 10) * 1000;
const PUBLISHES = Number(process.argv[3] ?? 40);
/** The smoke run skips starting the embedded engine's folder again (a second start, ~3 s). */
const REOPEN = !process.argv.includes('--no-reopen');

/** User and system CPU seconds a process has used (/proc/PID/stat, in clock ticks of 1/100 s). */
function cpuOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** VmRSS and VmHWM (the peak) of a process, in MB. */
function rssOf(pid: number): { rss_mb: number; peak_mb: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rss_mb: Math.round(kb('VmRSS') / 1024), peak_mb: Math.round(kb('VmHWM') / 1024) };
}

async function serve(args: string[]): Promise<{ url: string; child: ChildProcess; startMs: number }> {
  const started = performance.now();
  const flags = process.env.AAM_BENCH_NODE_FLAGS?.split(' ').filter(Boolean) ?? [];
  const child = spawn(process.execPath, [...flags, CLI, 'registry', 'serve', '--port', '0', '--quiet', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const read = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /Listening on (https?:\/\/\S+)/.exec(output);
      if (match) resolve(match[1]!);
    };
    child.stdout!.on('data', read);
    child.stderr!.on('data', read);
    child.on('exit', (code) => reject(new Error(`registry serve exited (${code}): ${output}`)));
  });
  return { url, child, startMs: Math.round(performance.now() - started) };
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

const idle = () => new Promise((resolve) => setTimeout(resolve, IDLE_MS));

async function archives(root: string): Promise<Buffer[]> {
  const out: Buffer[] = [];
  for (let i = 0; i < PUBLISHES; i++) {
    const dir = join(root, 'src', String(i));
    await mkdir(join(dir, 'prompts'), { recursive: true });
    await writeFile(
      join(dir, 'aam.yaml'),
      `name: "@mem/p${i % 10}"\nversion: 1.0.${Math.floor(i / 10)}\ndescription: Memory\nartifacts:\n  prompts:\n    - name: p\n      path: prompts/p.md\n      description: P\n`,
    );
    await writeFile(join(dir, 'prompts', 'p.md'), `# ${i}\n${'x'.repeat(16 * 1024)}\n`);
    out.push((await packDirectory(dir)).bytes);
  }
  return out;
}

/** One engine: idle after start, then a load, then idle again; the same data folder started again for PGlite. */
async function measure(engine: 'pglite' | 'postgres') {
  const root = await mkdtemp(join(tmpdir(), 'aam-bench-memory-'));
  const postgres = engine === 'postgres' ? await startPostgres() : undefined;
  try {
    const database = await postgres?.createDatabase();
    // The load is bounded and its own: no rate limit stands in its way.
    const args = [
      '--data',
      join(root, 'data'),
      ...(database ? ['--database', database] : []),
      ...['publish', 'download', 'search', 'write'].flatMap((kind) => ['--rate-limit', `${kind}=off`]),
    ];
    let server = await serve(args);
    await idle();
    const fresh = { start_ms: server.startMs, ...rssOf(server.child.pid!) };
    const token = execFileSync(
      process.execPath,
      [CLI, 'registry', 'token', 'create', ...args.slice(0, database ? 4 : 2), '--user', 'bench'],
      {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      },
    ).trim();
    const client = new HttpRegistry('bench', server.url, { token: async () => token, attempts: 1 });
    const load = await archives(root);
    const cpuBefore = cpuOf(server.child.pid!);
    for (const archive of load) await client.publish(archive, []);
    for (let i = 0; i < PUBLISHES * 2; i++) {
      const name = `@mem/p${i % Math.min(10, PUBLISHES)}`;
      await client.readArchive(name, (await client.resolve(name)).entry.version);
    }
    // CPU seconds rather than wall time: on a shared machine the server's own work is what compares.
    const loadCpu = Math.round((cpuOf(server.child.pid!) - cpuBefore) * 100) / 100;
    await idle();
    const loaded = { load_cpu_s: loadCpu, ...rssOf(server.child.pid!) };
    await stop(server.child);
    if (!REOPEN) return { engine, idle_fresh: fresh, idle_after_load: loaded };
    server = await serve(args);
    await idle();
    const reopened = { start_ms: server.startMs, ...rssOf(server.child.pid!) };
    await stop(server.child);
    return { engine, idle_fresh: fresh, idle_after_load: loaded, idle_reopened: reopened };
  } finally {
    await postgres?.stop();
    await rm(root, { recursive: true, force: true });
  }
}

const results = [await measure('pglite')];
if (await postgresBin()) results.push(await measure('postgres'));
console.log(JSON.stringify({ idle_seconds: IDLE_MS / 1000, publishes: PUBLISHES, results }));
