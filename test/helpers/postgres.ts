import { execFile, spawnSync } from 'node:child_process';
import { chown, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A throwaway PostgreSQL server: a temporary cluster on a loopback port. */
export interface TestPostgres {
  /** postgres://… of a fresh database on it. */
  createDatabase(): Promise<string>;
  stop(): Promise<void>;
}

/** The PostgreSQL server binaries (Debian's postgresql package), if installed. */
export async function postgresBin(): Promise<string | undefined> {
  const base = '/usr/lib/postgresql';
  const versions = await readdir(base).catch(() => [] as string[]);
  const newest = versions.filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a))[0];
  return newest ? join(base, newest, 'bin') : undefined;
}

/**
 * Starts PostgreSQL in a temporary cluster (initdb, trust auth on
 * 127.0.0.1 only, fsync off: a test database). As root it runs as the
 * `postgres` user, as PostgreSQL refuses to run as root.
 */
export async function startPostgres(options: { durable?: boolean } = {}): Promise<TestPostgres> {
  const bin = await postgresBin();
  if (!bin) throw new Error('PostgreSQL is not installed (apt-get install postgresql).');
  const dir = await mkdtemp(join(tmpdir(), 'aam-pg-'));
  const asRoot = process.getuid?.() === 0;
  let uid = 0;
  let gid = 0;
  if (asRoot) {
    uid = Number((await run('id', ['-u', 'postgres'])).stdout.trim());
    gid = Number((await run('id', ['-g', 'postgres'])).stdout.trim());
    await chown(dir, uid, gid);
  }
  const as = (command: string, args: string[]): [string, string[]] =>
    asRoot ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, args];
  const data = join(dir, 'data');
  await run(
    ...as(join(bin, 'initdb'), [
      '-D',
      data,
      '-A',
      'trust',
      '-U',
      'aam',
      '-E',
      'UTF8',
      '--no-sync',
      '--no-instructions',
    ]),
  );
  // A free port is only free until someone takes it: another test's server can bind it between the probe
  // and PostgreSQL's start (CI runs two test files at once). Then PostgreSQL cannot bind, and a new port is tried.
  let port = 0;
  for (let attempt = 1; ; attempt++) {
    port = await freePort();
    // `durable`: as a production server runs (every commit flushed to disk), for the bench's writes.
    const settings = options.durable ? '' : ' -c fsync=off -c synchronous_commit=off -c full_page_writes=off';
    const serverOptions = `-h 127.0.0.1 -p ${port} -k ${dir}${settings}`;
    try {
      // pg_ctl starts the server in the background and waits until it accepts connections.
      await run(
        ...as(join(bin, 'pg_ctl'), [
          '-D',
          data,
          '-o',
          serverOptions,
          '-l',
          join(dir, 'server.log'),
          '-w',
          '-t',
          '60',
          'start',
        ]),
      );
      break;
    } catch (error) {
      const log = await readFile(join(dir, 'server.log'), 'utf8').catch(() => '');
      if (attempt >= 5 || !/could not bind|already in use/i.test(log)) throw error;
      await writeFile(join(dir, 'server.log'), '').catch(() => undefined);
    }
  }
  const stopNow = () => {
    spawnSync(...as(join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop']), { stdio: 'ignore' });
  };
  // A test that dies still takes its database server with it.
  process.once('exit', stopNow);
  const pg = (await import('pg')).default;
  const admin = `postgres://aam@127.0.0.1:${port}/postgres`;
  let databases = 0;
  return {
    async createDatabase() {
      const name = `aam_${process.pid}_${++databases}`;
      const client = new pg.Client({ connectionString: admin });
      await client.connect();
      await client.query(`CREATE DATABASE ${name}`);
      await client.end();
      return `postgres://aam@127.0.0.1:${port}/${name}`;
    },
    async stop() {
      process.removeListener('exit', stopNow);
      stopNow();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}
