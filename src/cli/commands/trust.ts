import { editConfigFile } from '../../core/config/edit.ts';
import { assertProjectConfigWritable } from '../../core/config/project-write.ts';
import { globalConfigPath, projectConfigPath } from '../../core/config/paths.ts';
import { AamError } from '../../core/errors.ts';
import { issuerNote, PROJECT_TRUST_WARNING, trustOptionsFor, trustPlanFor } from '../../core/config/trust-entries.ts';
import { VerificationStore } from '../../core/verify/store/result-store.ts';
import { verifyWorkspace } from '../../core/verify/workspace.ts';
import { COMMON, parse } from '../args.ts';
import { commandContext } from '../context.ts';
import { EXIT, paint } from '../io.ts';
import type { CliIo } from '../io.ts';

export const TRUST_HELP = `Usage: aam-trust trust NAME [--project DIR] [--in project|global] [--entry TEXT] [--yes]

Trusts the signer of an installed package: adds the narrowest entry that
trusts it (an exact identity pinned to the issuer it was seen with, or the
full OpenPGP fingerprint) to the global config, or to the project config with
--in project. Prints the file and everything it would write first, including
an issuer added to allowed_issuers and the existing entries that this opens
to that issuer; writes only with --yes.

  --in project|global   which config file (default: global)
  --entry TEXT          another of the entries listed (e.g. github:OWNER/REPO)
  --yes                 write it`;

export async function trustCommand(io: CliIo, argv: string[]): Promise<number> {
  const { values, positionals } = parse('trust', argv, {
    ...COMMON,
    in: { type: 'string' },
    entry: { type: 'string' },
    yes: { type: 'boolean' },
  });
  if (values.help) {
    io.stdout(`${TRUST_HELP}\n`);
    return EXIT.ok;
  }
  const layer = values.in ?? 'global';
  if (positionals.length !== 1 || (layer !== 'project' && layer !== 'global'))
    throw new AamError('USAGE', 'trust needs one package NAME, and --in project or --in global.', { hint: TRUST_HELP });
  const ctx = await commandContext(io, values);
  const [report] = await verifyWorkspace({
    workspace: ctx.workspace,
    config: ctx.config,
    verifier: ctx.verifier,
    cache: ctx.cache,
    only: positionals,
    store: new VerificationStore(undefined),
  });
  const signer = report?.verdict.signer;
  if (!report) throw new AamError('USAGE', `${positionals[0]} is not installed in ${ctx.workspace.lockFile}.`);
  if (!signer || report.checks.signature.state !== 'valid')
    throw new AamError(
      'USAGE',
      `${report.name} has no valid signature whose signer could be trusted (${report.verdict.message})`,
    );
  const options = trustOptionsFor(signer);
  const option = values.entry ? options.find((o) => o.label === values.entry) : options[0];
  if (!option)
    throw new AamError('USAGE', `"${values.entry}" is not one of the entries that trust ${report.name}'s signer.`, {
      hint: `Entries: ${options.map((o) => o.label).join(', ')}.`,
    });
  const global = globalConfigPath({ homeDir: io.homeDir, env: io.env });
  const file = layer === 'project' ? projectConfigPath(ctx.projectDir) : global;
  if (layer === 'project') await assertProjectConfigWritable(ctx.projectDir, global);
  const plan = trustPlanFor(signer, option, {
    layer,
    value: ctx.config.files.find((f) => f.layer === layer)?.value,
    effective: ctx.config.security,
  });
  io.stdout(
    `Trust ${option.label} (${option.detail}) for ${report.name}, in ${file}:\n\n${plan.preview
      .split('\n')
      .map((l) => `  ${l}`)
      .join('\n')}\n\n`,
  );
  const note = issuerNote(plan);
  if (note) io.stdout(`${paint(io, 'yellow', '⚠')} ${note}\n\n`);
  if (options.length > 1)
    io.stdout(
      paint(
        io,
        'dim',
        `Other entries (--entry): ${options
          .filter((o) => o !== option)
          .map((o) => o.label)
          .join(', ')}\n`,
      ),
    );
  if (layer === 'project') io.stdout(`${paint(io, 'yellow', '⚠')} ${PROJECT_TRUST_WARNING}\n`);
  if (!values.yes) {
    io.stdout('Nothing written: run again with --yes to add it.\n');
    return EXIT.ok;
  }
  await editConfigFile(file, plan.edits);
  io.stdout(`${paint(io, 'green', '✓')} Added to ${file}\n`);
  return EXIT.ok;
}
