import { resolve } from 'node:path';
import { AamError } from '../../core/errors.ts';
import { LocalRegistry } from '../../core/registry/local-registry.ts';
import { parse } from '../args.ts';
import { EXIT } from '../io.ts';
import type { CliIo } from '../io.ts';

export const REGISTRY_HELP = `Usage: aam-trust registry init DIR [--name NAME] [--require-signatures]

Creates an empty local registry in the AAM layout. With --require-signatures
it refuses unsigned publishes.`;

export async function registryCommand(io: CliIo, argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  const { values, positionals } = parse('registry', rest, {
    name: { type: 'string' },
    'require-signatures': { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (sub !== 'init' || values.help) {
    io.stdout(`${REGISTRY_HELP}\n`);
    return sub === 'init' || sub === '--help' ? EXIT.ok : EXIT.usage;
  }
  if (positionals.length !== 1) throw new AamError('USAGE', 'registry init needs a folder.');
  const root = resolve(io.cwd, positionals[0]!);
  const registry = await LocalRegistry.create(root, {
    name: values.name,
    requireSignatures: values['require-signatures'] ?? false,
  });
  io.stdout(
    `✓ Created registry "${registry.name}" at ${root}\n  Add it to your config:\n  registries:\n    - name: ${registry.name}\n      url: file://${root}\n      type: local\n`,
  );
  return EXIT.ok;
}
