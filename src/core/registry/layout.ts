import { join } from 'node:path';
import { AamError } from '../errors.ts';
import { toFsName } from '../model/names.ts';
import { isValidVersion } from '../model/versions.ts';

/** Where a signature is stored beside its archive, by kind (SPEC §1). */
export const SIGNATURE_SUFFIX = { sigstore: '.sigstore.json', gpg: '.asc' } as const;

/** `packages/<fs-name>` of a registry rooted at `root`. */
export function packageDirIn(root: string, name: string): string {
  return join(root, 'packages', toFsName(name));
}

/** `packages/<fs-name>/versions/<ver>.aam` of a registry rooted at `root`. */
export function archivePathIn(root: string, name: string, version: string): string {
  if (!isValidVersion(version)) throw new AamError('MANIFEST_INVALID', `"${version}" is not a valid version.`);
  return join(packageDirIn(root, name), 'versions', `${version}.aam`);
}

/** At most this many signatures of a version are read: a registry cannot make verification read without end. */
export const MAX_SIGNATURES = 16;

/**
 * The file of a version's n-th signature of a kind, beside the archive. The
 * first of each kind has the SPEC §1 name every reader of one signature knows
 * (`1.0.0.aam.sigstore.json`, `1.0.0.aam.asc`); further ones are numbered
 * (`1.0.0.aam.2.sigstore.json`, `1.0.0.aam.2.asc`, …). Each is a signature
 * over the archive itself, so none can change a verdict without verifying.
 */
export function signatureFileName(version: string, type: keyof typeof SIGNATURE_SUFFIX, n = 1): string {
  return `${version}.aam${n === 1 ? '' : `.${n}`}${SIGNATURE_SUFFIX[type]}`;
}

/** Which signature file of `version` a name is, if it is one: its kind and number. */
export function parseSignatureFileName(
  version: string,
  file: string,
): { type: keyof typeof SIGNATURE_SUFFIX; n: number } | undefined {
  const prefix = `${version}.aam`;
  if (!file.startsWith(prefix)) return undefined;
  const match = /^(?:\.([2-9]|1[0-9]))?(\.sigstore\.json|\.asc)$/.exec(file.slice(prefix.length));
  if (!match) return undefined;
  return { type: match[2] === '.asc' ? 'gpg' : 'sigstore', n: match[1] ? Number(match[1]) : 1 };
}

/** Signature files of a version in reading order: by number, Sigstore before OpenPGP (as one signature was always read). */
export function signatureFilesOf(version: string, names: readonly string[]): string[] {
  return names
    .flatMap((file) => {
      const parsed = parseSignatureFileName(version, file);
      return parsed ? [{ file, ...parsed }] : [];
    })
    .sort((a, b) => a.n - b.n || (a.type === b.type ? 0 : a.type === 'sigstore' ? -1 : 1))
    .slice(0, MAX_SIGNATURES)
    .map((s) => s.file);
}

/** `delegations/` of a registry: signed delegations and revocations, each named by the digest of its document. */
export function delegationsDirIn(root: string): string {
  return join(root, 'delegations');
}
