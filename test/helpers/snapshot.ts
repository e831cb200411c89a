import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Database } from '../../src/server/db.ts';
import { postgresBin } from './postgres.ts';

/**
 * Tables that change with every request, by design, and hold no registry
 * state: the rate limits' counters (a refused request is still a request).
 */
export const COUNTER_TABLES = ['rate_limit_counters'];

/** What a registry holds: every table's rows, a PostgreSQL server's data-only dump, and every blob's bytes. */
export interface RegistrySnapshot {
  tables: Record<string, string>;
  /** `pg_dump --data-only` of a PostgreSQL server's database (the counters' data left out); '' for PGlite. */
  dump: string;
  /** Every file under the blob folder (temporary ones included): path, size and SHA-256. */
  blobs: string[];
}

export async function snapshotRegistry(db: Database, blobDir: string, databaseUrl?: string): Promise<RegistrySnapshot> {
  const { rows } = await db.query<{ table_name: string }>(
    `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name`,
  );
  const tables: Record<string, string> = {};
  for (const { table_name } of rows) {
    if (COUNTER_TABLES.includes(table_name)) continue;
    tables[table_name] = JSON.stringify(
      (await db.query(`SELECT * FROM ${table_name}`)).rows.map((r) => JSON.stringify(r)).sort(),
    );
  }
  return { tables, dump: databaseUrl ? await dataDump(databaseUrl) : '', blobs: await blobFiles(blobDir) };
}

/** The database's data, byte for byte as pg_dump writes it (rows in physical order: an UPDATE moves a row). */
async function dataDump(url: string): Promise<string> {
  const bin = await postgresBin();
  const { stdout } = await promisify(execFile)(
    join(bin!, 'pg_dump'),
    ['--data-only', '--no-owner', ...COUNTER_TABLES.map((t) => `--exclude-table-data=${t}`), url],
    { maxBuffer: 256 << 20 },
  );
  // pg_dump guards its script with a \restrict line of a random key each time: not the data.
  return stdout.replace(/^\\(un)?restrict .*$/gm, '');
}

export async function blobFiles(root: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => []))
      if (entry.isDirectory()) await walk(join(dir, entry.name));
      else {
        const bytes = await readFile(join(dir, entry.name));
        out.push(`${join(dir, entry.name)} ${bytes.length} ${createHash('sha256').update(bytes).digest('hex')}`);
      }
  };
  await walk(root);
  return out.sort();
}
