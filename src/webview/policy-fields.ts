import { normalizeFingerprint, overBroadReason, parseIdentityPattern } from '../core/policy/identity.ts';
import type { ListKey } from './protocol.ts';

/**
 * The settings the policy form shows as controls, each with its label and
 * help text: choices, checkboxes, trust lists (with how an entry is
 * checked as it is typed) and text fields. Every other security key is
 * shown under "More settings" and edited as text. The host applies only
 * the sets these controls make (extension/policy-messages.ts, a test keeps
 * the two equal).
 */
export const MODES: [string, string, string][] = [
  ['warn', 'Warn', 'Report an invalid or untrusted signature, and continue.'],
  ['error', 'Error', 'Fail the install or verification.'],
  ['ignore', 'Ignore', 'Skip signature verification entirely (not recommended).'],
];
export const SIGNER_CHANGES: [string, string, string][] = [
  ['error', 'Error', 'Fail a package signed by another signer than the one recorded (trust on first use).'],
  ['warn', 'Warn', 'Report the change, and continue.'],
];
export const SIGNING_METHODS = ['sigstore', 'gpg'];
export const CHECKS: [string, string, string][] = [
  ['require_signature', 'Require signatures', 'Reject packages that carry no signature.'],
  [
    'verify_transparency_log',
    'Require a transparency-log entry',
    'Sigstore signatures must be recorded in Rekor. Turn off only for air-gapped use.',
  ],
  [
    'trust_registry_attestations',
    'Accept registry attestations',
    'Accept a signature made by a trusted registry in place of an author signature.',
  ],
];
/** A trust list: its key, label, placeholder, and what is wrong with an entry (undefined: nothing). */
export type ListField = [ListKey, string, string, (v: string) => string | undefined];
export const LISTS: ListField[] = [
  [
    'trusted_identities',
    'Trusted Sigstore identities',
    'alice@example.com, *@example.com, github:OWNER/REPO, gitlab:GROUP',
    validateIdentity,
  ],
  [
    'trusted_keys',
    'Trusted OpenPGP keys',
    'Full 40-hex fingerprint',
    (v) => (normalizeFingerprint(v) ? undefined : 'A full 40-hex-digit fingerprint; short key ids can be forged.'),
  ],
  [
    'allowed_issuers',
    'Allowed OIDC issuers (empty: any)',
    'https://accounts.google.com',
    (v) => (/^https?:\/\/\S+$/.test(v) ? undefined : 'An issuer URL, such as https://accounts.google.com.'),
  ],
  [
    'trusted_registries',
    'Registries whose attestations are trusted',
    'Registry name',
    (v) => (v.trim() ? undefined : 'A registry name.'),
  ],
];
export const TEXTS: [string, string, string][] = [
  ['gpg_key', 'GPG signing key', 'Key id, fingerprint, email, or a path to an armored secret key'],
  ['gpg_home', 'GnuPG home', '~/.gnupg'],
  ['sigstore_endpoint', 'Sigstore instance', 'https://sigstore.example.com (public-good when empty)'],
  ['sigstore_oidc_issuer', 'Sign-in (OIDC issuer)', 'https://oauth2.sigstore.dev/auth'],
  ['sigstore_trusted_root', 'Trusted root (trusted_root.json)', 'Path; the public-good root when empty'],
];

/** The keys the form has controls for. */
export const FORM_KEYS = new Set<string>([
  ...CHECKS.map((c) => c[0]),
  ...LISTS.map((l) => l[0]),
  ...TEXTS.map((t) => t[0]),
  'on_signature_failure',
  'on_signer_change',
  'signing_method',
]);

function validateIdentity(value: string): string | undefined {
  const parsed = parseIdentityPattern(value);
  if (!parsed.ok) return `This pattern ${parsed.reason}.`;
  return overBroadReason(parsed.pattern);
}
