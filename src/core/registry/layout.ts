import { lstatSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { AamError } from '../errors.ts';
import type { Journal } from '../fs/journal.ts';
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

/**
 * The check a file registry's publish journal must pass before it is rolled
 * forward: a publish (or co-signature) writes only `index.yaml` and
 * `packages/<fs-name>/metadata.yaml`, through no linked folder. A registry may
 * be a folder others write to (shared, or a project's), and replaying a
 * journal writes wherever it says.
 */
export function publishJournalCheck(root: string, journalPath: string): (journal: Journal) => void {
  const allowed = (path: string) => {
    if (path === join(root, 'index.yaml')) return true;
    const [packages, name, file, ...rest] = relative(root, path).split(sep);
    return (
      rest.length === 0 &&
      packages === 'packages' &&
      file === 'metadata.yaml' &&
      /^[a-z0-9][a-z0-9._-]*$/.test(name ?? '') &&
      path === join(root, packages, name!, file) &&
      !linked(join(root, packages)) &&
      !linked(join(root, packages, name!))
    );
  };
  return (journal) => {
    const foreign = [
      ...(journal.renames ?? []).map(({ from, to }) => `rename ${from} to ${to}`),
      ...journal.writes.filter(({ path }) => !allowed(path)).map(({ path }) => `write ${path}`),
      ...journal.removes.map((path) => `remove ${path}`),
    ];
    if (foreign.length > 0)
      throw new AamError(
        'REGISTRY_INVALID',
        `${journalPath} is not a journal of a publish: it would ${foreign.slice(0, 3).join(', ')}${foreign.length > 3 ? `, and ${foreign.length - 3} more` : ''}. It was not replayed.`,
        {
          hint: `A publish writes only index.yaml and packages/*/metadata.yaml, through no symbolic link. Ask the registry's owner to remove ${journalPath}.`,
        },
      );
  };
}

function linked(path: string): boolean {
  return lstatSync(path, { throwIfNoEntry: false })?.isSymbolicLink() ?? false;
}
