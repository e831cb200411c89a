import { assertUsablePolicy } from '../../core/config/load.ts';
import { AamError } from '../../core/errors.ts';
import { acceptChanges } from '../../core/workflows/accept.ts';
import { COMMON, parse } from '../args.ts';
import { commandContext } from '../context.ts';
import { EXIT, paint } from '../io.ts';
import type { CliIo } from '../io.ts';
import { reportLines } from '../report.ts';

export const ACCEPT_HELP = `Usage: aam-trust accept NAME... [--project DIR] [--global]

Records installed packages as they are now in .aam/trust-record.yaml: their
signer (or that they are unsigned) and version. Use it once you have checked
that a new signer, a removed signature or a lower version is expected; the
change is then no longer a finding. A package that does not verify (tampered,
an invalid signature) is not accepted. Commit the record with the lock file.`;

export async function acceptCommand(io: CliIo, argv: string[]): Promise<number> {
  const { values, positionals } = parse('accept', argv, { ...COMMON, global: { type: 'boolean' } });
  if (values.help) {
    io.stdout(`${ACCEPT_HELP}\n`);
    return EXIT.ok;
  }
  if (positionals.length === 0)
    throw new AamError('USAGE', 'accept needs at least one package name.', { hint: ACCEPT_HELP });
  const ctx = await commandContext(io, values);
  assertUsablePolicy(ctx.config);
  const reports = await acceptChanges(positionals, {
    workspace: ctx.workspace,
    config: ctx.config,
    verifier: ctx.verifier,
    cache: ctx.cache,
    homeDir: io.homeDir,
  });
  for (const report of reports) {
    io.stdout(
      `${paint(io, 'green', '✓')} Recorded ${report.name}@${report.version} in ${ctx.workspace.aamDir}/trust-record.yaml\n`,
    );
    io.stdout(`${reportLines(io, report).join('\n')}\n`);
  }
  return EXIT.ok;
}
