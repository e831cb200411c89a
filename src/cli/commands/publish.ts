import { resolve } from 'node:path';
import { assertUsablePolicy } from '../../core/config/load.ts';
import { AamError } from '../../core/errors.ts';
import { publishPackage } from '../../core/workflows/publish.ts';
import { findRegistry } from '../../core/registry/open.ts';
import { COMMON, parse } from '../args.ts';
import { asksToSign, SIGNING_HELP, SIGNING_OPTIONS, signingsFor } from '../signing.ts';
import { commandContext } from '../context.ts';
import { EXIT } from '../io.ts';
import type { CliIo } from '../io.ts';

export const PUBLISH_HELP = `Usage: aam-trust publish [DIR] [--registry NAME] [--sign] [--signing-method sigstore|gpg]...
                         [--gpg-key KEY]... [--identity-token TOKEN] [--signing-config FILE]
                         [--confirm-name PACKAGE] [--json]

Packs DIR (default: the current folder), signs it when --sign is given (or a
signing method or key is), and publishes it with every signature stored beside
the archive: several keys (--gpg-key A --gpg-key B), or Sigstore and OpenPGP
together (--signing-method sigstore --gpg-key A), sign one version together.

An HTTP registry refuses a new name that passes for a popular package's
(a few edits away, other separators, another scope), naming it; when the
likeness is not meant, --confirm-name PACKAGE says so and publishes.

${SIGNING_HELP}`;

export async function publishCommand(io: CliIo, argv: string[]): Promise<number> {
  const { values, positionals } = parse('publish', argv, {
    ...COMMON,
    ...SIGNING_OPTIONS,
    registry: { type: 'string' },
    sign: { type: 'boolean' },
    'confirm-name': { type: 'string' },
  });
  if (values.help) {
    io.stdout(`${PUBLISH_HELP}\n`);
    return EXIT.ok;
  }
  if (positionals.length > 1) throw new AamError('USAGE', 'publish takes at most one package folder.');
  const ctx = await commandContext(io, values);
  assertUsablePolicy(ctx.config);
  const registry = findRegistry(ctx.config.registries, values.registry, { homeDir: io.homeDir, env: io.env });
  const signings = values.sign || asksToSign(values) ? await signingsFor(io, ctx, values) : [];
  const outcome = await publishPackage({
    packageDir: resolve(io.cwd, positionals[0] ?? '.'),
    registry,
    signing: signings,
    verifier: ctx.verifier,
    hiddenContent: ctx.config.security.hidden_content,
    onLine: values.json ? undefined : (line) => io.stdout(`${line}\n`),
    onWarning: (warning) => io.stderr(`warning: ${warning}\n`),
    confirmName: values['confirm-name'],
  });
  if (values.json) io.stdout(`${JSON.stringify(outcome, null, 2)}\n`);
  return EXIT.ok;
}
