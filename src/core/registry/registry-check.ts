import type { RecordedRegistry } from '../record/trust-record.ts';
import { isKeyOf, keyIdOf } from '../model/key-id.ts';
import type { RegistryKey } from './attestation.ts';
import { verifyChain, verifyExtension, verifyHeadSignature } from './audit-log.ts';
import type { AuditEntry, AuditHead } from './audit-log.ts';
import { checkConsistency, checkIncluded, provenEntriesOf } from './audit-proofs.ts';
import type { HttpRegistry } from './http-registry.ts';

export interface RegistryLogCheck {
  ok: boolean;
  /** Why the log (or the key) cannot be trusted: a failing finding. */
  reason?: string;
  /** The registry's key changed from the one pinned: accepted only explicitly, like a signer change. */
  keyChanged?: { was: string; now: string };
  identity: { name: string } & RegistryKey;
  head: AuditHead | undefined;
  /** The entries proven: those about the packages asked for (each included in the signed tree), or the log's tail. */
  entries: AuditEntry[];
  /** What to remember when the check passed: the key and the head just proven. */
  next: Omit<RecordedRegistry, 'recorded_at'> | undefined;
  /** The size of the head seen before, which this one extends. */
  extends?: number;
  /** The head came without the Merkle root this registry had (or whose proofs it serves): a downgrade. */
  downgraded?: boolean;
}

export interface LogCheckOptions {
  /** The packages whose entries to prove included in the signed tree (one request each). */
  packages?: readonly string[] | undefined;
  /** The last `tail` entries, proven by their chain to the signed head (for a timeline). */
  tail?: number | undefined;
  /**
   * A key other than the recorded one is accepted (`--accept-signer-change`, no `key_id` configured):
   * the log must still extend the head recorded before — accepting a new key is not accepting a rewritten log.
   */
  acceptKeyChange?: boolean | undefined;
  /**
   * The keys this machine pinned for the registry's URL (registry-pins.ts). The trust record is the project's:
   * a new clone has none, and a pull request can re-pin it whole. Where the machine pinned keys, the served key
   * must be one of them, unless a key is configured or a change is accepted.
   */
  machinePins?: readonly string[] | undefined;
}

/**
 * Checks an HTTP registry's audit log the way a client can without trusting
 * it: the key is the one pinned (in the config entry, or recorded on first
 * use); the head is signed by it; the head's Merkle tree extends the one
 * recorded before (a consistency proof); and the entries asked for are in
 * that tree (an inclusion proof each). Nothing the registry says is believed
 * because it says it, and nothing is read in proportion to the log's length.
 * A registry without a tree is checked by its chain, as before; a head
 * without a root from a registry known to have a tree is a downgrade, and fails.
 */
