import { createHash, createPublicKey, sign as cryptoSign, verify as cryptoVerify } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { signingKeyIdOf } from './attestation.ts';
import { canonicalJson } from '../model/canonical-json.ts';
import { API_PREFIX } from './http-api.ts';

/**
 * The HTTP registry's audit log (seeds, Layer 4), made tamper-evident: each
 * entry's hash covers the one before it, and the registry signs the head
 * (size and last hash). A client that remembers a head can prove any later
 * head extends it — a rewritten, dropped, reordered or forked entry breaks
 * the chain or the extension.
 */
export const AUDIT_EVENTS = [
  'package.publish',
  'version.yank',
  'tag.set',
  'tag.remove',
  'version.approve',
  'version.reject',
  'ownership.transfer',
  'signature.add',
  'delegation.add',
  'delegation.remove',
] as const;
export type AuditEvent = (typeof AUDIT_EVENTS)[number];

export const GENESIS = '0'.repeat(64);

/**
 * The metadata key in which an entry names the previous entry about the same
 * package (its seq; 0 for the first): one package's entries link up, so a
 * client that reads only them sees one left out. Entries written before it
 * have none.
 */
export const PACKAGE_PREVIOUS = 'package_previous';

export interface AuditEntry {
  seq: number;
  event: AuditEvent;
  actor: string;
  package: string;
  version: string | null;
  timestamp: string;
  metadata: Record<string, unknown>;
  prev_hash: string;
  hash: string;
}

/**
 * What the registry signs: how long its log is, what its last entry hashes
 * to, and the root of the RFC 6962 Merkle tree over its entries (each
 * entry's hash is a leaf's data). `signature` covers the first three as
 * clients before the tree know them (aam-audit-head/v1); `root_signature`
 * covers them with the root (aam-audit-head/v2).
 */
export interface AuditHead {
  registry: string;
  size: number;
  head_hash: string;
  signed_at: string;
  key_id: string;
  signature: string;
  /** The Merkle tree's root (hex); absent from registries that keep only the chain. */
  root?: string;
  root_signature?: string;
}

type HeadContent = Pick<AuditHead, 'registry' | 'size' | 'head_hash' | 'signed_at'> & { root?: string | undefined };

/** JSON with object keys sorted at every level: the bytes a hash or signature covers. */
export { canonicalJson };

export function entryHash(entry: Omit<AuditEntry, 'hash'>): string {
  const { seq, event, actor, package: pkg, version, timestamp, metadata, prev_hash } = entry;
  return createHash('sha256')
    .update(canonicalJson({ seq, event, actor, package: pkg, version, timestamp, metadata, prev_hash }))
    .digest('hex');
}

function headBytes(head: HeadContent, withRoot: boolean): Buffer {
  const common = { registry: head.registry, size: head.size, head_hash: head.head_hash, signed_at: head.signed_at };
  return Buffer.from(
    canonicalJson(
      withRoot ? { type: 'aam-audit-head/v2', ...common, root: head.root } : { type: 'aam-audit-head/v1', ...common },
    ),
    'utf8',
  );
}

export function signHead(head: HeadContent, privateKey: KeyObject): AuditHead {
  const { root, ...rest } = head;
  return {
    ...rest,
    key_id: signingKeyIdOf(privateKey),
    signature: cryptoSign('sha256', headBytes(head, false), privateKey).toString('base64'),
    ...(root !== undefined
      ? { root, root_signature: cryptoSign('sha256', headBytes(head, true), privateKey).toString('base64') }
      : {}),
  };
}

/** Whether the head is signed by `publicKey`: the chain's signature, and the root's when it has a root. */
export function verifyHeadSignature(head: AuditHead, publicKey: string): boolean {
  try {
    const key = createPublicKey(publicKey);
    const ok = (bytes: Buffer, signature: unknown) =>
      typeof signature === 'string' && cryptoVerify('sha256', bytes, key, Buffer.from(signature, 'base64'));
    if (!ok(headBytes(head, false), head.signature)) return false;
    if (head.root === undefined && head.root_signature === undefined) return true;
    return (
      typeof head.root === 'string' &&
      /^[0-9a-f]{64}$/.test(head.root) &&
      ok(headBytes(head, true), head.root_signature)
    );
  } catch {
    return false;
  }
}

