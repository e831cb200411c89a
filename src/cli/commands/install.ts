import { assertUsablePolicy } from '../../core/config/load.ts';
import { AamError } from '../../core/errors.ts';
import { installPackages } from '../../core/install/install.ts';
import { findRegistry } from '../../core/registry/open.ts';
import { COMMON, parse } from '../args.ts';
import { commandContext } from '../context.ts';
import { EXIT } from '../io.ts';
import type { CliIo } from '../io.ts';
import { verdictLines } from '../report.ts';

export const INSTALL_HELP = `Usage: aam-trust install NAME[@VERSION]... [--registry NAME] [--project DIR] [--global] [--force] [--json]

Installs packages (and their dependencies) from a registry into
.aam/packages/, verifying each against the policy first. If any package
fails verification, nothing is installed.`;

export async function installCommand(io: CliIo, argv: string[]): Promise<number> {
  const { values, positionals } = parse('install', argv, { ...COMMON, registry: { type: 'string' }, global: { type: 'boolean' }, force: { type: 'boolean' }, restricted: { type: 'boolean' } });
  if (values.help) {
    io.stdout(`${INSTALL_HELP}\n`);
    return EXIT.ok;
  }
  if (positionals.length === 0) throw new AamError('USAGE', 'install needs at least one package name.', { hint: 'aam-trust install @author/my-package' });
  const ctx = await commandContext(io, values);
  assertUsablePolicy(ctx.config);
  const registry = findRegistry(ctx.config.registries, values.registry);
  const installed = await installPackages(positionals, {
    workspace: ctx.workspace,
    config: ctx.config,
    registry,
    verifier: ctx.verifier,
    cache: ctx.cache,
    force: values.force ?? false,
    onStep: values.json ? undefined : (message) => io.stdout(`${message}...\n`),
  });
  if (values.json) {
    io.stdout(`${JSON.stringify({ installed: installed.map((i) => ({ name: i.name, version: i.version, status: i.verdict.status, action: i.verdict.action, code: i.verdict.code, message: i.verdict.message })) }, null, 2)}\n`);
    return EXIT.ok;
  }
  if (installed.length === 0) io.stdout('Everything is already installed.\n');
  for (const item of installed) io.stdout(`${verdictLines(io, `${item.name}@${item.version}`, item.verdict).join('\n')}\n`);
  if (installed.length > 0) io.stdout(`✓ Installed ${installed.map((i) => `${i.name}@${i.version}`).join(', ')}\n`);
  return EXIT.ok;
}
