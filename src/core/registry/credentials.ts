import { chmod, lstat, readlink, realpath } from 'node:fs/promises';
import { join } from 'node:path';
import { AamError, isAamError } from '../errors.ts';
import { writeFileAtomic } from '../fs/atomic-write.ts';
import { readYamlMapping, toYamlText } from '../yaml/io.ts';

/**
 * ~/.aam/credentials.yaml (the spec's §6.2.3): `tokens: <name>: token:`, as
 * the AAM CLI writes and reads it, plus the `url:` the token was issued for,
 * which `login` records and AAM ignores. Which of these a registry may be
 * sent is decided in token-binding.ts; this file only reads and writes.
 *
 * Like the global config (config/load.ts), credentials.yaml is the user's
 * own file and may be a link into a dotfiles folder: it is read through the
 * link and written to the file the link names, so the link stays and so do
 * the tokens beside it. Refusing the link would leave such a user unable to
 * log in at all; replacing it would move their tokens out of their dotfiles.
 */

/** A token kept in credentials.yaml, and the registry URL it was issued for (none in older files). */
export interface KeptToken {
  token: string;
  url: string | undefined;
}

export function credentialsPath(homeDir: string, env: Record<string, string | undefined> = process.env): string {
  return env.AAM_CREDENTIALS || join(homeDir, '.aam', 'credentials.yaml');
}

/** The environment variable of a registry's own token: AAM_REGISTRY_TOKEN_<NAME>, other characters as _. */
export function namedTokenVariable(registry: string): string {
  return `AAM_REGISTRY_TOKEN_${registry.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
}

/** The token credentials.yaml keeps under `registry`, never logged. */
export async function keptRegistryToken(
  registry: string,
  homeDir: string,
  env: Record<string, string | undefined> = process.env,
): Promise<KeptToken | undefined> {
  const file = await readYamlMapping(credentialsPath(homeDir, env), 'CONFIG_INVALID', 'config', {
    followLinks: true,
  }).catch(() => undefined);
  const tokens = file?.tokens;
  if (!tokens || typeof tokens !== 'object' || Array.isArray(tokens)) return undefined;
  const entry = (tokens as Record<string, unknown>)[registry];
  if (!entry || typeof entry !== 'object') return undefined;
  const { token, url } = entry as { token?: unknown; url?: unknown };
  if (typeof token !== 'string' || !token) return undefined;
  return { token, url: typeof url === 'string' && url ? url : undefined };
}

/**
 * Keeps `token` for `registry` in ~/.aam/credentials.yaml (0600, written
 * whole and renamed into place), beside the tokens of other registries,
 * with the URL it was issued for: it is sent to that URL only. A file that
 * cannot be read is refused, never replaced: only a missing one starts empty.
 */
export async function saveRegistryToken(
  registry: string,
  url: string,
  token: string,
  homeDir: string,
  env: Record<string, string | undefined> = process.env,
): Promise<string> {
  const path = credentialsPath(homeDir, env);
  const { target, file, tokens } = await credentialsForChange(path, 'save the token');
  file.tokens = { ...tokens, [registry]: { token, url, created_at: new Date().toISOString() } };
  await writeCredentials(target, file);
  return path;
}

/** Removes the token kept for `registry`; whether there was one. */
export async function forgetRegistryToken(
  registry: string,
  homeDir: string,
  env: Record<string, string | undefined> = process.env,
): Promise<boolean> {
  const { target, file, tokens } = await credentialsForChange(credentialsPath(homeDir, env), 'remove the token');
  if (!Object.hasOwn(tokens, registry)) return false;
  delete tokens[registry];
  file.tokens = tokens;
  await writeCredentials(target, file);
  return true;
}

/**
 * credentials.yaml read to be changed: the file a link names, its mapping,
 * and its `tokens` (a copy). A missing file is empty; a file that cannot be
 * read (a YAML error, too large, not a file, a `tokens` that is no mapping)
 * is refused, since writing anything in its place would drop every other
 * registry's token.
 */
async function credentialsForChange(
  path: string,
  doing: string,
): Promise<{ target: string; file: Record<string, unknown>; tokens: Record<string, unknown> }> {
  const refuse = (why: string, cause?: unknown) =>
    new AamError('CONFIG_INVALID', `Cannot ${doing}: ${why}. Nothing was changed.`, {
      hint: `Fix or move ${path} (it keeps the tokens of every registry you are logged in to), then try again.`,
      cause,
    });
  const target = await realpath(path).catch(() => path);
  if (target === path && (await lstat(path).catch(() => undefined))?.isSymbolicLink())
    throw refuse(`${path} is a link to ${await readlink(path)}, which is not there`);
  let file: Record<string, unknown>;
  try {
    file = (await readYamlMapping(target, 'CONFIG_INVALID', 'config')) ?? {};
  } catch (error) {
    const message = isAamError(error) ? error.message : `${path} cannot be read: ${(error as Error).message}`;
    throw refuse(message.replace(/\.$/, ''), error);
  }
  const tokens = file.tokens ?? {};
  if (typeof tokens !== 'object' || Array.isArray(tokens))
    throw refuse(`${path} has a "tokens" that is not a mapping of registry names to tokens`);
  return { target, file, tokens: { ...(tokens as Record<string, unknown>) } };
}

/** Writes credentials.yaml (the file itself, not a link to it) whole, 0600 whatever the umask. */
async function writeCredentials(target: string, file: Record<string, unknown>): Promise<void> {
  await writeFileAtomic(target, toYamlText(file), 0o600);
  await chmod(target, 0o600);
}
