import { entryHash, PACKAGE_PREVIOUS } from './audit-log.ts';
import type { AuditEntry } from './audit-log.ts';
import type { HttpRegistry } from './http-registry.ts';
import { leafHash, verifyConsistency, verifyInclusion } from './merkle.ts';
import type { Hash, ProofCheck } from './merkle.ts';

/**
 * The client's side of the audit log's proofs: it asks the registry for
 * them and believes nothing it says until the proof leads to a root the
 * registry signed. A head is checked against the one recorded with a
 * consistency proof, and the entries about a package with an inclusion proof
 * each — O(log n) hashes, whatever the log's length.
 */

const HEX = /^[0-9a-f]{64}$/;

function hashes(raw: unknown): Hash[] | undefined {
  if (!Array.isArray(raw) || raw.length > 128 || !raw.every((h) => typeof h === 'string' && HEX.test(h)))
    return undefined;
  return raw.map((h: string) => Buffer.from(h, 'hex'));
}

/** Whether the tree (size1, root1) recorded before is a prefix of the tree (size2, root2) signed now. */
export async function checkConsistency(
  registry: HttpRegistry,
  recorded: { size: number; root: string },
  head: { size: number; root: string },
): Promise<ProofCheck> {
  if (head.size < recorded.size)
    return { ok: false, reason: `the log shrank from ${recorded.size} to ${head.size} entries since it was last seen` };
  if (head.size === recorded.size)
    return head.root === recorded.root
      ? { ok: true }
      : { ok: false, reason: `two different roots for the same ${head.size} entries: the log was rewritten or forked` };
  if (recorded.size === 0) return { ok: true };
  const body = (await registry.call('GET', `/audit-log/proof/consistency?from=${recorded.size}&to=${head.size}`)) as {
    proof?: unknown;
  };
  const proof = hashes(body?.proof);
  if (!proof) return { ok: false, reason: 'the registry answered the consistency proof with something else' };
  const check = verifyConsistency(
    recorded.size,
    head.size,
    proof,
    Buffer.from(recorded.root, 'hex'),
    Buffer.from(head.root, 'hex'),
  );
  return check.ok
    ? check
    : {
        ok: false,
        reason: `the log was rewritten or forked since it was last seen at ${recorded.size} entries (${check.reason})`,
      };
}

/** One entry, proven: its content hashes to its hash, and that hash is leaf `seq - 1` of the signed tree. */
export function checkIncluded(
  entry: AuditEntry,
  index: unknown,
  rawProof: unknown,
  head: { size: number; root: string },
): ProofCheck {
  if (!entry || typeof entry.seq !== 'number' || index !== entry.seq - 1)
    return { ok: false, reason: 'an entry came with a proof for another position' };
  const { hash, ...content } = entry;
  if (typeof hash !== 'string' || entryHash(content) !== hash)
    return { ok: false, reason: `entry ${entry.seq} was changed after it was written` };
  const proof = hashes(rawProof);
  if (!proof) return { ok: false, reason: `entry ${entry.seq} came with something that is not a proof` };
  const check = verifyInclusion(
    entry.seq - 1,
    head.size,
    leafHash(Buffer.from(hash, 'hex')),
    proof,
    Buffer.from(head.root, 'hex'),
  );
  return check.ok ? check : { ok: false, reason: `entry ${entry.seq} is not in the signed log (${check.reason})` };
}

/**
 * Every entry about `pkg` in the signed tree, each proven included; or why
 * not. The proofs show what is there, not that nothing was left out: the
 * caller checks that what it expects (a version's publish) is among them.
 */
export async function provenEntriesOf(
  registry: HttpRegistry,
  pkg: string,
  head: { size: number; root: string },
): Promise<{ ok: true; entries: AuditEntry[] } | { ok: false; reason: string; entries: AuditEntry[] }> {
  const entries: AuditEntry[] = [];
  let after = 0;
  for (let page = 0; page < 100; page++) {
    const body = (await registry.call(
      'GET',
      `/audit-log/proof/inclusion?package=${encodeURIComponent(pkg)}&size=${head.size}&after=${after}`,
    )) as { size?: unknown; proofs?: unknown; more?: unknown };
    if (body?.size !== head.size || !Array.isArray(body.proofs))
      return { ok: false, reason: `the registry answered the proofs of ${pkg}'s entries with something else`, entries };
    for (const item of body.proofs as { index?: unknown; entry: AuditEntry; proof?: unknown }[]) {
      const check = checkIncluded(item?.entry, item?.index, item?.proof, head);
      if (!check.ok) return { ok: false, reason: `${check.reason} (an entry about ${pkg})`, entries };
      if (item.entry.package !== pkg || item.entry.seq <= after)
        return { ok: false, reason: `the registry answered with an entry that is not about ${pkg}`, entries };
      entries.push(item.entry);
      after = item.entry.seq;
    }
    if (body.more !== true) break;
  }
  const gap = missingEntry(entries);
  return gap ? { ok: false, reason: `${gap} (an entry about ${pkg} was left out)`, entries } : { ok: true, entries };
}

/** Where one package's entries, in order, do not link up: each names the one before it about the package. */
export function missingEntry(entries: readonly AuditEntry[]): string | undefined {
  let before = 0;
  for (const entry of entries) {
    const named = entry.metadata?.[PACKAGE_PREVIOUS];
    if (typeof named === 'number' && named !== before)
      return `entry ${entry.seq} follows entry ${named}, which is not in the log${before ? ` (the one before it is ${before})` : ''}`;
    before = entry.seq;
  }
  return undefined;
}
