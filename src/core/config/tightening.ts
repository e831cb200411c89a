import { isPlainObject } from './merge.ts';
import type { SecuritySettings } from './settings.ts';
import { failureRank } from '../policy/decision.ts';
import type { SignatureThreshold } from '../policy/decision.ts';
import { oneNameOfEachRegion, thresholdFor } from '../policy/name-pattern.ts';
import { resolveConfigPath } from './paths.ts';
import { pinsAdded } from './tightening-pins.ts';
import { entryText, isTrustedIdentity, normalizeFingerprint, patternOf, pinnedIssuerOf } from '../policy/identity.ts';

/**
 * A project setting that the global policy should know about: it either
 * weakens the global policy (always flagged; dropped in Restricted Mode), or
 * it is only honoured in a trusted workspace (dropped in Restricted Mode).
 */
export interface PolicyFinding {
  kind: 'weakens' | 'trusted-only';
  path: string[];
  message: string;
}

/** The project `security:` layer reduced to what may apply, and what was taken out. */
export interface Tightened {
  security: Record<string, unknown>;
  findings: PolicyFinding[];
}

/** Trust material verification reads: a project that supplies its own can make anything verify. */
const TRUST_MATERIAL = {
  sigstore_trusted_root: 'replaces the Sigstore trust root, so certificates from another authority could verify',
  gpg_home: 'replaces the GnuPG keyring, so keys (and revocations) other than yours decide what verifies',
} as const;
/** Where signing goes and with which key: only a trusted workspace may change these. */
const SIGNING_ONLY = ['sigstore_endpoint', 'sigstore_oidc_issuer', 'gpg_key', 'keyserver'] as const;

/** Where the two config files are, to resolve their path settings before comparing them. */
export interface ConfigFiles {
  globalFile: string | undefined;
  projectFile: string | undefined;
  homeDir: string;
}

/**
 * Compares a project's raw `security:` section with the effective global
 * settings. `security` keeps only settings that tighten the global policy; in
 * Restricted Mode it never keeps trust material or signing settings.
 */
export function tighten(
  global: SecuritySettings,
  projectSecurity: Record<string, unknown>,
  files: ConfigFiles,
): Tightened {
  const out: Record<string, unknown> = { ...projectSecurity };
  const findings: PolicyFinding[] = [];
  const drop = (key: string, message: string, kind: PolicyFinding['kind'] = 'weakens') => {
    delete out[key];
    findings.push({ kind, path: ['security', key], message });
  };
  const p = projectSecurity;

  if (p.require_signature === false && global.require_signature)
    drop('require_signature', 'turns off require_signature, which the global policy requires');
  // A value that is no mode is the schema's to refuse (its setting then falls back to the global one).
  for (const key of ['on_signature_failure', 'hidden_content'] as const)
    if ((failureRank(p[key]) ?? NaN) < failureRank(global[key])!)
      drop(key, `lowers ${key} from ${global[key]} to ${String(p[key])}`);
  if (p.verify_transparency_log === false && global.verify_transparency_log)
    drop('verify_transparency_log', 'turns off the transparency-log check');
  if (p.on_signer_change === 'warn' && global.on_signer_change === 'error')
    drop('on_signer_change', 'lets a package whose signer changed pass with a warning (on_signer_change: warn)');
  if (p.require_checksum === false) drop('require_checksum', 'tries to turn off checksums');
  for (const [key, why] of Object.entries(TRUST_MATERIAL) as [keyof typeof TRUST_MATERIAL, string][]) {
    if (!(key in p)) continue;
    const mine =
      typeof p[key] === 'string' && p[key]
        ? resolveConfigPath(p[key] as string, files.projectFile, files.homeDir)
        : undefined;
    const theirs = global[key] ? resolveConfigPath(global[key], files.globalFile, files.homeDir) : undefined;
    // The same file as the global one changes nothing, but is still not the project's to supply.
    if (mine === theirs) delete out[key];
    else drop(key, `${why} (${mine ?? 'none'} instead of ${theirs ?? 'the default'})`);
  }
  if (p.require_registry_attestation === false && global.require_registry_attestation)
    drop('require_registry_attestation', 'no longer requires registry attestations, which the global policy does');
  if (p.allow_delegation === true && !global.allow_delegation)
    drop('allow_delegation', 'trusts signatures through delegations, which the global policy does not');
  const lowered = loweredThreshold(global.signature_threshold, p.signature_threshold);
  if (lowered) drop('signature_threshold', lowered);
  if (p.trust_registry_attestations === true && !global.trust_registry_attestations)
    drop('trust_registry_attestations', 'accepts registry attestations, which the global policy does not');
  narrowList(p, out, findings, 'trusted_registries', global.trusted_registries, { emptyMeansAny: false });
  narrowList(p, out, findings, 'allowed_issuers', global.allowed_issuers, { emptyMeansAny: true });
  narrowList(p, out, findings, 'allowed_registries', global.allowed_registries, { emptyMeansAny: true });
  tightenTrustLists(global, p, out, findings);
  const pins = pinsAdded(global, out.trusted_identities);
  if (pins) out.trusted_identities = pins.kept;
  if (pins) findings.push({ kind: 'weakens', path: ['security', 'trusted_identities'], message: pins.message });
  keepBlocked(global, p, out, findings);
  tightenNested(global, p, out, findings);
  for (const key of SIGNING_ONLY) {
    if (!(key in p)) continue;
    if (p[key] === global[key]) delete out[key];
    else drop(key, `sets ${key}, which only a trusted workspace may change`, 'trusted-only');
  }
  return { security: out, findings };
}

