import { homedir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { AamError } from '../errors.ts';
import type { RegistryEntry } from '../config/settings.ts';
import { defaultRegistry } from '../config/settings.ts';
import { HttpRegistry } from './http-registry.ts';
import type { ConditionalCache, HttpRegistryOptions } from './http-registry.ts';
import { LocalRegistry } from './local-registry.ts';
import type { Registry } from './registry.ts';
import { registryTokenFor } from './token-binding.ts';
import type { RegistryAddress } from './token-binding.ts';

/** Where tokens for HTTP registries are looked up. */
export interface RegistryContext {
  homeDir: string;
  env: Record<string, string | undefined>;
  /**
   * Where an editor keeps tokens (VS Code's SecretStorage): asked first, before the environment and
   * credentials.yaml, for the registry's name and URL; it answers only with a token issued for that URL.
   */
  tokenFor?: ((registry: RegistryAddress) => Promise<string | undefined>) | undefined;
  /** Where an HTTP registry's answers are kept for conditional requests (by registry name). */
  conditionalFor?: ((registry: string) => ConditionalCache) | undefined;
  /** How long an HTTP registry's rate limit may be waited for, in all, and who hears of each wait (a long read). */
  rateLimit?: Pick<HttpRegistryOptions, 'rateLimitWaitMs' | 'onRateLimit'> | undefined;
  /** How long an HTTP registry's request may take, and how often a failed read is tried (defaults: 30 s, 3). */
  patience?: Pick<HttpRegistryOptions, 'timeoutMs' | 'attempts'> | undefined;
}

/** The registry a config entry names: a local (file://) registry or an HTTP registry. */
export function openRegistry(
  entry: RegistryEntry,
  context: RegistryContext = { homeDir: homedir(), env: process.env },
): Registry {
  if (entry.type === 'http' && /^https?:\/\//.test(entry.url))
    return new HttpRegistry(entry.name, entry.url, {
      // Bound to the entry's URL (token-binding.ts): a project config that moves a name gets no token.
      token: async () => (await context.tokenFor?.(entry)) ?? registryTokenFor(entry, context.homeDir, context.env),
      conditional: context.conditionalFor?.(entry.name),
      ...context.rateLimit,
      ...context.patience,
    });
  if (entry.type !== 'local' || !entry.url.startsWith('file://')) {
    throw new AamError(
      'REGISTRY_INVALID',
      `Registry "${entry.name}" is a ${entry.type} registry (${entry.url}); AAM Trust works with local file:// and HTTP registries.`,
      {
        hint: 'Use a local or an HTTP registry, or the AAM CLI for git registries.',
      },
    );
  }
  return new LocalRegistry(entry.name, fileURLToPath(entry.url));
}

/** The registry named `name`, or the default one; REGISTRY_NOT_FOUND with the configured names otherwise. */
export function findRegistry(entries: readonly RegistryEntry[], name?: string, context?: RegistryContext): Registry {
  const entry = name === undefined ? defaultRegistry(entries) : entries.find((r) => r.name === name);
  if (!entry) {
    const known = entries.map((r) => r.name);
    throw new AamError(
      'REGISTRY_NOT_FOUND',
      name === undefined ? 'No registry is configured.' : `Registry "${name}" is not configured.`,
      {
        hint:
          known.length > 0
            ? `Configured registries: ${known.join(', ')}.`
            : 'Add one under registries: in ~/.aam/config.yaml (name, url: file:///path, type: local).',
      },
    );
  }
  return openRegistry(entry, context);
}
