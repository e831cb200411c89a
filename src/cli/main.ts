import { AamError, InstallRefusedError, messageOf } from '../core/errors.ts';
import { commands } from './commands/index.ts';
import { EXIT, forTerminal, paint } from './io.ts';
import type { CliIo } from './io.ts';
import { PRODUCT_VERSION } from '../core/version.ts';
import { own } from '../core/model/own.ts';

const VERSION = PRODUCT_VERSION;

export const HELP = `aam-trust ${VERSION} — package signing and trust policies for AAM

Usage: aam-trust <command> [options]

Commands:
  verify            verify installed packages against the trust policy
  install           install packages from a registry or .aam files, verified first,
                    and deploy them to the agent platforms as aam does
  restore           rewrite the deployed copies agents load from the verified archive
  pack              pack a package folder into a .aam archive
  publish           pack, sign (Sigstore and/or GPG, one key or several) and publish to a registry
  sign              add your signature to a version already published (co-sign)
  delegate          let another identity or key sign packages matching a pattern until a date;
                    --revoke ends it, --list shows a registry's delegations
  info              a package's checksum, every signature with its status, the delegations
                    used and the registry attestation (--audit-log: its history)
  policy check      validate config files with line and column
  policy show       print the merged policy and where each value comes from
  policy level      the trust level in effect; set Minimal, Moderate, Strict or Maximum
  trust             trust the signer of an installed package (exact, issuer-pinned)
  accept            record a package's new signer, removed signature or lower version
                    once checked (trust on first use)
  diff              what a change does to the trust picture (git revision, folder)
  report            signing compliance of projects or a registry: table, JSON, CSV, HTML
  audit             a package's history in an HTTP registry's audit log, the log's chain verified
  approve, reject   sign your approval (or rejection) of a version waiting on an HTTP registry
  owners            who owns a package on an HTTP registry; transfer it (--set)
  register          create an account on an HTTP registry
  login, logout     keep (or revoke and drop) an API token for an HTTP registry
  whoami            who the kept token speaks for
  token             create, list and revoke your API tokens on an HTTP registry
  keys import       add OpenPGP public keys to the AAM keyring
  keys fetch        find an OpenPGP key by email or fingerprint (Web Key Directory, keyserver)
                    and add it to the AAM keyring, without trusting it
  prepare-offline   cache archives and signatures for offline verification
  registry          init a local registry; serve an HTTP registry; create API tokens
  sign-bundle       sign a file (sigstore-conformance protocol)
  verify-bundle     verify a bundle (sigstore-conformance protocol)

Run "aam-trust <command> --help" for a command's options.
Exit status: 0 when nothing fails, 1 when something fails, 2 on bad usage.`;

/**
 * Runs the CLI with `argv` (without node and script) and returns the exit status. Everything it writes goes
 * through forTerminal: lock files, trust records, registries and package files are data, never terminal commands.
 */
export async function runCli(argv: string[], given: CliIo): Promise<number> {
  const io = forTerminal(given);
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    io.stdout(`${HELP}\n`);
    return command === undefined ? EXIT.usage : EXIT.ok;
  }
  if (command === '--version' || command === '-v') {
    io.stdout(`${VERSION}\n`);
    return EXIT.ok;
  }
  const run = own(commands, command); // not `constructor`
  if (!run) {
    io.stderr(`Error: unknown command "${command}".\n  Run "aam-trust --help" for the list of commands.\n`);
    return EXIT.usage;
  }
  try {
    return await run(io, rest);
  } catch (error) {
    return reportError(io, error);
  }
}

function reportError(io: CliIo, error: unknown): number {
  if (error instanceof AamError) {
    io.stderr(`${paint(io, 'red', 'Error:')} ${error.message}\n`);
    if (error instanceof InstallRefusedError) {
      for (const { name, version, verdict } of error.verdicts) {
        io.stderr(`  ✗ ${name}@${version}: ${verdict.code}\n`);
        // What was looked for and what was found (two digests for a checksum mismatch), as verify prints them.
        if (verdict.expected !== undefined) io.stderr(`    Expected: ${verdict.expected}\n`);
        if (verdict.actual !== undefined) io.stderr(`    Got:      ${verdict.actual}\n`);
      }
    }
    if (error.expected !== undefined) io.stderr(`  Expected: ${error.expected}\n`);
    if (error.actual !== undefined) io.stderr(`  Got:      ${error.actual}\n`);
    if (error.hint)
      io.stderr(
        `${error.hint
          .split('\n')
          .map((l) => `  ${l}`)
          .join('\n')}\n`,
      );
    io.stderr(paint(io, 'dim', `  (${error.code})\n`));
    return error.code === 'USAGE' ? EXIT.usage : EXIT.failed;
  }
  io.stderr(`${paint(io, 'red', 'Error:')} ${messageOf(error)}\n`);
  if (io.env.AAM_TRUST_DEBUG && error instanceof Error && error.stack) io.stderr(`${error.stack}\n`);
  return EXIT.failed;
}
