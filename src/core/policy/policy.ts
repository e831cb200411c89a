import type { TrustedIdentity } from './identity.ts';

export type FailureMode = 'warn' | 'error' | 'ignore';

const FAILURE_RANKS: ReadonlyMap<string, number> = new Map([
  ['ignore', 0],
  ['warn', 1],
  ['error', 2],
]);
/**
 * How strict a failure mode is (`ignore` 0, `warn` 1, `error` 2), for telling a weakened policy; undefined for
 * anything that is none (a value a config file or a registry wrote: `constructor`, a typo, a number).
 */
export const failureRank = (mode: unknown): number | undefined =>
  typeof mode === 'string' ? FAILURE_RANKS.get(mode) : undefined;

/** `signature_threshold`: one number for every package, or a number per package name pattern. */
export type SignatureThreshold = number | Record<string, number>;

/** The effective values of the `security:` keys the trust decision reads. */
export interface SecurityPolicy {
  require_signature: boolean;
  on_signature_failure: FailureMode;
  trusted_identities: TrustedIdentity[];
  trusted_keys: string[];
  allowed_issuers: string[];
  verify_transparency_log: boolean;
  /** A package's signer differs from the one recorded (trust on first use): fail, or warn. */
  on_signer_change: 'error' | 'warn';
  /** A valid attestation of a registry in `trusted_registries` makes a package verified (seeds: Registry Attestation). */
  trust_registry_attestations: boolean;
  trusted_registries: string[];
  /** A package from an HTTP registry must carry a valid attestation of a trusted registry (SPEC §2). */
  require_registry_attestation: boolean;
  /** How many distinct trusted signers a package needs (SPEC §2); above 1 it is a requirement, like require_signature. */
  signature_threshold: SignatureThreshold;
  /** Trust a signature through a delegation signed by a trusted signer (SPEC §2). */
  allow_delegation: boolean;
  /** Hidden content in the files a package deploys (content/): a warning, a failure, or not looked at. */
  hidden_content: FailureMode;
  /** Packages that must not be installed (a name, or `@scope/*`): install refuses them, verification fails them. */
  blocked_packages: string[];
  /** The registries packages may come from (empty: any); a package installed from a `.aam` file (`source: local`) is not judged. */
  allowed_registries: string[];
}

export const DEFAULT_POLICY: SecurityPolicy = {
  require_signature: false,
  on_signature_failure: 'warn',
  trusted_identities: [],
  trusted_keys: [],
  allowed_issuers: [],
  verify_transparency_log: true,
  on_signer_change: 'error',
  trust_registry_attestations: false,
  trusted_registries: [],
  require_registry_attestation: false,
  signature_threshold: 1,
  allow_delegation: true,
  hidden_content: 'warn',
  blocked_packages: [],
  allowed_registries: [],
};

/**
 * A policy plus where each of its values came from (a file path, or
 * "default"), and the time it is applied at: an OpenPGP signature's creation
 * time is its signer's own claim, so a delegation it relies on must also hold
 * now (see delegation.ts).
 */
export interface PolicyContext {
  policy: SecurityPolicy;
  sourceOf?: (key: keyof SecurityPolicy) => string | undefined;
  /** When the decision is made (ISO); absent, an OpenPGP signature never counts through a delegation. */
  now?: string | undefined;
}
