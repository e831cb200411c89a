import { createHash } from 'node:crypto';

/**
 * The Merkle tree of RFC 6962 (Certificate Transparency, §2.1) and RFC 9162
 * (§2.1), over which the registry's audit log proves itself: an inclusion
 * proof shows an entry is in a tree of a given size and root, a consistency
 * proof that a tree only appended to a smaller one — each O(log n) hashes,
 * so a client checks a new head without reading the log.
 */
export type Hash = Buffer;

const LEAF = Buffer.from([0]);
const NODE = Buffer.from([1]);
export const EMPTY_ROOT: Hash = createHash('sha256').digest();

export function leafHash(data: Uint8Array): Hash {
  return createHash('sha256').update(LEAF).update(data).digest();
}

export function nodeHash(left: Hash, right: Hash): Hash {
  return createHash('sha256').update(NODE).update(left).update(right).digest();
}

/** The largest power of two smaller than `n` (n ≥ 2): where RFC 6962 splits a tree of n leaves. */
export function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/**
 * A tree as its store knows it: the hash of each perfect subtree, level
 * `level` (2^level leaves) and `index` (leaves index·2^level …), for the
 * leaves written so far. Enough to build any root or proof in O(log n) reads.
 */
export interface PerfectNodes {
  perfect(level: number, index: number): Hash | Promise<Hash>;
}

/** MTH(D[start:end]) of RFC 6962 §2.1, from perfect subtrees; `start` is a multiple of the subtree's split. */
export async function rangeHash(tree: PerfectNodes, start: number, end: number): Promise<Hash> {
  const size = end - start;
  if (size === 0) return EMPTY_ROOT;
  if (Number.isInteger(Math.log2(size)) && start % size === 0) return tree.perfect(Math.log2(size), start / size);
  const k = splitPoint(size);
  return nodeHash(await rangeHash(tree, start, start + k), await rangeHash(tree, start + k, end));
}

export function rootOf(tree: PerfectNodes, size: number): Promise<Hash> {
  return rangeHash(tree, 0, size);
}

/** PATH(m, D[start:end]) of RFC 6962 §2.1.1: the audit path of leaf `index` in a tree of `size` leaves. */
export async function inclusionProof(tree: PerfectNodes, index: number, size: number): Promise<Hash[]> {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size) || index < 0 || index >= size)
    throw new RangeError(`no leaf ${index} in a tree of ${size}`);
  const path: Hash[] = [];
  let [start, end] = [0, size];
  const siblings: [number, number][] = [];
  while (end - start > 1) {
    const k = splitPoint(end - start);
    if (index < start + k) {
      siblings.push([start + k, end]);
      end = start + k;
    } else {
      siblings.push([start, start + k]);
      start += k;
    }
  }
  // The path runs from the leaf up: the sibling found last is the first.
  for (const [a, b] of siblings.reverse()) path.push(await rangeHash(tree, a, b));
  return path;
}

/** PROOF(m, D[n]) of RFC 6962 §2.1.2: that the tree of `size1` leaves is a prefix of the tree of `size2`. */
export async function consistencyProof(tree: PerfectNodes, size1: number, size2: number): Promise<Hash[]> {
  if (!Number.isSafeInteger(size1) || !Number.isSafeInteger(size2) || size1 < 0 || size1 > size2)
    throw new RangeError(`no consistency proof from ${size1} to ${size2}`);
  if (size1 === 0 || size1 === size2) return [];
  const proof: [number, number][] = [];
  // SUBPROOF(m, D[start:end], b), unrolled.
  let [start, end, complete] = [0, size2, true];
  let m = size1;
  while (m !== end - start) {
    const k = splitPoint(end - start);
    if (m <= k) {
      proof.push([start + k, end]);
      end = start + k;
    } else {
      proof.push([start, start + k]);
      start += k;
      m -= k;
      complete = false;
    }
  }
  if (!complete) proof.push([start, end]);
  const hashes: Hash[] = [];
  for (const [a, b] of proof.reverse()) hashes.push(await rangeHash(tree, a, b));
  return hashes;
}

export type ProofCheck = { ok: true } | { ok: false; reason: string };

// Sizes are JavaScript numbers (safe to 2^53), so no 32-bit shifts.
const odd = (x: number) => x % 2 === 1;
const half = (x: number) => Math.floor(x / 2);