/** A project list may only keep entries the global list has; an empty list that means "any" is a weakening. */
function narrowList(
  p: Record<string, unknown>,
  out: Record<string, unknown>,
  findings: PolicyFinding[],
  key: string,
  globalList: readonly string[],
  options: { emptyMeansAny: boolean },
  path: string[] = ['security', key],
): void {
  const value = p[key];
  if (!Array.isArray(value)) return;
  if (options.emptyMeansAny && globalList.length === 0) return; // the global allows any: every list narrows it
  const extras = value.filter((v) => !globalList.includes(v as string));
  const kept = value.filter((v) => globalList.includes(v as string));
  if (extras.length > 0)
    findings.push({
      kind: 'weakens',
      path,
      message: `adds ${extras.map((e) => `"${String(e)}"`).join(', ')} to ${key}, beyond the global policy`,
    });
  if (options.emptyMeansAny && kept.length === 0) {
    if (extras.length === 0) findings.push({ kind: 'weakens', path, message: `empties ${key}, which then allows any` });
    delete out[key];
  } else {
    out[key] = kept;
  }
}

function tightenTrustLists(
  global: SecuritySettings,
  p: Record<string, unknown>,
  out: Record<string, unknown>,
  findings: PolicyFinding[],
): void {
  // With no trust lists and signatures optional, the global policy accepts
  // any valid signer; any list the project sets can only narrow that.
  const globalOpen =
    global.trusted_identities.length === 0 && global.trusted_keys.length === 0 && !global.require_signature;
  if (globalOpen) return;
  // A project entry is covered when the global policy already trusts at least as much: the same
  // pattern (an issuer-pinned entry narrows an unpinned one), or the same key.
  const covered: Record<'trusted_identities' | 'trusted_keys', (entry: unknown) => boolean> = {
    trusted_identities: (entry) =>
      isTrustedIdentity(entry) &&
      global.trusted_identities.some(
        (g) =>
          patternOf(g) === patternOf(entry) &&
          (pinnedIssuerOf(g) === undefined || pinnedIssuerOf(g) === pinnedIssuerOf(entry)),
      ),
    trusted_keys: (entry) =>
      typeof entry === 'string' &&
      global.trusted_keys.some((g) => (normalizeFingerprint(g) ?? g) === (normalizeFingerprint(entry) ?? entry)),
  };
  for (const key of ['trusted_identities', 'trusted_keys'] as const) {
    const value = p[key];
    if (!Array.isArray(value)) continue;
    const extras = value.filter((v) => !covered[key](v));
    if (extras.length > 0) {
      findings.push({
        kind: 'weakens',
        path: ['security', key],
        message: `trusts ${extras.map((e) => `"${isTrustedIdentity(e) ? entryText(e) : String(e)}"`).join(', ')}, who the global policy does not trust`,
      });
      const kept = value.filter((v) => covered[key](v));
      // Narrowed to exactly the global list: the value in effect is the global one.
      if (kept.length === global[key].length) delete out[key];
      else out[key] = kept;
    }
  }
  const ids = Array.isArray(out.trusted_identities) ? out.trusted_identities : global.trusted_identities;
  const keys = Array.isArray(out.trusted_keys) ? out.trusted_keys : global.trusted_keys;
  const requires = out.require_signature === true || global.require_signature;
  if (ids.length === 0 && keys.length === 0 && !requires) {
    // Lists left empty by dropping signers the global policy does not trust were named above (newuser-review 6).
    const dropped = (['trusted_identities', 'trusted_keys'] as const).some(
      (key) => Array.isArray(p[key]) && p[key].length > 0 && Array.isArray(out[key]) && out[key].length === 0,
    );
    if (!dropped)
      findings.push({
        kind: 'weakens',
        path: ['security', 'trusted_identities'],
        message: 'empties the trust lists, so any valid signer would pass',
      });
    delete out.trusted_identities;
    delete out.trusted_keys;
  }
}

