import type { SecuritySettings } from '../../config/settings.ts';
import { lowersThreshold, tighten } from '../../config/tightening.ts';
import { canonicalJson } from '../../model/canonical-json.ts';
import { failureRank } from '../../policy/decision.ts';
import { entryText, isTrustedIdentity } from '../../policy/identity.ts';
import { findTrust } from '../../policy/trust-match.ts';
import type { Signer } from '../../policy/trust-match.ts';

/** What a change to the project policy trusts more or less, and the packages it affects: the policy half of a Trust Diff. */

export interface PolicyChange {
  key: string;
  /** A list entry added or removed, or a setting changed. */
  change: 'added' | 'removed' | 'changed';
  entry: string | undefined;
  before: string | undefined;
  after: string | undefined;
  /** It trusts more than before (a new trust entry, a looser setting). */
  weaker: boolean;
  /** Packages (after the change) it now trusts / no longer trusts. */
  trusts: string[];
  untrusts: string[];
  /** Outside `security:`: a registry of the config (`entry` its name), or a pin of the trust record. */
  where?: 'config' | 'record';
}

const LISTS = [
  'trusted_identities',
  'trusted_keys',
  'allowed_issuers',
  'trusted_registries',
  'allowed_registries',
  'blocked_packages',
] as const;
/** A mode's rank; a value that is none (`constructor`…) ranks as nothing weaker than it. */
const rank = (mode: unknown) => failureRank(mode) ?? NaN;

/** The project policy's changes, each with what it trusts more (weaker) and the packages it affects. */
export function policyChanges(
  before: SecuritySettings,
  after: SecuritySettings,
  signers: readonly { name: string; signer: Signer }[],
): PolicyChange[] {
  const changes: PolicyChange[] = [];
  const text = (v: unknown) => (isTrustedIdentity(v) ? entryText(v) : String(v));
  const trustedBy = (key: string, entry: unknown) =>
    key === 'trusted_identities' || key === 'trusted_keys'
      ? [
          ...new Set(
            signers
              .filter(({ signer }) =>
                findTrust(signer, {
                  trusted_identities: key === 'trusted_identities' ? [entry as never] : [],
                  trusted_keys: key === 'trusted_keys' ? [entry as string] : [],
                }),
              )
              .map((s) => s.name),
          ),
        ]
      : [];
  for (const key of LISTS) {
    const was = (before[key] as unknown[]).map(text);
    const now = (after[key] as unknown[]).map(text);
    for (const [i, entry] of (after[key] as unknown[]).entries()) {
      if (was.includes(now[i]!)) continue;
      // More entries trust more, and a block list blocks more. An allowed list allows more, unless it was empty,
      // which allows any: then its first entries narrow it.
      const weaker = key === 'blocked_packages' ? false : key.startsWith('allowed_') ? was.length > 0 : true;
      changes.push({
        key,
        change: 'added',
        entry: now[i],
        before: undefined,
        after: undefined,
        weaker,
        trusts: trustedBy(key, entry),
        untrusts: [],
      });
    }
    for (const [i, entry] of (before[key] as unknown[]).entries()) {
      if (now.includes(was[i]!)) continue;
      const weaker = key === 'blocked_packages' || (key.startsWith('allowed_') && now.length === 0);
      changes.push({
        key,
        change: 'removed',
        entry: was[i],
        before: undefined,
        after: undefined,
        weaker,
        trusts: [],
        untrusts: trustedBy(key, entry),
      });
    }
  }
  const scalar = (key: keyof SecuritySettings, weaker: (b: unknown, a: unknown) => boolean) => {
    if (JSON.stringify(before[key]) === JSON.stringify(after[key])) return;
    changes.push({
      key,
      change: 'changed',
      entry: undefined,
      before: String(before[key] ?? 'unset'),
      after: String(after[key] ?? 'unset'),
      weaker: weaker(before[key], after[key]),
      trusts: [],
      untrusts: [],
    });
  };
  for (const [key, weaker] of Object.entries(SCALARS) as [keyof SecuritySettings, Weaker][]) scalar(key, weaker);
  // Every other setting, whole: weaker where the head's value would weaken the base's as a project's would weaken
  // the global policy (one judgement for both; a setting added to the schema is compared without a line here).
  for (const key of Object.keys(after) as (keyof SecuritySettings)[]) {
    if (key in SCALARS || (LISTS as readonly string[]).includes(key)) continue;
    if (canonicalJson(before[key]) === canonicalJson(after[key])) continue;
    const weaker =
      key === 'signature_threshold'
        ? lowersThreshold(before.signature_threshold, after.signature_threshold) !== undefined
        : tighten(before, { [key]: after[key] }, NO_FILES).findings.some((f) => f.kind === 'weakens');
    changes.push({
      key,
      change: 'changed',
      entry: undefined,
      before: shown(before[key]),
      after: shown(after[key]),
      weaker,
      trusts: [],
      untrusts: [],
    });
  }
  return changes;
}

type Weaker = (before: unknown, after: unknown) => boolean;
const SCALARS: Partial<Record<keyof SecuritySettings, Weaker>> = {
  require_signature: (b, a) => b === true && a === false,
  on_signature_failure: (b, a) => rank(a) < rank(b),
  verify_transparency_log: (b, a) => b === true && a === false,
  on_signer_change: (b, a) => b === 'error' && a === 'warn',
  hidden_content: (b, a) => rank(a) < rank(b),
  sigstore_trusted_root: () => true,
  gpg_home: () => true,
};
const NO_FILES = { globalFile: undefined, projectFile: undefined, homeDir: '' };
const shown = (value: unknown) =>
  value === undefined ? 'unset' : typeof value === 'object' ? canonicalJson(value) : String(value);

export function describePolicyChange(c: PolicyChange): string {
  const what =
    c.change === 'changed'
      ? `${c.key}${c.entry ? ` "${c.entry}"` : ''}: ${c.before} → ${c.after}`
      : `${c.change} ${c.key} entry "${c.entry}"${(c.after ?? c.before) ? ` (${c.after ?? c.before})` : ''}`;
  const effect = [
    c.trusts.length ? `now trusts ${c.trusts.join(', ')}` : '',
    c.untrusts.length ? `no longer trusts ${c.untrusts.join(', ')}` : '',
  ]
    .filter(Boolean)
    .join('; ');
  return `${what}${c.weaker ? ' (weaker)' : ''}${effect ? ` — ${effect}` : ''}`;
}
