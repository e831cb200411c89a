import { assertUsablePolicy } from '../../core/config/load.ts';
import { AamError } from '../../core/errors.ts';
import { isValidPackageName } from '../../core/model/names.ts';
import { HttpRegistry } from '../../core/registry/http-registry.ts';
import { findRegistry } from '../../core/registry/open.ts';
import { COMMON, parse } from '../args.ts';
import { commandContext } from '../context.ts';
import { EXIT } from '../io.ts';
import type { CliIo } from '../io.ts';

export const OWNERS_HELP = `Usage: aam-trust owners NAME [--set USER ...] [--registry NAME] [--json]

Prints who owns package NAME on an HTTP registry (owners publish new
versions, yank and tag). With --set (repeat it), replaces the owners — a
transfer when your own user is not among them; the registry records it in
its audit log as ownership.transfer. Needs an owner's token with the admin scope
(aam-trust token create --scope admin), or the operator's.`;

export async function ownersCommand(io: CliIo, argv: string[]): Promise<number> {
  const { values, positionals } = parse('owners', argv, {
    ...COMMON,
    registry: { type: 'string' },
    set: { type: 'string', multiple: true },
  });
  if (values.help) {
    io.stdout(`${OWNERS_HELP}\n`);
    return EXIT.ok;
  }
  const [name] = positionals;
  if (!name || positionals.length > 1 || !isValidPackageName(name))
    throw new AamError('USAGE', 'owners needs one package name (name or @scope/name).', { hint: OWNERS_HELP });
  const ctx = await commandContext(io, values);
  assertUsablePolicy(ctx.config);
  const registry = findRegistry(ctx.config.registries, values.registry, { homeDir: io.homeDir, env: io.env });
  if (!(registry instanceof HttpRegistry))
    throw new AamError('USAGE', `Registry "${registry.name}" is not an HTTP registry: owners are an HTTP registry's.`);
  const owners = values.set ? await registry.setOwners(name, values.set) : await registry.owners(name);
  if (values.json) io.stdout(`${JSON.stringify({ package: name, registry: registry.name, owners }, null, 2)}\n`);
  else io.stdout(`${values.set ? '✓ ' : ''}${name} on ${registry.name} is owned by ${owners.join(', ')}\n`);
  return EXIT.ok;
}
