import type { RecordedRegistry } from '../record/trust-record.ts';
import { keyIdOf } from './attestation.ts';
import type { RegistryKey } from './attestation.ts';
import { verifyChain, verifyExtension, verifyHeadSignature } from './audit-log.ts';
import type { AuditEntry, AuditHead } from './audit-log.ts';
import type { HttpRegistry } from './http-registry.ts';

export interface RegistryLogCheck {
  ok: boolean;
  /** Why the log (or the key) cannot be trusted: a failing finding. */
  reason?: string;
  /** The registry's key changed from the one pinned: accepted only explicitly, like a signer change. */
  keyChanged?: { was: string; now: string };
  identity: { name: string } & RegistryKey;
  head: AuditHead | undefined;
  entries: AuditEntry[];
  /** What to remember when the check passed: the key and the head just proven. */
  next: Omit<RecordedRegistry, 'recorded_at'> | undefined;
  /** The size of the head seen before, which this one extends. */
  extends?: number;
}

/**
 * Checks an HTTP registry's audit log the way a client can without trusting
 * it: the key is the one pinned (in the config entry, or recorded on first
 * use); the head is signed by it; every entry hashes to the chain ending in
 * that head; and the head extends the one seen before. Nothing the registry
 * says is believed because it says it.
 */
export async function checkRegistryLog(
  registry: HttpRegistry,
  recorded: RecordedRegistry | undefined,
  pinnedKeyId?: string,
  /** Only the entries since the recorded head (the last one seen first): what a routine check needs. */
  incremental = false,
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
  const expected = pinnedKeyId?.toLowerCase() ?? recorded?.key_id;
  if (expected && expected !== identity.key_id)
    return fail(
      `registry "${registry.name}" signs with key ${identity.key_id.slice(0, 16)}…, not ${expected.slice(0, 16)}… (${pinnedKeyId ? 'configured' : 'recorded'})`,
      { keyChanged: { was: expected, now: identity.key_id } },
    );
  const head = await registry.auditHead();
  if (
    !head ||
    typeof head.size !== 'number' ||
    typeof head.head_hash !== 'string' ||
    !verifyHeadSignature(head, identity.public_key)
  )
    return fail(`the audit-log head of registry "${registry.name}" is not signed by its key`);
  if (head.registry !== identity.name)
    return fail(`the audit-log head names registry "${head.registry}", not "${identity.name}"`);
  const from = incremental && recorded ? Math.max(0, recorded.audit_size - 1) : 0;
  const entries = await registry.auditEntries(from, head.size);
  if (from === 0) {
    const chain = verifyChain(entries, head);
    if (!chain.ok)
      return fail(`the audit log of registry "${registry.name}" is broken: ${chain.reason}`, { head, entries });
  }
  if (recorded) {
    const extension = verifyExtension({ size: recorded.audit_size, head_hash: recorded.audit_head }, entries, head);
    if (!extension.ok)
      return fail(
        `the audit log of registry "${registry.name}" does not extend the one seen before: ${extension.reason}`,
        {
          head,
          entries,
        },
      );
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
    },
    ...(recorded ? { extends: recorded.audit_size } : {}),
  };
}
