import type { LoadedConfig } from '../../config/load.ts';
import { DEFAULT_POLICY } from '../../policy/decision.ts';
import type { PolicyContext, SecurityPolicy } from '../../policy/decision.ts';

/** The policy a workspace was last decided under, as plain data (for showing stored verdicts before config loads). */
export interface PolicySnapshot {
  policy: SecurityPolicy;
  sources: Partial<Record<keyof SecurityPolicy, string>>;
  /** Decided in Restricted Mode (only tightening project settings applied). */
  restricted: boolean;
  /** The trust material and signing settings in effect (as written, with the file each came from). */
  material?: Partial<Record<MaterialKey, { value: string; source: string }>>;
}

/** Settings outside the trust decision whose loss still changes every verdict (a custom trust root…). */
export const MATERIAL_KEYS = [
  'sigstore_trusted_root',
  'gpg_home',
  'sigstore_endpoint',
  'sigstore_oidc_issuer',
  'gpg_key',
] as const;
export type MaterialKey = (typeof MATERIAL_KEYS)[number];

export function snapshotOf(
  context: PolicyContext,
  restricted: boolean,
  material: PolicySnapshot['material'] = {},
): PolicySnapshot {
  const sources: PolicySnapshot['sources'] = {};
  for (const key of Object.keys(context.policy) as (keyof SecurityPolicy)[]) {
    const source = context.sourceOf?.(key);
    if (source !== undefined) sources[key] = source;
  }
  return { policy: context.policy, sources, restricted, material };
}

export function contextOf(snapshot: PolicySnapshot): PolicyContext {
  // A snapshot stored before a setting existed decides with that setting's default.
  return {
    policy: { ...DEFAULT_POLICY, ...snapshot.policy },
    sourceOf: (key) => snapshot.sources[key],
    now: new Date().toISOString(),
  };
}

/** The trust material and signing settings of a loaded config, with the file each came from. */
export function materialOf(config: LoadedConfig): PolicySnapshot['material'] {
  const out: PolicySnapshot['material'] = {};
  for (const key of MATERIAL_KEYS) {
    const value = config.security[key];
    if (typeof value === 'string' && value)
      out[key] = { value, source: config.merged.originOf(['security', key]).file ?? 'default' };
  }
  return out;
}
