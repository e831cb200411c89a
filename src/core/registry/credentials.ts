import { chmod } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../fs/atomic-write.ts';
import { readYamlMapping, toYamlText } from '../yaml/io.ts';

/**
 * The API token for an HTTP registry (the spec's §6.2.3 and §8.2):
 * $AAM_REGISTRY_TOKEN_<NAME> (the name upper-cased, other characters as _),
 * then $AAM_REGISTRY_TOKEN, then `tokens: <name>: token:` in
 * ~/.aam/credentials.yaml. Never logged, never written by this function.
 */
export async function registryToken(
  registry: string,
  homeDir: string,
  env: Record<string, string | undefined> = process.env,
): Promise<string | undefined> {
  const named = env[`AAM_REGISTRY_TOKEN_${registry.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`];
  if (named) return named;
  if (env.AAM_REGISTRY_TOKEN) return env.AAM_REGISTRY_TOKEN;
  const file = await readYamlMapping(credentialsPath(homeDir, env), 'CONFIG_INVALID', 'config').catch(() => undefined);
  const tokens = file?.tokens;
  if (!tokens || typeof tokens !== 'object' || Array.isArray(tokens)) return undefined;
  const entry = (tokens as Record<string, unknown>)[registry];
  const token = entry && typeof entry === 'object' ? (entry as { token?: unknown }).token : undefined;
  return typeof token === 'string' && token ? token : undefined;
}

export function credentialsPath(homeDir: string, env: Record<string, string | undefined> = process.env): string {
  return env.AAM_CREDENTIALS || join(homeDir, '.aam', 'credentials.yaml');
}

/**
 * Keeps `token` for `registry` in ~/.aam/credentials.yaml (0600, written
 * whole and renamed into place), beside the tokens of other registries.
 */
export async function saveRegistryToken(
  registry: string,
  token: string,
  homeDir: string,
  env: Record<string, string | undefined> = process.env,
): Promise<string> {
  const path = credentialsPath(homeDir, env);
  const file = (await readYamlMapping(path, 'CONFIG_INVALID', 'config').catch(() => undefined)) ?? {};
  const tokens = file.tokens && typeof file.tokens === 'object' && !Array.isArray(file.tokens) ? file.tokens : {};
  file.tokens = { ...tokens, [registry]: { token, created_at: new Date().toISOString() } };
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