const isHash = (h: unknown): h is Hash => Buffer.isBuffer(h) && h.length === 32;

/** RFC 9162 §2.1.3.2: whether `proof` shows leaf `index` (hash `leaf`) in the tree of `size` leaves and root `root`. */
export function verifyInclusion(
  index: number,
  size: number,
  leaf: Hash,
  proof: readonly Hash[],
  root: Hash,
): ProofCheck {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size) || index < 0 || index >= size)
    return { ok: false, reason: `entry ${index} cannot be in a log of ${size} entries` };
  if (!isHash(leaf) || !isHash(root) || !proof.every(isHash))
    return { ok: false, reason: 'the proof holds something that is not a SHA-256 hash' };
  let [fn, sn] = [index, size - 1];
  let r = leaf;
  for (const p of proof) {
    if (sn === 0) return { ok: false, reason: 'the inclusion proof is longer than the tree is deep' };
    if (odd(fn) || fn === sn) {
      r = nodeHash(p, r);
      while (!odd(fn) && fn !== 0) [fn, sn] = [half(fn), half(sn)];
    } else r = nodeHash(r, p);
    [fn, sn] = [half(fn), half(sn)];
  }
  if (sn !== 0) return { ok: false, reason: 'the inclusion proof is shorter than the tree is deep' };
  return r.equals(root) ? { ok: true } : { ok: false, reason: 'the inclusion proof does not lead to the signed root' };
}

/** RFC 9162 §2.1.4.2: whether `proof` shows the tree (size1, root1) is a prefix of the tree (size2, root2). */
export function verifyConsistency(
  size1: number,
  size2: number,
  proof: readonly Hash[],
  root1: Hash,
  root2: Hash,
): ProofCheck {
  if (!Number.isSafeInteger(size1) || !Number.isSafeInteger(size2) || size1 < 0 || size2 < size1)
    return { ok: false, reason: `a log of ${size2} entries cannot extend one of ${size1}` };
  if (!proof.every(isHash) || !isHash(root1) || !isHash(root2))
    return { ok: false, reason: 'the proof holds something that is not a SHA-256 hash' };
  if (size1 === size2)
    return proof.length === 0 && root1.equals(root2)
      ? { ok: true }
      : { ok: false, reason: `two different roots for the same ${size1} entries: the log was rewritten` };
  if (size1 === 0)
    return proof.length === 0 ? { ok: true } : { ok: false, reason: 'a proof from an empty log must be empty' };
  if (proof.length === 0) return { ok: false, reason: 'the consistency proof is empty' };
  const path = [...proof];
  // A first tree that is a perfect subtree on the left edge is its own first node.
  if (Number.isInteger(Math.log2(size1))) path.unshift(root1);
  let [fn, sn] = [size1 - 1, size2 - 1];
  while (odd(fn)) [fn, sn] = [half(fn), half(sn)];
  let fr = path[0]!;
  let sr = path[0]!;
  for (const c of path.slice(1)) {
    if (sn === 0) return { ok: false, reason: 'the consistency proof is longer than the tree is deep' };
    if (odd(fn) || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      while (!odd(fn) && fn !== 0) [fn, sn] = [half(fn), half(sn)];
    } else sr = nodeHash(sr, c);
    [fn, sn] = [half(fn), half(sn)];
  }
  if (sn !== 0) return { ok: false, reason: 'the consistency proof is shorter than the tree is deep' };
  if (!fr.equals(root1)) return { ok: false, reason: `the proof does not lead to the root seen before at ${size1}` };
  if (!sr.equals(root2)) return { ok: false, reason: `the proof does not lead to the signed root at ${size2}` };
  return { ok: true };
}

/** A whole tree in memory, from its leaf hashes: for tests and for small logs. */
export class MemoryTree implements PerfectNodes {
  private readonly levels: Hash[][];

  constructor(leaves: readonly Hash[]) {
    this.levels = [[...leaves]];
    for (let level = 0; this.levels[level]!.length > 1; level++) {
      const below = this.levels[level]!;
      const above: Hash[] = [];
      for (let i = 0; i + 1 < below.length; i += 2) above.push(nodeHash(below[i]!, below[i + 1]!));
      this.levels.push(above);
    }
  }

  perfect(level: number, index: number): Hash {
    const hash = this.levels[level]?.[index];
    if (!hash) throw new RangeError(`no perfect subtree at level ${level}, index ${index}`);
    return hash;
  }
}
