/**
 * A seeded registry for the bench: its database (a PostgreSQL server's, or
 * an embedded PGlite folder) and its blob folder, filled by `seed`.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { packDirectory } from '../../src/core/package/pack.ts';
import { sha256Hex } from '../../src/core/archive/hash.ts';
import { DirBlobStore } from '../../src/server/blobs.ts';
import { openDatabase } from '../../src/server/db.ts';
import { openRegistryStorage } from '../../src/server/serve.ts';
import { seed, serverCopy } from './seed.ts';
import type { CopyInto } from './seed.ts';

export interface Fixture {
  dataDir: string;
  blobs: string;
  databaseUrl: string | undefined;
  packages: number;
  versions: number;
  seedMs: number;
  /** False when the database held the fixture already (a database kept between runs). */
  seeded: boolean;
  /** One archive's bytes, as the registry serves it (for the floors). */
  archive: Buffer;
}

/** `count` distinct archives of about 16 KiB, packed before anything is timed. */
async function archives(root: string, count: number): Promise<Buffer[]> {
  const out: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    const dir = join(root, 'archives', String(i));
    await mkdir(join(dir, 'prompts'), { recursive: true });
    await writeFile(
      join(dir, 'aam.yaml'),
      `name: "@seed/archive-${i}"\nversion: 1.0.0\ndescription: Seed\nartifacts:\n  prompts:\n    - name: p\n      path: prompts/p.md\n      description: P\n`,
    );
    // Text that does not compress away: the archive stays about 16 KiB.
    await writeFile(
      join(dir, 'prompts', 'p.md'),
      Buffer.from(Array.from({ length: 12_000 }, (_, j) => 33 + ((i * 7919 + j * j) % 90))),
    );
    out.push((await packDirectory(dir)).bytes);
  }
  return out;
}

export async function buildFixture(
  root: string,
  shape: { packages: number; versions: number },
  databaseUrl: string | undefined,
  /** The CLI of a registry from before the Merkle tree: it migrates the database its own way. */
  legacyCli?: string,
): Promise<Fixture> {
  const dataDir = join(root, 'registry');
  const blobs = join(root, 'blobs');
  const packed = await archives(root, 64);
  const store = new DirBlobStore(blobs);
  for (const bytes of packed) await store.put(bytes);
  if (legacyCli)
    execFileSync(
      process.execPath,
      [legacyCli, 'registry', 'token', 'create', '--data', dataDir, '--database', databaseUrl!, '--user', 'seed'],
      { stdio: 'ignore' },
    );
  const storage = legacyCli
    ? await openDatabase({ url: databaseUrl, dataDir })
    : await openRegistryStorage({ dataDir, databaseUrl, name: 'bench' });
  const { rows } = await storage.query<{ id: string }>(
    `INSERT INTO users (username) VALUES ('seed') ON CONFLICT (username) DO UPDATE SET username = EXCLUDED.username RETURNING id`,
  );
  const held = Number(
    (await storage.query<{ count: number }>('SELECT COUNT(*)::int AS count FROM packages')).rows[0]?.count ?? 0,
  );
  await storage.close();
  const fixture = { dataDir, blobs, databaseUrl, ...shape, archive: packed[0]! };
  // A kept database seeded by an earlier run (the archives above are the same bytes every time).
  if (held >= shape.packages) return { ...fixture, seedMs: 0, seeded: false };
  if (held > 0)
    throw new Error(`The database holds ${held} packages, fewer than ${shape.packages}: give an empty one.`);
  const started = performance.now();
  const input = {
    ...shape,
    legacy: !!legacyCli,
    userId: rows[0]!.id,
    archives: packed.map((a) => ({ sha256: sha256Hex(a), size: a.length })),
  };
  if (databaseUrl) await seedServer(databaseUrl, input);
  else await seedEmbedded(join(dataDir, 'pglite'), input);
  return { ...fixture, seedMs: performance.now() - started, seeded: true };
}

type SeedInput = Parameters<typeof seed>[0];

async function finish(query: (sql: string, params?: unknown[]) => Promise<unknown>, input: SeedInput, copy: CopyInto) {
  // Triggers (change notifications, foreign keys) are for single writes; a bulk load is checked by construction.
  await query(`SET session_replication_role = replica`);
  const head = await seed(input, copy);
  if (input.legacy)
    await query('UPDATE audit_head SET size = $1, head_hash = $2 WHERE id = 1', [head.size, head.headHash]);
  else
    await query('UPDATE audit_head SET size = $1, head_hash = $2, root = $3, frontier = $4 WHERE id = 1', [
      head.size,
      head.headHash,
      head.root,
      Buffer.concat(head.frontier),
    ]);
  await query(`SET session_replication_role = DEFAULT`);
  await query('ANALYZE');
}

async function seedServer(url: string, input: SeedInput): Promise<void> {
  const pg = (await import('pg')).default;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const query = (sql: string, params?: unknown[]) => client.query(sql, params);
  const { copy, done } = await serverCopy(query);
  try {
    await finish(query, input, copy);
  } finally {
    await done();
    await client.end();
  }
}

async function seedEmbedded(dir: string, input: SeedInput): Promise<void> {
  const { PGlite } = await import('@electric-sql/pglite');
  const { pg_trgm } = await import('@electric-sql/pglite/contrib/pg_trgm');
  const db = await PGlite.create(dir, { extensions: { pg_trgm } });
  const query = (sql: string, params?: unknown[]) => db.query(sql, params);
  try {
    await finish(query, input, async ({ table, columns, lines }) => {
      await db.query(`COPY ${table} (${columns.join(', ')}) FROM '/dev/blob'`, [], {
        blob: new Blob([`${lines.join('\n')}\n`]),
      });
    });
  } finally {
    await db.close();
  }
}
