import { fileURLToPath } from 'node:url';
import { AamError } from '../errors.ts';
import type { RegistryEntry } from '../config/settings.ts';
import { defaultRegistry } from '../config/settings.ts';
import { LocalRegistry } from './local-registry.ts';

/** The registry a config entry names. Only local (file://) registries are implemented. */
export function openRegistry(entry: RegistryEntry): LocalRegistry {
  if (entry.type !== 'local' || !entry.url.startsWith('file://')) {
    throw new AamError(
      'REGISTRY_INVALID',
      `Registry "${entry.name}" is a ${entry.type} registry (${entry.url}); AAM Trust works with local file:// registries.`,
      {
        hint: 'Use a local registry, or the AAM CLI for git and HTTP registries.',
      },
    );
  }
  return new LocalRegistry(entry.name, fileURLToPath(entry.url));
}

/** The registry named `name`, or the default one; REGISTRY_NOT_FOUND with the configured names otherwise. */
export function findRegistry(entries: readonly RegistryEntry[], name?: string): LocalRegistry {
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
  return openRegistry(entry);
}
