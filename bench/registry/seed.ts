/**
 * Seeds a registry's database with a scale fixture straight through COPY
 * (not HTTP publishes): PACKAGES packages × VERSIONS versions, each version
 * a publish in the audit log (chained, linked per package, and its Merkle
 * tree), archives shared among versions from a small set of real ones. It
 * is what a registry of that size holds, written the fast way.
 */
import { randomUUID } from 'node:crypto';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { entryHash, GENESIS } from '../../src/core/registry/audit-log.ts';
import type { Hash } from '../../src/core/registry/merkle.ts';
import { appendLeaf, rootOfFrontier } from '../../src/server/audit-tree.ts';
import { fixturePackage } from './names.ts';

/** One table's rows as COPY text lines (tab-separated; none of the values here holds a tab, newline or backslash). */
export type CopyChunk = { table: string; columns: string[]; lines: string[] };

/** What loads COPY text into a table: a server reads it from a file, PGlite from a blob. */
export type CopyInto = (chunk: CopyChunk) => Promise<void>;

export interface SeedShape {
  packages: number;
  versions: number;
  /** A registry from before the Merkle tree (no audit_nodes to fill). */
  legacy?: boolean | undefined;
  /** The archives the versions share: SHA-256 (hex) and size of each. */
  archives: { sha256: string; size: number }[];
  userId: string;
}

const tsv = (values: (string | number | null)[]) => values.map((v) => (v === null ? '\\N' : String(v))).join('\t');

/** The fixture's p-th package's name (see names.ts: realistic names, a third of them scoped). */
export function packageName(p: number): { scope: string; name: string; full: string } {
  const { scope, name, full } = fixturePackage(p);
  return { scope, name, full };
}

/**
 * Streams the fixture's rows in chunks of `chunk` rows to `copy`. Returns
 * the audit log's head (size, last hash, root, frontier).
 */
export async function seed(
  shape: SeedShape,
  copy: CopyInto,
  chunk = 100_000,
): Promise<{ size: number; headHash: string; root: Hash; frontier: Hash[] }> {
  const pending = new Map<string, CopyChunk>();
  const add = async (table: string, columns: string[], values: (string | number | null)[]) => {
    let c = pending.get(table);
    if (!c) pending.set(table, (c = { table, columns, lines: [] }));
    c.lines.push(tsv(values));
    if (c.lines.length >= chunk) {
      pending.delete(table);
      await copy(c);
    }
  };
  let frontier: Hash[] = [];
  let prev = GENESIS;
  let seq = 0;
  const epoch = Date.parse('2026-01-01T00:00:00Z');
  for (let p = 0; p < shape.packages; p++) {
    const { scope, name, full, description, author, keywords } = fixturePackage(p);
    const id = randomUUID();
    const latest = `1.${shape.versions - 1}.0`;
    const sorted = [...keywords].sort();
    // The keywords' copy search reads (the trigger that keeps it is off during a bulk load); a
    // registry from before migration 7 has no such column.
    if (shape.legacy)
      await add(
        'packages',
        ['id', 'scope', 'name', 'description', 'author', 'license', 'latest_version'],
        [id, scope, name, description, author, 'MIT', latest],
      );
    else
      await add(
        'packages',
        ['id', 'scope', 'name', 'description', 'author', 'license', 'latest_version', 'search_keywords'],
        [id, scope, name, description, author, 'MIT', latest, sorted.join(' ')],
      );
    await add('package_owners', ['package_id', 'user_id'], [id, shape.userId]);
    for (const keyword of sorted) await add('package_keywords', ['package_id', 'keyword'], [id, keyword]);
    await add('dist_tags', ['package_id', 'tag', 'version'], [id, 'latest', latest]);
    let previousAboutPackage = 0;
    // Every package has a prompt; 1 in 10 an agent too, 1 in 200 a skill: a type filter that matches
    // few packages is a case of its own (it must not walk every package to find them).
    const extraTypes = [...(p % 10 === 1 ? ['agent'] : []), ...(p % 200 === 7 ? ['skill'] : [])];
    for (let v = 0; v < shape.versions; v++) {
      const version = `1.${v}.0`;
      const archive = shape.archives[(p * shape.versions + v) % shape.archives.length]!;
      const versionId = randomUUID();
      const at = new Date(epoch + seq * 1000).toISOString();
      const manifest = {
        name: full,
        version,
        description,
        keywords: sorted,
        dependencies: {},
        artifacts: {
          prompts: [{ name: 'p', path: 'prompts/p.md', description: 'P' }],
          ...Object.fromEntries(
            extraTypes.map((type) => [`${type}s`, [{ name: 'x', path: `${type}s/x.md`, description: 'X' }]]),
          ),
        },
      };
      await add(
        'package_versions',
        [
          'id',
          'package_id',
          'version',
          'checksum_sha256',
          'archive_size',
          'archive_key',
          'manifest_json',
          'published_by',
          'published_at',
        ],
        [
          versionId,
          id,
          version,
          archive.sha256,
          archive.size,
          archive.sha256,
          JSON.stringify(manifest),
          shape.userId,
          at,
        ],
      );
      await add('artifacts', ['version_id', 'artifact_type', 'name', 'description'], [versionId, 'prompt', 'p', 'P']);
      for (const type of extraTypes)
        await add('artifacts', ['version_id', 'artifact_type', 'name', 'description'], [versionId, type, 'x', 'X']);
      seq++;
      const content = {
        seq,
        event: 'package.publish' as const,
        actor: 'seed',
        package: full,
        version,
        timestamp: at,
        metadata: {
          checksum: `sha256:${archive.sha256}`,
          signature: null,
          approval: 'not required',
          package_previous: previousAboutPackage,
        },
        prev_hash: prev,
      };
      previousAboutPackage = seq;
      prev = entryHash(content);
      await add(
        'audit_log',
        ['seq', 'event', 'actor', 'package', 'version', 'timestamp', 'metadata', 'prev_hash', 'hash'],
        [
          seq,
          content.event,
          content.actor,
          full,
          version,
          at,
          JSON.stringify(content.metadata),
          content.prev_hash,
          prev,
        ],
      );
      if (shape.legacy) continue;
      const tree = appendLeaf(frontier, seq - 1, prev);
      frontier = tree.frontier;
      for (const [level, index, hash] of tree.nodes)
        await add('audit_nodes', ['level', 'idx', 'hash'], [level, index, `\\\\x${hash.toString('hex')}`]);
    }
  }
  for (const c of pending.values()) await copy(c);
  return { size: seq, headHash: prev, root: rootOfFrontier(frontier), frontier };
}

/** COPY into a PostgreSQL server: each chunk written to a file the server reads (it runs as another user). */
export async function serverCopy(
  query: (sql: string) => Promise<unknown>,
): Promise<{ copy: CopyInto; done: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'aam-seed-'));
  await chmod(dir, 0o755);
  let n = 0;
  return {
    copy: async ({ table, columns, lines }) => {
      const file = join(dir, `${table}-${n++}.tsv`);
      await writeFile(file, `${lines.join('\n')}\n`, { mode: 0o644 });
      await query(`COPY ${table} (${columns.join(', ')}) FROM '${file}'`);
      await rm(file);
    },
    done: () => rm(dir, { recursive: true, force: true }),
  };
}
