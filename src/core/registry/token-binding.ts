import { readConfigFile } from '../config/load.ts';
import { globalConfigPath } from '../config/paths.ts';
import { registryEntries } from '../config/settings.ts';
import type { RegistryEntry } from '../config/settings.ts';
import { AamError } from '../errors.ts';
import { keptRegistryToken, namedTokenVariable } from './credentials.ts';
import type { KeptToken } from './credentials.ts';
import { sameRegistryUrl } from './registry-url.ts';

/**
 * Which token, if any, an HTTP registry entry may be sent. A project config
 * (a cloned repository, a pull request) can give any registry name any URL,
 * so a token found by name alone would go wherever the project says. Here a
 * token goes only to the URL it belongs to:
 * - a token kept with its URL (credentials.yaml written by `login`, the
 *   editor's SecretStorage) to that URL only;
 * - one kept without a URL (the AAM CLI's format, older versions) only to the
 *   URL the user's global config gives that name;
 * - $AAM_REGISTRY_TOKEN_<NAME> to a URL the global config gives a name of
 *   that variable, or to any when it gives none (a CI runner);
 * - $AAM_REGISTRY_TOKEN to a URL the global config lists, or, where the
 *   global config lists no HTTP registry (a CI runner), to the project's.
 */

/** The registry a credential is for: its name, and the URL this config gives it. */
export interface RegistryAddress {
  name: string;
  url: string;
}

/** The registries of the user's own config ($AAM_CONFIG or ~/.aam/config.yaml), and where it is. */
export async function globalRegistries(
  homeDir: string,
  env: Record<string, string | undefined>,
): Promise<{ path: string; entries: RegistryEntry[] }> {
  const path = globalConfigPath({ homeDir, env });
  const file = await readConfigFile('global', path).catch(() => undefined);
  return { path, entries: registryEntries({ value: file?.value ?? {} }) };
}

/**
 * The token `entry` may be sent (undefined: none is kept for it). A token
 * kept for its name but bound elsewhere is never sent: REGISTRY_AUTH says
 * which, where it belongs, and what to do instead.
 */
export async function registryTokenFor(
  entry: RegistryAddress,
  homeDir: string,
  env: Record<string, string | undefined>,
): Promise<string | undefined> {
  const global = await globalRegistries(homeDir, env);
  const own = global.entries.find((g) => g.name === entry.name);
  const moved = own !== undefined && !sameRegistryUrl(own.url, entry.url);
  const withheld: string[] = [];
  const variable = namedTokenVariable(entry.name);
  if (env[variable]) {
    // The variable's name folds the registry's (case, other characters as _): "CORP" and "corp.prod" read
    // the variables of a global "corp" and "corp-prod". It goes only where a global registry it names is.
    const owners = global.entries.filter((g) => namedTokenVariable(g.name) === variable);
    if (owners.length === 0 || owners.some((g) => sameRegistryUrl(g.url, entry.url))) return env[variable];
    withheld.push(`$${variable} (kept for ${owners.map((g) => `"${g.name}" at ${g.url}`).join(', ')})`);
  }
  if (env.AAM_REGISTRY_TOKEN) {
    const http = global.entries.filter((g) => g.type === 'http');
    if (http.length === 0 ? !moved : http.some((g) => sameRegistryUrl(g.url, entry.url))) return env.AAM_REGISTRY_TOKEN;
    withheld.push('$AAM_REGISTRY_TOKEN (kept for the registries of your global config)');
  }
  const kept = await keptRegistryToken(entry.name, homeDir, env);
  if (kept) {
    if (keptFor(kept, entry, own)) return kept.token;
    withheld.push(
      kept.url
        ? `the token in credentials.yaml (issued for ${kept.url})`
        : `the token in credentials.yaml (kept without a URL, so sent only to the URL ${global.path} gives "${entry.name}"${own ? `, ${own.url}` : ', which is none'})`,
    );
  }
  if (withheld.length === 0) return undefined;
  throw withheldError(entry, own, global.path, withheld);
}

/** Whether a token of credentials.yaml belongs to `entry`'s URL. */
function keptFor(kept: KeptToken, entry: RegistryAddress, own: RegistryEntry | undefined): boolean {
  // Without a URL, the token is the one the user's own config meant by the name.
  const boundTo = kept.url ?? own?.url;
  return boundTo !== undefined && sameRegistryUrl(boundTo, entry.url);
}

/** The token credentials.yaml keeps for `entry`'s name, when it belongs to `entry`'s URL (what logout may drop). */
export async function keptTokenFor(
  entry: RegistryAddress,
  homeDir: string,
  env: Record<string, string | undefined>,
): Promise<KeptToken | undefined> {
  const kept = await keptRegistryToken(entry.name, homeDir, env);
  if (!kept) return undefined;
  const own = (await globalRegistries(homeDir, env)).entries.find((g) => g.name === entry.name);
  return keptFor(kept, entry, own) ? kept : undefined;
}

function withheldError(
  entry: RegistryAddress,
  own: RegistryEntry | undefined,
  globalPath: string,
  withheld: string[],
): AamError {
  const where = own
    ? `Registry "${entry.name}" is ${own.url} in ${globalPath}, but the project's config gives it ${entry.url}`
    : `Registry "${entry.name}" (${entry.url}) is not in ${globalPath}`;
  return new AamError('REGISTRY_AUTH', `${where}: ${withheld.join(', ')} is not sent there.`, {
    hint: own
      ? `A project config (a cloned repository, a pull request) cannot move "${entry.name}": remove its entry from .aam/config.yaml, or give that registry a name of its own and log in to it ("aam-trust login --registry OTHER --username NAME").`
      : `Log in to it ("aam-trust login --registry ${entry.name} --username NAME": the token is kept for this URL), set $${namedTokenVariable(entry.name)}, or add the registry to ${globalPath}.`,
    ...(own ? { expected: own.url } : {}),
    actual: entry.url,
  });
}

/**
 * Refuses an account command (a password, a token made or revoked) where the
 * project would decide where the user's password goes: an entry whose name
 * the global config gives another URL; and, unless the user `named` it
 * (--registry), a default the global config does not hold at all — a
 * project's config can name a default of its own (lists replace on merge).
 */
export async function assertNotMovedByProject(
  entry: RegistryAddress,
  homeDir: string,
  env: Record<string, string | undefined>,
  { named = true }: { named?: boolean } = {},
): Promise<void> {
  const global = await globalRegistries(homeDir, env);
  const own = global.entries.find((g) => g.name === entry.name);
  if (own && !sameRegistryUrl(own.url, entry.url))
    throw new AamError(
      'REGISTRY_AUTH',
      `Registry "${entry.name}" is ${own.url} in ${global.path}, but the project's .aam/config.yaml gives it ${entry.url}: your password and token for "${entry.name}" are not sent there.`,
      {
        hint: `To sign in to ${own.url}, run the command outside this project (or --project DIR of a project that keeps "${entry.name}" as it is). To sign in to ${entry.url}, give it a name of its own in the project's config (or ${global.path}) and use --registry with that name.`,
        expected: own.url,
        actual: entry.url,
      },
    );
  if (!own && !named)
    throw new AamError(
      'USAGE',
      `No registry was named, and the default one, "${entry.name}" at ${entry.url}, comes from this project's .aam/config.yaml, not from ${global.path}: a password or token is not sent where a project chooses.`,
      {
        hint: `Name the registry: --registry ${entry.name} to use that one, or --registry NAME for one in ${global.path}.`,
      },
    );
}
