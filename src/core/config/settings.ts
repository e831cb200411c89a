import type { FailureMode, SecurityPolicy, SignatureThreshold } from '../policy/decision.ts';
import { namePatternProblem } from '../policy/name-pattern.ts';
import { isTrustedIdentity } from '../policy/identity.ts';
import type { TrustedIdentity } from '../policy/identity.ts';
import { schemaAt } from './schema.ts';
import { PLATFORMS } from '../model/platform.ts';
import type { Platform } from '../model/platform.ts';
import { isPlainObject } from './merge.ts';
import type { MergedConfig } from './merge.ts';

/** Every `security:` setting with its effective value (defaults filled in from the schema). */
export interface SecuritySettings extends SecurityPolicy {
  signing_method: 'sigstore' | 'gpg';
  gpg_key: string | undefined;
  gpg_home: string | undefined;
  sigstore_endpoint: string | undefined;
  sigstore_oidc_issuer: string;
  sigstore_trusted_root: string | undefined;
  install_policy: { allowed_scopes: string[]; require_tag: boolean };
  publish_policy: { require_approval: boolean; approvers: string[] };
  keyserver: string | undefined;
}

/** A configured registry, as in `registries:`. */
export interface RegistryEntry {
  name: string;
  url: string;
  type: 'local' | 'git' | 'http';
  default: boolean;
  /** HTTP registries: the key id its attestations and audit-log heads must be signed with (else pinned on first use). */
  keyId?: string;
}

function pick<T>(section: Record<string, unknown>, path: string[], guard: (v: unknown) => v is T): T {
  const value = path.reduce<unknown>((node, key) => (isPlainObject(node) ? node[key] : undefined), section);
  if (guard(value)) return value;
  return schemaAt(['security', ...path])?.default as T;
}

const isBool = (v: unknown): v is boolean => typeof v === 'boolean';
const isString = (v: unknown): v is string => typeof v === 'string' && v.length > 0;
const isStrings = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');
const isIdentities = (v: unknown): v is TrustedIdentity[] => Array.isArray(v) && v.every(isTrustedIdentity);
const isMode = (v: unknown): v is FailureMode => v === 'warn' || v === 'error' || v === 'ignore';
const isMethod = (v: unknown): v is 'sigstore' | 'gpg' => v === 'sigstore' || v === 'gpg';
const isCount = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 1 && (v as number) <= 16;
/** A threshold as the schema allows it; a map with one bad value is not used at all (its error is reported). */
const isThreshold = (v: unknown): v is SignatureThreshold =>
  isCount(v) || (isPlainObject(v) && Object.entries(v).every(([k, n]) => !namePatternProblem(k) && isCount(n)));
const optional = (v: unknown): v is string | undefined => v === undefined || isString(v);

/** The effective security settings of a merged config. */
export function securitySettings(merged: Pick<MergedConfig, 'value'>): SecuritySettings {
  const s = isPlainObject(merged.value.security) ? merged.value.security : {};
  return {
    require_signature: pick(s, ['require_signature'], isBool),
    on_signature_failure: pick(s, ['on_signature_failure'], isMode),
    trusted_identities: pick(s, ['trusted_identities'], isIdentities),
    trusted_keys: pick(s, ['trusted_keys'], isStrings),
    allowed_issuers: pick(s, ['allowed_issuers'], isStrings),
    verify_transparency_log: pick(s, ['verify_transparency_log'], isBool),
    on_signer_change: pick(
      s,
      ['on_signer_change'],
      (v: unknown): v is 'error' | 'warn' => v === 'error' || v === 'warn',
    ),
    signing_method: pick(s, ['signing_method'], isMethod),
    gpg_key: pick(s, ['gpg_key'], optional),
    gpg_home: pick(s, ['gpg_home'], optional),
    sigstore_endpoint: pick(s, ['sigstore_endpoint'], optional),
    sigstore_oidc_issuer: pick(s, ['sigstore_oidc_issuer'], isString),
    sigstore_trusted_root: pick(s, ['sigstore_trusted_root'], optional),
    trust_registry_attestations: pick(s, ['trust_registry_attestations'], isBool),
    trusted_registries: pick(s, ['trusted_registries'], isStrings),
    require_registry_attestation: pick(s, ['require_registry_attestation'], isBool),
    signature_threshold: pick(s, ['signature_threshold'], isThreshold),
    allow_delegation: pick(s, ['allow_delegation'], isBool),
    keyserver: pick(s, ['keyserver'], optional),
    hidden_content: pick(s, ['hidden_content'], isMode),
    allowed_registries: pick(s, ['allowed_registries'], isStrings),
    blocked_packages: pick(s, ['blocked_packages'], isStrings),
    install_policy: {
      allowed_scopes: pick(s, ['install_policy', 'allowed_scopes'], isStrings),
      require_tag: pick(s, ['install_policy', 'require_tag'], isBool),
    },
    publish_policy: {
      require_approval: pick(s, ['publish_policy', 'require_approval'], isBool),
      approvers: pick(s, ['publish_policy', 'approvers'], isStrings),
    },
  };
}

export function registryEntries(merged: Pick<MergedConfig, 'value'>): RegistryEntry[] {
  const list = Array.isArray(merged.value.registries) ? merged.value.registries : [];
  return list.flatMap((entry): RegistryEntry[] => {
    if (!isPlainObject(entry) || typeof entry.name !== 'string' || typeof entry.url !== 'string') return [];
    const type = entry.type === 'git' || entry.type === 'http' ? entry.type : 'local';
    const keyId =
      typeof entry.key_id === 'string' && /^[0-9a-fA-F]{64}$/.test(entry.key_id)
        ? entry.key_id.toLowerCase()
        : undefined;
    return [{ name: entry.name, url: entry.url, type, default: entry.default === true, ...(keyId ? { keyId } : {}) }];
  });
}

/** The registry to use when none is named: the one marked default, else the first. */
export function defaultRegistry(entries: readonly RegistryEntry[]): RegistryEntry | undefined {
  return entries.find((r) => r.default) ?? entries[0];
}

/**
 * The platforms installs deploy to: `default_platform` (aam's own choice)
 * and any further `active_platforms`, each once, in that order.
 */
export function deployPlatforms(merged: Pick<MergedConfig, 'value'>): Platform[] {
  const known = (v: unknown): v is Platform => typeof v === 'string' && (PLATFORMS as readonly string[]).includes(v);
  const first = known(merged.value.default_platform) ? merged.value.default_platform : 'cursor';
  const active = Array.isArray(merged.value.active_platforms) ? merged.value.active_platforms.filter(known) : [];
  return [...new Set([first, ...active])];
}
