import { assertUsablePolicy } from '../../core/config/load.ts';
import { AamError } from '../../core/errors.ts';
import { isValidPackageName } from '../../core/model/names.ts';
import { isValidVersion } from '../../core/model/versions.ts';
import { findRegistry } from '../../core/registry/open.ts';
import { cosignVersion } from '../../core/workflows/cosign.ts';
import { readLockFile } from '../../core/lockfile/lockfile.ts';
import { checksumOption, COMMON, parse } from '../args.ts';
import { commandContext } from '../context.ts';
import { EXIT } from '../io.ts';
import type { CliIo } from '../io.ts';
import { SIGNING_HELP, SIGNING_OPTIONS, signingsFor } from '../signing.ts';

export const SIGN_HELP = `Usage: aam-trust sign NAME@VERSION [--checksum sha256:HEX] [--registry NAME] [signing options] [--json]

Adds your signature to a version already published (a co-signature): the
archive is downloaded and checked against the registry's checksum, the
signatures it carries are shown, and yours is verified and stored beside them
(file and HTTP registries alike). A signer who signed the version already is
refused. Consumers count distinct trusted signers (security.signature_threshold).
The archive must be the one you reviewed: --checksum names it, and when the
version is installed in the project its lock file's checksum does (a registry
can change a version's archive and checksum at once); else the checksum of
what is signed is printed first.

${SIGNING_HELP}`;

/** NAME@VERSION, split; a usage error naming the command otherwise. */
export function nameAtVersion(
  spec: string | undefined,
  command: string,
  help: string,
): { name: string; version: string } {
  const at = spec ? spec.lastIndexOf('@') : -1;
  const name = at > 0 ? spec!.slice(0, at) : '';
  const version = at > 0 ? spec!.slice(at + 1) : '';
  if (!isValidPackageName(name) || !isValidVersion(version))
    throw new AamError('USAGE', `${command} needs one NAME@VERSION (for example @acme/hello@1.2.0).`, { hint: help });
  return { name, version };
}

export async function signCommand(io: CliIo, argv: string[]): Promise<number> {
  const { values, positionals } = parse('sign', argv, {
    ...COMMON,
    ...SIGNING_OPTIONS,
    registry: { type: 'string' },
    checksum: { type: 'string' },
  });
  if (values.help) {
    io.stdout(`${SIGN_HELP}\n`);
    return EXIT.ok;
  }
  if (positionals.length !== 1) throw new AamError('USAGE', 'sign needs one NAME@VERSION.', { hint: SIGN_HELP });
  const { name, version } = nameAtVersion(positionals[0], 'sign', SIGN_HELP);
  const ctx = await commandContext(io, values);
  assertUsablePolicy(ctx.config);
  const registry = findRegistry(ctx.config.registries, values.registry, { homeDir: io.homeDir, env: io.env });
  const expectedChecksum =
    checksumOption(values.checksum) ?? (await reviewedChecksum(ctx.workspace.lockFile, name, version));
  const outcome = await cosignVersion({
    registry,
    name,
    version,
    signing: await signingsFor(io, ctx, values),
    verifier: ctx.verifier,
    hiddenContent: ctx.config.security.hidden_content,
    expectedChecksum,
    onLine: values.json ? undefined : (line) => io.stdout(`${line}\n`),
  });
  if (values.json)
    io.stdout(`${JSON.stringify({ name, version, checksum: outcome.checksum, added: outcome.signatures }, null, 2)}\n`);
  return EXIT.ok;
}

/** The checksum the project's lock file records for NAME@VERSION (what its verification checked), if installed. */
async function reviewedChecksum(lockFile: string, name: string, version: string): Promise<string | undefined> {
  const lock = await readLockFile(lockFile).catch(() => undefined);
  const entry = lock?.packages[name];
  return entry?.version === version ? entry.checksum : undefined;
}
