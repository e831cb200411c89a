import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { assertUsablePolicy, loadConfig } from '../core/config/load.ts';
import { AamError } from '../core/errors.ts';
import { HttpRegistry } from '../core/registry/http-registry.ts';
import { findRegistry } from '../core/registry/open.ts';
import { assertCredentialTransport } from '../core/registry/registry-url.ts';
import { assertNotMovedByProject, registryTokenFor } from '../core/registry/token-binding.ts';
import type { CliIo } from './io.ts';

/**
 * What the account commands (register, login, logout, whoami, token) share:
 * the HTTP registry they talk to, the token kept for it, and a password
 * asked for without echo (or $AAM_REGISTRY_PASSWORD, for scripts).
 */

export const ACCOUNT_OPTIONS = {
  registry: { type: 'string' },
  project: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/**
 * The HTTP registry named by --registry, or the default one (when the global
 * config holds it, not only a project): every account
 * command sends it a password or a token, so it is refused over plain http
 * to another host, and where the project's config gives a name of the global
 * config another URL.
 */
export async function accountRegistry(
  io: CliIo,
  values: { registry?: string | undefined; project?: string | undefined },
): Promise<HttpRegistry> {
  const config = await loadConfig({
    homeDir: io.homeDir,
    projectDir: resolve(io.cwd, values.project ?? '.'),
    env: io.env,
  });
  assertUsablePolicy(config);
  const registry = findRegistry(config.registries, values.registry, { homeDir: io.homeDir, env: io.env });
  if (!(registry instanceof HttpRegistry))
    throw new AamError(
      'USAGE',
      `Registry "${registry.name}" is not an HTTP registry: accounts are an HTTP registry's.`,
      {
        hint: 'Name an HTTP registry with --registry NAME (type: http in ~/.aam/config.yaml).',
      },
    );
  assertCredentialTransport(registry.name, registry.url, 'a password or token');
  await assertNotMovedByProject(registry, io.homeDir, io.env, { named: values.registry !== undefined });
  return registry;
}

/** The token kept for the registry's URL (credentials.yaml or the environment), or how to get one. */
export async function keptToken(io: CliIo, registry: HttpRegistry): Promise<string> {
  const token = await registryTokenFor(registry, io.homeDir, io.env);
  if (!token)
    throw new AamError('REGISTRY_AUTH', `You are not logged in to registry "${registry.name}".`, {
      hint: `Run "aam-trust login --registry ${registry.name} --username NAME".`,
    });
  return token;
}

export async function askPassword(io: CliIo, prompt: string): Promise<string> {
  const password = io.env.AAM_REGISTRY_PASSWORD || (await io.askSecret(prompt));
  if (!password)
    throw new AamError('USAGE', 'A password is needed: type it when asked, or set $AAM_REGISTRY_PASSWORD.');
  return password;
}

/** --expires DAYS as a date (none: the token does not expire). */
export function expiryOf(days: string | undefined): Date | undefined {
  if (days === undefined) return undefined;
  const n = Number(days);
  if (!Number.isInteger(n) || n < 1 || n > 3650)
    throw new AamError('USAGE', `--expires takes a number of days (1 to 3650), not "${days}".`);
  return new Date(Date.now() + n * 86_400_000);
}

/** The name a token made here gets, so its user can tell it apart in a list. */
export function tokenLabel(): string {
  return `aam-trust on ${hostname()}`.slice(0, 64).replace(/[^\x20-\x7e]/g, '?');
}

/** A token as a line of a list: name, id, scopes, and when it expires. */
export function describeToken(t: {
  id: string;
  name: string;
  kind: string;
  scopes: string[];
  expires_at: string | null;
  last_used_at: string | null;
}): string {
  return `${t.name}  (${t.kind === 'session' ? 'session' : t.scopes.join(', ')})  id ${t.id}  ${t.expires_at ? `expires ${t.expires_at}` : 'does not expire'}${t.last_used_at ? `, last used ${t.last_used_at}` : ''}`;
}