export async function checkRegistryLog(
  registry: HttpRegistry,
  recorded: RecordedRegistry | undefined,
  pinnedKeyId?: string,
  options: LogCheckOptions = {},
): Promise<RegistryLogCheck> {
  const identity = await registry.identity();
  const fail = (reason: string, more: Partial<RegistryLogCheck> = {}): RegistryLogCheck => ({
    ok: false,
    reason,
    identity,
    head: undefined,
    entries: [],
    next: undefined,
    ...more,
  });
  let actualKeyId: string;
  try {
    actualKeyId = keyIdOf(identity.public_key);
  } catch {
    return fail(`registry "${registry.name}" serves a key that is not a public key`);
  }
  if (actualKeyId !== identity.key_id)
    return fail(`registry "${registry.name}" serves a key whose id is not its key id`);
  const expected = pinnedKeyId?.toLowerCase() ?? (options.acceptKeyChange ? undefined : recorded?.key_id);
  if (expected && expected !== identity.key_id)
    return fail(
      `registry "${registry.name}" signs with key ${identity.key_id.slice(0, 16)}…, not ${expected.slice(0, 16)}… (${pinnedKeyId ? 'configured' : 'recorded'})`,
      { keyChanged: { was: expected, now: identity.key_id } },
    );
  const mine = options.machinePins ?? [];
  if (!pinnedKeyId && !options.acceptKeyChange && mine.length > 0 && !mine.includes(identity.key_id))
    return fail(
      `registry "${registry.name}" signs with key ${identity.key_id.slice(0, 16)}…, not ${mine.map((k) => `${k.slice(0, 16)}…`).join(' or ')} (pinned on this machine for ${registry.url})`,
      { keyChanged: { was: mine.at(-1)!, now: identity.key_id } },
    );
  // The record is project input: the key kept beside the id it pins must be that key, the one served.
  if (
    recorded &&
    !options.acceptKeyChange &&
    recorded.key_id === identity.key_id &&
    !isKeyOf(recorded.public_key, identity.key_id)
  )
    return fail(
      `the public key recorded for registry "${registry.name}" is not the key ${identity.key_id.slice(0, 16)}… that the record pins and the registry serves`,
      { keyChanged: { was: identity.key_id, now: recordedKeyIdOf(recorded.public_key) } },
    );
  const head = await registry.auditHead();
  if (
    !head ||
    typeof head.size !== 'number' ||
    typeof head.head_hash !== 'string' ||
    !verifyHeadSignature(head, identity.public_key)
  )
    return fail(`the audit-log head of registry "${registry.name}" is not signed by its key`);
  // Signed, but the registry signs what it likes: a head the trust record could not hold (read back, it would be
  // no record at all, every later check a first use) is refused, not recorded.
  const malformed = headProblem(head);
  if (malformed) return fail(`the audit-log head of registry "${registry.name}" ${malformed}`);
  if (head.registry !== identity.name)
    return fail(`the audit-log head names registry "${head.registry}", not "${identity.name}"`);
  const downgrade = head.root === undefined ? await rootDowngrade(registry, recorded) : undefined;
  if (downgrade)
    return fail(
      `the audit-log head of registry "${registry.name}" comes without its Merkle root, ${downgrade}: a downgrade that would switch off the log's proofs`,
      { head, downgraded: true },
    );
  const broken = (reason: string, entries: AuditEntry[] = []) =>
    fail(`the audit log of registry "${registry.name}" ${reason}`, { head, entries });

  let entries: AuditEntry[] = [];
  if (head.root === undefined) {
    // A registry that keeps only the chain: read it from the recorded head on (or all of it).
    entries = await registry.auditEntries(0, head.size);
    const chain = verifyChain(entries, head);
    if (!chain.ok) return broken(`is broken: ${chain.reason}`, entries);
    if (recorded) {
      const extension = verifyExtension({ size: recorded.audit_size, head_hash: recorded.audit_head }, entries, head);
      if (!extension.ok) return broken(`does not extend the one seen before: ${extension.reason}`, entries);
    }
    const wanted = options.packages && new Set(options.packages);
    entries = wanted ? entries.filter((e) => wanted.has(e.package)) : entries.slice(-(options.tail ?? entries.length));
  } else {
    const tree = { size: head.size, root: head.root };
    if (recorded) {
      const extension = await extendsRecorded(registry, recorded, tree);
      if (!extension.ok) return broken(`does not extend the one seen before: ${extension.reason}`);
    }
    for (const pkg of options.packages ?? []) {
      const proven = await provenEntriesOf(registry, pkg, tree);
      entries.push(...proven.entries);
      if (!proven.ok) return broken(`is broken: ${proven.reason}`, entries);
    }
    if (options.tail) {
      const from = Math.max(0, head.size - options.tail);
      const tail = await registry.auditEntries(from, head.size);
      const chain = verifyChain(tail, head, from, tail[0]?.prev_hash);
      if (!chain.ok) return broken(`is broken: ${chain.reason}`, []);
      // The chain ends at the head's last hash, which the signature alone does not tie to the tree: the last entry
      // proven at the tree's last place binds it, and through the hashes each entry before it.
      const last = await lastLeaf(registry, { ...tree, headHash: head.head_hash });
      if (!last.ok) return broken(`is broken: ${last.reason}`, []);
      entries.push(...tail);
    }
  }
  return {
    ok: true,
    identity,
    head,
    entries,
    next: {
      name: identity.name,
      key_id: identity.key_id,
      public_key: identity.public_key,
      audit_size: head.size,
      audit_head: head.head_hash,
      ...(head.root !== undefined ? { audit_root: head.root } : {}),
    },
    ...(recorded ? { extends: recorded.audit_size } : {}),
  };
}

