import type { FailureMode, Verdict, VerdictAction } from '../../policy/decision.ts';
import { HIDDEN_LABEL, hiddenLine } from '../../content/describe.ts';
import type { HiddenFile } from '../../content/scan.ts';
import type { RegistryChange } from '../evidence/evidence.ts';
import type { ContinuityChange } from '../../record/continuity.ts';

/**
 * Something verification found beside a package's verdict: a fact about the
 * world around the installed package (its registry, its history) that fails
 * or warns on its own, without changing what the package itself is judged by.
 */
export interface Finding {
  /** REGISTRY_LOG: an HTTP registry's audit log no longer extends the head seen before, or its key changed. */
  /** DEPLOY_COLLISION: another installed package deploys to the same place. */
  /** SECTION_UNOWNED: a shared file the package's section is in holds an AAM section no installed package deploys. */
  /** DEPLOY_LEFT, DEPLOY_REPLACES (install only): a copy the previous version deployed stays; a file no version deployed is replaced. */
  /** FOLDER_SHARED: another locked package is installed in the same folder (`@acme/tool`, `acme--tool`). */
  /**
   * EXTRA_SIGNATURE_INVALID: one of several signatures does not verify (the verdict is decided by the others).
   * EXTRA_SIGNATURE_UNKNOWN_KEY: one of several signatures is by a key not in your keyring: it counts for nothing, and only warns.
   * HIDDEN_CONTENT: files the package deploys hold text a reviewer cannot see (hidden_content decides warn or fail).
   */
  code:
    | 'REGISTRY_CHANGED'
    | 'REGISTRY_LOG'
    | 'DEPLOY_COLLISION'
    | 'SECTION_UNOWNED'
    | 'DEPLOY_LEFT'
    | 'DEPLOY_REPLACES'
    | 'FOLDER_SHARED'
    | 'EXTRA_SIGNATURE_INVALID'
    | 'EXTRA_SIGNATURE_UNKNOWN_KEY'
    | 'HIDDEN_CONTENT'
    | ContinuityChange['code'];
  action: Exclude<VerdictAction, 'pass'>;
  message: string;
  expected: string | undefined;
  actual: string | undefined;
  hint: string | undefined;
}

/**
 * A registry that serves other bytes for a published version, another
 * signature, or none — or no longer has the version at all — fails. The
 * installed package keeps the verdict its captured evidence gives it.
 */
export function registryFindings(changes: readonly RegistryChange[], source: string, label: string): Finding[] {
  return changes.map((change) => {
    const served = change.change === 'removed' ? 'no longer serves' : 'now serves other bytes for';
    const what = change.what === 'archive' ? 'the archive' : 'the signature';
    return {
      code: 'REGISTRY_CHANGED',
      // A version withdrawn is a change of what was published too (a registry rolled back to before
      // it, say): it fails the run like other bytes do, as the README says; the verdict stays the
      // installed package's own.
      action: 'fail',
      message: `The registry changed a published version: "${source}" ${served} ${what} of ${label} (${change.path}).`,
      expected: change.expected,
      actual: change.actual,
      hint:
        change.change === 'removed' && change.what === 'archive'
          ? 'The installed copy is judged by what was captured at install, but the registry can no longer install this version: ask its owner why a published version was withdrawn (a registry restored from an older backup, or rolled back, loses what was published since).'
          : 'The installed copy is judged by what was captured at install. Ask the registry owner why a published version changed; do not install it from there again.',
    };
  });
}

/**
 * Trust on first use: a removed signature and a lower version fail; another
 * signer fails or warns as `on_signer_change` says. Each can be accepted.
 */
export function continuityFindings(
  changes: readonly ContinuityChange[],
  name: string,
  onSignerChange: 'error' | 'warn',
): Finding[] {
  const accept = `If this is expected, accept it: aam-trust accept ${name} (AAM: Accept Signer Change), which records it in .aam/trust-record.yaml.`;
  return changes.map((change) => ({
    code: change.code,
    action: change.code === 'SIGNER_CHANGED' && onSignerChange === 'warn' ? 'warn' : 'fail',
    message:
      change.code === 'SIGNATURE_REMOVED'
        ? `Signature removed: ${change.message}.`
        : change.code === 'DOWNGRADE'
          ? `Downgrade: ${change.message}.`
          : `Signer changed: ${change.message}.`,
    expected: change.before,
    actual: change.after,
    hint:
      change.code === 'SIGNER_CHANGED'
        ? `Check that the new signer is who should publish ${name} (the transparency-log entries say when each signed). ${accept}`
        : accept,
  }));
}

