import type { RegistryEntry } from '../../config/settings.ts';
import { AamError } from '../../errors.ts';
import { openRegistry } from '../../registry/open.ts';
import type { RegistryContext } from '../../registry/open.ts';
import { parseSpec } from './plan.ts';

/**
 * `aam install NAME` takes a package from the first registry in the config's
 * `registries:` list that has a version it matches; AAM Trust installs from
 * one registry, the default (or `--registry`). Where the two would take it
 * from different registries, another archive and perhaps another signer, the
 * install is refused with both names: neither tool picks a source silently.
 * Only local registries listed before the default are asked (for the usual
 * config, none): aam reads no other kind, and asking an HTTP registry a
 * project lists would send the package's name to a host aam never contacts.
 * One that cannot be read is passed over, as aam passes it.
 */
export async function assertSameSourceAsAam(
  entries: readonly RegistryEntry[],
  chosen: string,
  specs: readonly string[],
  context: RegistryContext,
): Promise<void> {
  const at = entries.findIndex((entry) => entry.name === chosen);
  const earlier = entries.slice(0, Math.max(0, at)).filter((entry) => entry.type === 'local');
  for (const spec of specs) {
    const { name, range } = parseSpec(spec);
    for (const entry of earlier) {
      const found = await openRegistry(entry, context)
        .resolve(name, range)
        .then(
          () => true,
          () => false,
        );
      if (!found) continue;
      throw new AamError(
        'USAGE',
        `${spec} is in registry "${entry.name}", which comes before the default "${chosen}" in your registries: aam installs it from "${entry.name}", AAM Trust would from "${chosen}".`,
        {
          hint: `Name the one you mean: aam-trust install ${spec} --registry ${entry.name} (as aam does), or --registry ${chosen}.`,
        },
      );
    }
  }
}