/**
 * Why a head without a root cannot be taken as a registry that keeps only
 * the chain: a root was recorded from it before, or it serves the tree's
 * proofs. Either way the root was left out, and with it every proof.
 */
async function rootDowngrade(
  registry: HttpRegistry,
  recorded: RecordedRegistry | undefined,
): Promise<string | undefined> {
  if (recorded?.audit_root !== undefined) return `though a root was recorded from it at ${recorded.audit_size} entries`;
  const probe = (await registry.call('GET', '/audit-log/proof/consistency?from=0&to=0').catch(() => undefined)) as
    { proof?: unknown } | undefined;
  return Array.isArray(probe?.proof) ? "though it serves the tree's proofs" : undefined;
}

/**
 * The signed tree extends the head recorded before. A record with a root
 * takes a consistency proof; one made before the tree (size and last hash
 * only) takes an inclusion proof that its last entry is still that leaf.
 */
async function extendsRecorded(
  registry: HttpRegistry,
  recorded: RecordedRegistry,
  tree: { size: number; root: string },
): Promise<{ ok: true } | { ok: false; reason: string }> {
  if (recorded.audit_root)
    return checkConsistency(registry, { size: recorded.audit_size, root: recorded.audit_root }, tree);
  if (tree.size < recorded.audit_size)
    return {
      ok: false,
      reason: `the log shrank from ${recorded.audit_size} to ${tree.size} entries since it was last seen`,
    };
  if (recorded.audit_size === 0) return { ok: true };
  const item = await inclusionItem(registry, recorded.audit_size - 1, tree);
  if (!item) return { ok: false, reason: `entry ${recorded.audit_size}, the last one seen, is no longer in the log` };
  if (item.entry?.hash !== recorded.audit_head)
    return {
      ok: false,
      reason: `entry ${recorded.audit_size} differs from the one seen before: the log was rewritten or forked`,
    };
  return checkIncluded(item.entry, item.index, item.proof, tree);
}

/** The registry's answer for the entry at `index` of the tree: the entry and its inclusion proof, unchecked. */
async function inclusionItem(
  registry: HttpRegistry,
  index: number,
  tree: { size: number },
): Promise<{ index?: unknown; entry: AuditEntry; proof?: unknown } | undefined> {
  const body = (await registry.call('GET', `/audit-log/proof/inclusion?index=${index}&size=${tree.size}`)) as {
    proofs?: { index?: unknown; entry: AuditEntry; proof?: unknown }[];
  };
  return Array.isArray(body?.proofs) ? body.proofs[0] : undefined;
}

/** The signed head's last hash is the tree's last leaf: that entry, proven included at its place. */
async function lastLeaf(
  registry: HttpRegistry,
  tree: { size: number; root: string; headHash: string },
): Promise<{ ok: true } | { ok: false; reason: string }> {
  if (tree.size === 0) return { ok: true };
  const item = await inclusionItem(registry, tree.size - 1, tree);
  if (!item) return { ok: false, reason: `its last entry (${tree.size}) is not in the signed tree` };
  const included = checkIncluded(item.entry, item.index, item.proof, tree);
  if (!included.ok) return included;
  return item.entry.hash === tree.headHash
    ? { ok: true }
    : { ok: false, reason: `the signed head's last hash is not entry ${tree.size} of its signed tree` };
}

/** The id of a recorded key, or words for a text that is no key. */
function recordedKeyIdOf(publicKey: string): string {
  try {
    return keyIdOf(publicKey);
  } catch {
    return 'not a public key';
  }
}

/** Why a head is not one a client can record: a size that is not a count, a hash or root that is not 64 lower-case hex digits. */
function headProblem(head: { size: number; head_hash: string; root?: string | undefined }): string | undefined {
  if (!Number.isSafeInteger(head.size) || head.size < 0)
    return `states a size that is not a count of entries (${head.size})`;
  if (!/^[0-9a-f]{64}$/.test(head.head_hash))
    return `states a last hash that is not 64 lower-case hex digits (${JSON.stringify(head.head_hash.slice(0, 80))})`;
  if (head.root !== undefined && (typeof head.root !== 'string' || !/^[0-9a-f]{64}$/.test(head.root)))
    return `states a tree root that is not 64 lower-case hex digits (${JSON.stringify(String(head.root).slice(0, 80))})`;
  return undefined;
}