export type ChainCheck = { ok: true } | { ok: false; reason: string; seq?: number };

/**
 * Checks `entries` (consecutive, starting at `from` + 1) against the head:
 * each links to the one before (`previous` is the hash entry `from` had),
 * each hash is what its content hashes to, and the last is the head.
 */
export function verifyChain(
  entries: readonly AuditEntry[],
  head: Pick<AuditHead, 'size' | 'head_hash'>,
  from = 0,
  previous = GENESIS,
): ChainCheck {
  let prev = previous;
  for (const [i, entry] of entries.entries()) {
    const seq = from + i + 1;
    if (entry.seq !== seq)
      return { ok: false, reason: `entry ${seq} is missing or out of order (found ${entry.seq})`, seq };
    if (entry.prev_hash !== prev) return { ok: false, reason: `entry ${seq} does not follow entry ${seq - 1}`, seq };
    const { hash, ...content } = entry;
    if (entryHash(content) !== hash) return { ok: false, reason: `entry ${seq} was changed after it was written`, seq };
    prev = hash;
  }
  if (from + entries.length !== head.size)
    return { ok: false, reason: `the log has ${from + entries.length} entries but its signed head says ${head.size}` };
  if (prev !== head.head_hash) return { ok: false, reason: 'the last entry is not the signed head' };
  return { ok: true };
}

/**
 * Whether `head` extends a head seen before (`recorded`): the log kept
 * everything up to the recorded size unchanged and only appended. `entries`
 * are the log's entries from `recorded.size` on (the recorded last entry
 * first, so its hash can be compared) — or all of them.
 */
export function verifyExtension(
  recorded: { size: number; head_hash: string },
  entries: readonly AuditEntry[],
  head: Pick<AuditHead, 'size' | 'head_hash'>,
): ChainCheck {
  if (head.size < recorded.size)
    return { ok: false, reason: `the log shrank from ${recorded.size} to ${head.size} entries since it was last seen` };
  if (recorded.size === 0) return verifyChain(entries, head);
  const anchor = entries.find((e) => e.seq === recorded.size);
  if (!anchor) return { ok: false, reason: `entry ${recorded.size}, the last one seen, is no longer in the log` };
  if (anchor.hash !== recorded.head_hash)
    return {
      ok: false,
      reason: `entry ${recorded.size} differs from the one seen before: the log was rewritten or forked`,
      seq: recorded.size,
    };
  const later = entries.filter((e) => e.seq > recorded.size).sort((a, b) => a.seq - b.seq);
  const { hash, ...content } = anchor;
  if (entryHash(content) !== hash)
    return { ok: false, reason: `entry ${recorded.size} was changed after it was written`, seq: recorded.size };
  return verifyChain(later, head, recorded.size, anchor.hash);
}

/** The most entries one read of the log takes (a registry states the size it asks to be read up to). */
export const MAX_PAGED_ENTRIES = 2_000_000;

/**
 * Audit-log entries after `from`, up to `until` (the size of a head), read
 * from GET /audit-log a page at a time. Only entries that follow on, one
 * number after the other, are taken: a page that does not move on ends the
 * read (a registry that answered the same page forever held the client in a
 * loop), and so does reaching MAX_PAGED_ENTRIES. What is missing then makes
 * the chain check fail, naming the entry.
 */
export async function pagedAuditEntries(
  get: (path: string) => Promise<unknown>,
  from: number,
  until: number,
): Promise<AuditEntry[]> {
  const entries: AuditEntry[] = [];
  let after = from;
  while (after < until && entries.length < MAX_PAGED_ENTRIES) {
    const page = (await get(`${API_PREFIX}/audit-log?after=${after}&limit=1000`)) as { entries?: unknown };
    const before = after;
    for (const e of Array.isArray(page.entries) ? (page.entries as AuditEntry[]) : []) {
      if (!e || e.seq !== after + 1 || after >= until || entries.length >= MAX_PAGED_ENTRIES) break;
      entries.push(e);
      after = e.seq;
    }
    if (after === before) break;
  }
  return entries;
}
