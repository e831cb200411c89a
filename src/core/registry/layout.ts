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
