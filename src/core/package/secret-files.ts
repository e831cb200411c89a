/**
 * Packed files whose names say they hold secrets. AAM packs every file of
 * the package folder (dotfiles too, as the AAM CLI does), so these are
 * published unless the publisher notices: surfaces warn, packing is unchanged.
 */
const SECRET_NAMES: readonly RegExp[] = [
  /^\.env/i,
  /^\.npmrc$/i,
  /^\.pypirc$/i,
  /^\.netrc$/i,
  /^\.git-credentials$/i,
  /\.(pem|key|p12|pfx)$/i,
  /^id_(rsa|dsa|ecdsa|ed25519)/i,
  /^credentials/i,
];

/** The paths (archive paths, `/`-separated) whose file name looks like a secret's, in the order given. */
export function secretLookingFiles(paths: readonly string[]): string[] {
  return paths.filter((path) => {
    const name = path.slice(path.lastIndexOf('/') + 1);
    return SECRET_NAMES.some((pattern) => pattern.test(name));
  });
}

/** One line naming them, for a warning; undefined when there are none. */
export function secretFilesWarning(paths: readonly string[]): string | undefined {
  if (paths.length === 0) return undefined;
  const shown = paths.slice(0, 10).join(', ');
  const more = paths.length > 10 ? ` and ${paths.length - 10} more` : '';
  const which = paths.length === 1 ? 'A file that looks like a secret' : `${paths.length} files that look like secrets`;
  return `${which} will be published: ${shown}${more}. Everything in the package folder is packed; move secrets out of it.`;
}