function keepBlocked(
  global: SecuritySettings,
  p: Record<string, unknown>,
  out: Record<string, unknown>,
  findings: PolicyFinding[],
): void {
  const value = p.blocked_packages;
  if (!Array.isArray(value)) return;
  const unblocked = global.blocked_packages.filter((b) => !value.includes(b));
  if (unblocked.length > 0) {
    findings.push({
      kind: 'weakens',
      path: ['security', 'blocked_packages'],
      message: `unblocks ${unblocked.join(', ')}, which the global policy blocks`,
    });
    out.blocked_packages = [...new Set([...global.blocked_packages, ...value])];
  }
}

function tightenNested(
  global: SecuritySettings,
  p: Record<string, unknown>,
  out: Record<string, unknown>,
  findings: PolicyFinding[],
): void {
  if (isPlainObject(p.install_policy)) {
    const install = { ...p.install_policy };
    if (install.require_tag === false && global.install_policy.require_tag) {
      delete install.require_tag;
      findings.push({
        kind: 'weakens',
        path: ['security', 'install_policy', 'require_tag'],
        message: 'turns off install_policy.require_tag',
      });
    }
    narrowList(
      p.install_policy,
      install,
      findings,
      'allowed_scopes',
      global.install_policy.allowed_scopes,
      { emptyMeansAny: true },
      ['security', 'install_policy', 'allowed_scopes'],
    );
    out.install_policy = install;
  }
  if (isPlainObject(p.publish_policy)) {
    const publish = { ...p.publish_policy };
    if (publish.require_approval === false && global.publish_policy.require_approval) {
      delete publish.require_approval;
      findings.push({
        kind: 'weakens',
        path: ['security', 'publish_policy', 'require_approval'],
        message: 'turns off publish_policy.require_approval',
      });
    }
    narrowList(
      p.publish_policy,
      publish,
      findings,
      'approvers',
      global.publish_policy.approvers,
      { emptyMeansAny: false },
      ['security', 'publish_policy', 'approvers'],
    );
    out.publish_policy = publish;
  }
}

/**
 * Whether a project's signature_threshold asks fewer trusted signers than the
 * global one of some package. Both maps are constant over regions that their
 * patterns cut out (each name a pattern gives, the rest of each scope named,
 * the other unscoped names, the other scopes): compared on one name of each.
 */
function loweredThreshold(global: SignatureThreshold, project: unknown): string | undefined {
  if (project === undefined) return undefined;
  // Merged as configs merge: two maps key by key; otherwise the project's value replaces the global one.
  const merged = isPlainObject(project) && typeof global !== 'number' ? { ...global, ...project } : project;
  if (typeof merged !== 'number' && !isPlainObject(merged)) return undefined;
  return lowersThreshold(global, merged as SignatureThreshold);
}

/** Whether `now` asks fewer trusted signers than `was` of some package, and where (both effective values). */
export function lowersThreshold(was: SignatureThreshold, now: SignatureThreshold): string | undefined {
  const patterns = [
    ...(typeof was === 'number' ? [] : Object.keys(was)),
    ...(typeof now === 'number' ? [] : Object.keys(now)),
  ];
  for (const name of oneNameOfEachRegion(patterns)) {
    const before = thresholdFor(was, name);
    const { value, pattern } = thresholdFor(now, name);
    if (value >= before.value) continue;
    const where = pattern && pattern !== '*' ? pattern : (before.pattern ?? '*');
    return `lowers signature_threshold for ${where === '*' ? 'packages' : where} from ${before.value} to ${value}`;
  }
  return undefined;
}
