import { entryText, isTrustedIdentity } from '../../policy/identity.ts';
import { DEFAULT_POLICY, failureRank } from '../../policy/decision.ts';
import type { SecurityPolicy, SignatureThreshold } from '../../policy/decision.ts';
import { lowersThreshold } from '../../config/tightening.ts';
import { canonicalJson } from '../../model/canonical-json.ts';
import { MATERIAL_KEYS } from './policy-snapshot.ts';
import type { MaterialKey, PolicySnapshot } from './policy-snapshot.ts';

const isMaterial = (key: string): key is MaterialKey => (MATERIAL_KEYS as readonly string[]).includes(key);

/** A trust entry or setting the policy had at an earlier verification and has no more. */
export interface LostSetting {
  key: keyof SecurityPolicy | MaterialKey;
  /** The entry, as text (a list entry), or the value it had (a setting). */
  was: string;
  /** What it is now, for a setting; undefined for a list entry that is gone. */
  now: string | undefined;
  /** The config file it came from. */
  file: string | undefined;
  /** A setting's value as it was (what putting it back writes), where text alone would not say its type. */
  value?: unknown;
}

/** The policy's lists, whose entries are lost one by one (and put back by adding them again). */
export const LISTS = ['trusted_identities', 'trusted_keys', 'allowed_issuers', 'blocked_packages'] as const;
/** A mode's rank; a value that is none counts as the weakest, so that a change to it is remembered as a weakening. */
const rank = (mode: unknown) => failureRank(mode) ?? 0;
/**
 * Whether each decision setting went weaker from `was` to `now`, as a project's value would weaken the global
 * policy (config/tightening.ts judges those; this file is read at the extension's start, without the schema).
 */
const WEAKER: Partial<Record<keyof SecurityPolicy, (was: unknown, now: unknown) => boolean>> = {
  require_signature: (was, now) => was === true && now !== true,
  verify_transparency_log: (was, now) => was === true && now !== true,
  on_signature_failure: (was, now) => rank(now) < rank(was),
  hidden_content: (was, now) => rank(now) < rank(was),
  on_signer_change: (was, now) => was === 'error' && now !== 'error',
  require_registry_attestation: (was, now) => was === true && now !== true,
  allow_delegation: (was, now) => was === false && now !== false,
  trust_registry_attestations: (was, now) => was === false && now !== false,
  signature_threshold: (was, now) =>
    lowersThreshold(was as SignatureThreshold, (now ?? 1) as SignatureThreshold) !== undefined,
};
/**
 * The decision settings besides the trust lists. aam's own model has the first three; `aam config set` drops the
 * others from the file it rewrites, and they fall back to their (weaker) defaults.
 */
const SETTINGS = [
  'require_signature',
  'verify_transparency_log',
  'on_signature_failure',
  'hidden_content',
  'signature_threshold',
  'on_signer_change',
  'require_registry_attestation',
  'allow_delegation',
  'trust_registry_attestations',
] as const satisfies readonly (keyof SecurityPolicy)[];
/** A value as the warnings show it and as `stillLost` compares it. */
const shown = (value: unknown) => (typeof value === 'object' && value !== null ? canonicalJson(value) : String(value));

/**
 * What the policy lost between two verifications: trust-list entries that
 * are gone, and settings that went weaker. The `aam` CLI rewrites
 * `~/.aam/config.yaml` from its own model (`aam config set …`) and drops the
 * keys it does not know; nothing says so but this.
 */
export function lostSince(before: PolicySnapshot, now: PolicySnapshot): LostSetting[] {
  const lost: LostSetting[] = [];
  const text = (v: unknown) => (isTrustedIdentity(v) ? entryText(v) : String(v));
  for (const key of LISTS) {
    // An empty allowed_issuers means "any": losing all of them is the weakest of all.
    // (A list a snapshot stored before it existed does not have is empty.)
    const kept = new Set(((now.policy[key] ?? []) as unknown[]).map(text));
    for (const entry of (before.policy[key] ?? []) as unknown[])
      if (!kept.has(text(entry))) lost.push({ key, was: text(entry), now: undefined, file: before.sources[key] });
  }
  // A snapshot stored before a setting existed had that setting's default.
  for (const key of SETTINGS) {
    const [was, is] = [before.policy[key] ?? DEFAULT_POLICY[key], now.policy[key] ?? DEFAULT_POLICY[key]];
    if (WEAKER[key]!(was, is))
      lost.push({ key, was: shown(was), now: shown(is), file: before.sources[key], value: was });
  }
  // A custom trust root or keyring that is gone turns every signature it vouched for invalid.
  for (const [key, was] of Object.entries(before.material ?? {}) as [
    MaterialKey,
    { value: string; source: string },
  ][]) {
    if (!now.material?.[key]) lost.push({ key, was: was.value, now: undefined, file: was.source });
  }
  return lost;
}

/** The settings still lost: those already known, minus any the policy has again, plus those just lost. */
export function stillLost(
  known: readonly LostSetting[],
  fresh: readonly LostSetting[],
  now: PolicySnapshot,
): LostSetting[] {
  const text = (v: unknown) => (isTrustedIdentity(v) ? entryText(v) : String(v));
  const back = (l: LostSetting) => {
    if (isMaterial(l.key)) return now.material?.[l.key]?.value === l.was;
    if (l.now === undefined) return (now.policy[l.key] as unknown[]).map(text).includes(l.was);
    // A setting is back once it is no weaker than it was (the same value, or a stronger one the user chose since).
    const was = l.value ?? (l.was === 'true' ? true : l.was === 'false' ? false : l.was);
    const weaker = WEAKER[l.key as keyof SecurityPolicy];
    return weaker ? !weaker(was, now.policy[l.key]) : shown(now.policy[l.key]) === l.was;
  };
  const out = [...known.filter((l) => !back(l))];
  for (const l of fresh) if (!out.some((o) => o.key === l.key && o.was === l.was)) out.push(l);
  return out;
}