/**
 * Hidden content in a package's files, as one finding: where the first item
 * is and what it says, how many there are in how many files. `hidden_content`
 * makes it a warning or a failure; `ignore` makes none.
 */
export function hiddenFindings(files: readonly HiddenFile[], mode: FailureMode, label: string): Finding[] {
  if (mode === 'ignore' || files.length === 0) return [];
  const first = files[0]!;
  const total = files.reduce((n, f) => n + f.count, 0);
  const kinds = [...new Set(files.flatMap((f) => f.items.map((i) => HIDDEN_LABEL[i.kind])))];
  return [
    {
      code: 'HIDDEN_CONTENT',
      action: mode === 'error' ? 'fail' : 'warn',
      message: `Hidden content in ${label}: ${total} item${total === 1 ? '' : 's'} in ${files.length} file${files.length === 1 ? '' : 's'} (${kinds.join(', ')}).`,
      expected: 'text a reviewer can read as an agent reads it',
      actual: hiddenLine(first.path, first.items[0]!),
      hint: 'Open the file to see each item and what it says (AAM Trust decodes it on hover). If it is intended, ask the publisher to make it visible; hidden_content: ignore stops looking.',
    },
  ];
}

/** The worst of a verdict's action and its findings': what the package counts as. */
export function outcomeOf(action: VerdictAction, findings: readonly Finding[]): VerdictAction {
  if (action === 'fail' || findings.some((f) => f.action === 'fail')) return 'fail';
  if (action === 'warn' || findings.length > 0) return 'warn';
  return 'pass';
}

/**
 * A signature that does not verify, beside others that decide the verdict:
 * never ignored, it warns or fails as on_signature_failure says (a registry
 * or a co-signer may have stored something broken, or something forged).
 * One by a key this machine does not hold only warns (unknownKeyFinding).
 */
export function signatureFindings(verdict: Verdict, mode: FailureMode): Finding[] {
  const invalid = verdict.signatures.filter((j) => j.check.state === 'invalid');
  // When the verdict itself is about an invalid signature, that one is said there.
  const own = ['SIGNATURE_INVALID', 'BUNDLE_INVALID', 'TLOG_MISSING', 'KEY_UNKNOWN'].includes(verdict.code)
    ? invalid[0]
    : undefined;
  return invalid
    .filter((j) => j !== own)
    .map((j) => {
      const check = j.check as InvalidCheck;
      if (check.code === 'KEY_UNKNOWN') return unknownKeyFinding(j.file, check);
      return {
        code: 'EXTRA_SIGNATURE_INVALID' as const,
        action: mode === 'error' ? ('fail' as const) : ('warn' as const),
        message: `One of its signatures is not valid: ${j.file ? `${j.file}: ` : ''}${check.reason}.`,
        expected: 'every signature stored with the package to verify',
        actual: check.reason,
        hint: 'Ask the registry owner why a signature that does not verify is stored with this version.',
      };
    });
}

type InvalidCheck = Extract<Verdict['signatures'][number]['check'], { state: 'invalid' }>;

/**
 * A signature by a key this machine does not hold proves nothing either
 * way: SPEC §2 judges a package by the signatures it can check, and a signer
 * it cannot name "matches nothing" (step 6), which is no sign of tampering
 * (step 4). Beside the signatures that decide the verdict it counts for
 * nothing and only warns, whatever on_signature_failure says: otherwise
 * anyone a registry lets co-sign could fail every strict client's verify.
 */
function unknownKeyFinding(file: string, check: InvalidCheck): Finding {
  const key = check.key ?? 'FINGERPRINT';
  return {
    code: 'EXTRA_SIGNATURE_UNKNOWN_KEY',
    action: 'warn',
    message: `One of its signatures does not count: ${file ? `${file}: ` : ''}${check.reason}. The verdict rests on its other signatures.`,
    expected: 'a signature by a key in your keyring, to count',
    actual: check.key ? `key ${check.key}, not in your keyring` : check.reason,
    hint: `Nothing to do unless you know this signer: to count the signature, fetch its key (aam-trust keys fetch ${key}) after checking its fingerprint, and trust it in trusted_keys.`,
  };
}
