import { consistencyProof, EMPTY_ROOT, inclusionProof, leafHash, nodeHash } from '../core/registry/merkle.ts';
import type { Hash, PerfectNodes } from '../core/registry/merkle.ts';
import type { Queryable } from './db.ts';
import { ApiFailure } from './errors.ts';

/**
 * The audit log's RFC 6962 Merkle tree in the database: `audit_nodes` holds
 * the hash of every perfect subtree, written as entries are appended (after
 * leaf n, each subtree that leaf completes), and the head row holds the
 * root and the frontier (the perfect subtrees of the current size), so an
 * append reads only the row it locks and any root or proof is one query of
 * O(log n) rows. Each leaf's data is its entry's hash (32 bytes), so the
 * entries keep their own format and their chain.
 */

/** The levels of the perfect subtrees a tree of `size` leaves is made of, largest (leftmost) first. */
export function frontierLevels(size: number): number[] {
  const levels: number[] = [];
  for (let level = 52; level >= 0; level--) if (Math.floor(size / 2 ** level) % 2 === 1) levels.push(level);
  return levels;
}

/** The root of a tree from its frontier: RFC 6962 splits at the largest power of two, so fold from the right. */
export function rootOfFrontier(frontier: readonly Hash[]): Hash {
  if (frontier.length === 0) return EMPTY_ROOT;
  let root = frontier.at(-1)!;
  for (let i = frontier.length - 2; i >= 0; i--) root = nodeHash(frontier[i]!, root);
  return root;
}

/** Leaf `size` (0-based) appended: the new frontier, and every perfect subtree it completes, to store. */
export function appendLeaf(
  frontier: readonly Hash[],
  size: number,
  entryHash: string,
): { frontier: Hash[]; nodes: [level: number, index: number, hash: Hash][] } {
  const levels = frontierLevels(size);
  const stack = frontier.map((hash, i) => ({ level: levels[i]!, hash }));
  let hash = leafHash(Buffer.from(entryHash, 'hex'));
  let level = 0;
  const nodes: [number, number, Hash][] = [[0, size, hash]];
  while (stack.length > 0 && stack.at(-1)!.level === level) {
    hash = nodeHash(stack.pop()!.hash, hash);
    level++;
    nodes.push([level, Math.floor((size + 1) / 2 ** level) - 1, hash]);
  }
  stack.push({ level, hash });
  return { frontier: stack.map((s) => s.hash), nodes };
}

export function splitFrontier(bytes: Uint8Array | null): Hash[] | undefined {
  if (!bytes) return undefined;
  const buffer = Buffer.from(bytes);
  return Array.from({ length: buffer.length / 32 }, (_, i) => buffer.subarray(i * 32, i * 32 + 32));
}

/** Stores the nodes an append completed, in one statement. */
export async function storeNodes(tx: Queryable, nodes: readonly [number, number, Hash][]): Promise<void> {
  await tx.query(
    `INSERT INTO audit_nodes (level, idx, hash)
     SELECT l, i, decode(h, 'hex') FROM unnest($1::int[], $2::bigint[], $3::text[]) AS t(l, i, h)`,
    [nodes.map((n) => n[0]), nodes.map((n) => n[1]), nodes.map((n) => n[2].toString('hex'))],
  );
}

async function readNodes(db: Queryable, wanted: readonly [number, number][]): Promise<Map<string, Hash>> {
  if (wanted.length === 0) return new Map();
  const { rows } = await db.query<{ level: number; idx: number | string | bigint; hash: Uint8Array }>(
    `SELECT level, idx, hash FROM audit_nodes
      WHERE (level, idx) IN (SELECT * FROM unnest($1::smallint[], $2::bigint[]))`,
    [wanted.map((w) => w[0]), wanted.map((w) => w[1])],
  );
  return new Map(rows.map((r) => [`${r.level}:${Number(r.idx)}`, Buffer.from(r.hash)]));
}

/**
 * Runs a tree computation against the stored nodes with one query: the
 * algorithms of RFC 6962 read the same subtrees whatever their hashes are,
 * so a first pass learns which, and the second has them.
 */
export async function withNodes<T>(db: Queryable, compute: (tree: PerfectNodes) => Promise<T>): Promise<T> {
  const wanted = new Map<string, [number, number]>();
  await compute({
    perfect: (level, index) => {
      wanted.set(`${level}:${index}`, [level, index]);
      return EMPTY_ROOT;
    },
  });
  const found = await readNodes(db, [...wanted.values()]);
  return compute({
    perfect: (level, index) => {
      const hash = found.get(`${level}:${index}`);
      if (!hash)
        throw new ApiFailure(500, 'audit_tree_incomplete', `The audit log's tree has no node ${level}/${index}.`);
      return hash;
    },
  });
}

/** The frontier of a tree of `size` leaves, read from the stored nodes (a log migrated from a plain chain). */
export async function readFrontier(db: Queryable, size: number): Promise<Hash[]> {
  const coordinates: [number, number][] = [];
  let start = 0;
  for (const level of frontierLevels(size)) {
    coordinates.push([level, start / 2 ** level]);
    start += 2 ** level;
  }
  const found = await readNodes(db, coordinates);
  return coordinates.map(([level, index]) => {
    const hash = found.get(`${level}:${index}`);
    if (!hash)
      throw new ApiFailure(500, 'audit_tree_incomplete', `The audit log's tree has no node ${level}/${index}.`);
    return hash;
  });
}

export interface TreeHead {
  size: number;
  head_hash: string;
  root: Hash;
}

/** The head as stored: size, last entry hash, and the tree's root. */
export async function treeHead(db: Queryable): Promise<TreeHead> {
  const { rows } = await db.query<{ size: number; head_hash: string; root: Uint8Array | null }>(
    'SELECT size, head_hash, root FROM audit_head WHERE id = 1',
  );
  const size = Number(rows[0]?.size ?? 0);
  const stored = rows[0]?.root;
  const root = stored ? Buffer.from(stored) : rootOfFrontier(await readFrontier(db, size));
  return { size, head_hash: (rows[0]?.head_hash ?? '').trim(), root };
}

function requireSize(size: number, current: number): void {
  if (size > current)
    throw new ApiFailure(400, 'bad_request', `The log has ${current} entries: there is no tree of ${size}.`);
}

export async function consistencyHashes(db: Queryable, from: number, to: number, current: number): Promise<string[]> {
  requireSize(to, current);
  if (from > to) throw new ApiFailure(400, 'bad_request', `from (${from}) is after to (${to}).`);
  return (await withNodes(db, (tree) => consistencyProof(tree, from, to))).map((h) => h.toString('hex'));
}

export async function inclusionHashes(db: Queryable, index: number, size: number, current: number): Promise<string[]> {
  requireSize(size, current);
  if (index >= size) throw new ApiFailure(400, 'bad_request', `There is no entry ${index} in a tree of ${size}.`);
  return (await withNodes(db, (tree) => inclusionProof(tree, index, size))).map((h) => h.toString('hex'));
}

/** Inclusion proofs of several leaves in the tree of `size`, with one read of the nodes. */
export async function inclusionHashesOf(db: Queryable, indices: readonly number[], size: number): Promise<string[][]> {
  const proofs = await withNodes(db, (tree) => Promise.all(indices.map((index) => inclusionProof(tree, index, size))));
  return proofs.map((proof) => proof.map((h) => h.toString('hex')));
}
