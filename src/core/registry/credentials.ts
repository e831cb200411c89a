import { chmod } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../fs/atomic-write.ts';
import { readYamlMapping, toYamlText } from '../yaml/io.ts';

/**
 * ~/.aam/credentials.yaml (the spec's §6.2.3): `tokens: <name>: token:`, as
 * the AAM CLI writes and reads it, plus the `url:` the token was issued for,
 * which `login` records and AAM ignores. Which of these a registry may be
 * sent is decided in token-binding.ts; this file only reads and writes.
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
  const file = await readYamlMapping(credentialsPath(homeDir, env), 'CONFIG_INVALID', 'config').catch(() => undefined);
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
 * with the URL it was issued for: it is sent to that URL only.
 */
export async function saveRegistryToken(
  registry: string,
  url: string,
  token: string,
  homeDir: string,
  env: Record<string, string | undefined> = process.env,
): Promise<string> {
  const path = credentialsPath(homeDir, env);
  const file = (await readYamlMapping(path, 'CONFIG_INVALID', 'config').catch(() => undefined)) ?? {};
  const tokens = file.tokens && typeof file.tokens === 'object' && !Array.isArray(file.tokens) ? file.tokens : {};
  file.tokens = { ...tokens, [registry]: { token, url, created_at: new Date().toISOString() } };
  await writeFileAtomic(path, toYamlText(file), 0o600);
  await chmod(path, 0o600);
  return path;
}

/** Removes the token kept for `registry`; whether there was one. */
export async function forgetRegistryToken(
  registry: string,
  homeDir: string,
  env: Record<string, string | undefined> = process.env,
): Promise<boolean> {
  const path = credentialsPath(homeDir, env);
  const file = await readYamlMapping(path, 'CONFIG_INVALID', 'config').catch(() => undefined);
  const tokens = file?.tokens as Record<string, unknown> | undefined;
  if (!file || !tokens || typeof tokens !== 'object' || !(registry in tokens)) return false;
  delete tokens[registry];
  await writeFileAtomic(path, toYamlText(file), 0o600);
  return true;
}
