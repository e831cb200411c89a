import { AamError } from '../errors.ts';

const SCOPE = /^[a-z0-9][a-z0-9_-]{0,63}$/;
const NAME = /^[a-z0-9][a-z0-9-]{0,63}$/;

/** A package name split into its parts: `@scope/name` or `name`. */
export interface PackageName {
  scope: string | undefined;
  name: string;
}

export function parsePackageName(full: string): PackageName {
  const scoped = /^@([^/]+)\/([^/]+)$/.exec(full);
  const scope = scoped?.[1];
  const name = scoped ? scoped[2]! : full;
  if ((scope !== undefined && !SCOPE.test(scope)) || !NAME.test(name)) {
    throw new AamError('MANIFEST_INVALID', `"${full}" is not a valid package name.`, {
      hint: 'Use lowercase letters, digits and hyphens: "name" or "@scope/name".',
    });
  }
  return { scope, name };
}

export function isValidPackageName(full: string): boolean {
  try {
    parsePackageName(full);
    return true;
  } catch {
    return false;
  }
}

/** The on-disk folder name: `@scope/name` becomes `scope--name`. */
export function toFsName(full: string): string {
  const { scope, name } = parsePackageName(full);
  return scope === undefined ? name : `${scope}--${name}`;
}
