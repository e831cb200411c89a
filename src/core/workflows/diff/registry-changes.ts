import { defaultRegistry } from '../../config/settings.ts';
import type { RegistryEntry } from '../../config/settings.ts';
import type { RecordedRegistry, TrustRecord } from '../../record/trust-record.ts';
import type { PolicyChange } from './policy-changes.ts';

/**
 * The registries half of a Trust Diff: trust in a registry is given by name
 * (`trusted_registries`), and its key and audit-log head are pinned in the
 * trust record. A name that comes to mean another registry (its url, type or
 * key_id changed), a trusted name defined anew, another default registry, a
 * pin's key or name replaced, a pin dropped, and an audit-log head or tree
 * root that does not extend the base's are weaker:
 * on a runner without this machine's pins, the record the pull request leaves
 * is the one the next verification trusts first.
 */
export function registryChanges(
  before: readonly RegistryEntry[],
  after: readonly RegistryEntry[],
  trusted: readonly string[],
): PolicyChange[] {
  const was = new Map(before.map((r) => [r.name, r]));
  const now = new Map(after.map((r) => [r.name, r]));
  const where = (r: RegistryEntry) => `${r.type} ${r.url}${r.keyId ? ` (key ${r.keyId})` : ''}`;
  const changes: PolicyChange[] = [];
  for (const [name, r] of now) {
    const old = was.get(name);
    if (old && where(old) === where(r)) continue;
    changes.push(change('registries', name, old && where(old), where(r), !!old || trusted.includes(name), 'config'));
  }
  for (const [name, old] of was)
    if (!now.has(name)) changes.push(change('registries', name, where(old), undefined, false, 'config'));
  // Where a package comes from without --registry: another default is another source of archives.
  const [from, to] = [defaultRegistry(before)?.name ?? 'none', defaultRegistry(after)?.name ?? 'none'];
  if (from !== to) changes.push(change('default registry', undefined, from, to, true, 'config'));
  return changes;
}

/** The trust record's pins, base against head (see registryChanges). */
export function recordedRegistryChanges(base: TrustRecord, head: TrustRecord): PolicyChange[] {
  const was = base.registries ?? {};
  const now = head.registries ?? {};
  const pin = (r: RecordedRegistry, entry: string) =>
    `${r.name === entry ? '' : `named "${r.name}", `}key ${r.key_id}, audit log at ${r.audit_size}${r.audit_root ? `, tree root ${r.audit_root.slice(0, 12)}…` : ''}`;
  const changes: PolicyChange[] = [];
  for (const [name, old] of Object.entries(was)) {
    const r = now[name];
    if (!r) {
      changes.push(change('registry pin', name, pin(old, name), undefined, true, 'record'));
      continue;
    }
    // A tree root dropped or changed turns off the consistency proof against it; another name, the one attestations carry.
    const rewound =
      r.audit_size < old.audit_size ||
      (r.audit_size === old.audit_size && (r.audit_head !== old.audit_head || r.audit_root !== old.audit_root)) ||
      (old.audit_root !== undefined && r.audit_root === undefined);
    if (r.key_id !== old.key_id || r.public_key !== old.public_key || r.name !== old.name || rewound)
      changes.push(change('registry pin', name, pin(old, name), pin(r, name), true, 'record'));
  }
  for (const [name, r] of Object.entries(now))
    if (!was[name]) changes.push(change('registry pin', name, undefined, pin(r, name), false, 'record'));
  return changes;
}

function change(
  key: string,
  name: string | undefined,
  before: string | undefined,
  after: string | undefined,
  weaker: boolean,
  where: NonNullable<PolicyChange['where']>,
): PolicyChange {
  return {
    key,
    change: before === undefined ? 'added' : after === undefined ? 'removed' : 'changed',
    entry: name,
    before,
    after,
    weaker,
    trusts: [],
    untrusts: [],
    where,
  };
}
