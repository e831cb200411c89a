import { assertUsablePolicy } from '../../core/config/load.ts';
import { PLATFORMS } from '../../core/model/platform.ts';
import type { Platform } from '../../core/model/platform.ts';
import { HOME_PLATFORMS, restoreDeployed } from '../../core/workflows/restore.ts';
import { AamError } from '../../core/errors.ts';
import { COMMON, parse } from '../args.ts';
import { commandContext } from '../context.ts';
import { EXIT, paint } from '../io.ts';
import type { CliIo } from '../io.ts';
import { reportLines } from '../report.ts';

export const RESTORE_HELP = `Usage: aam-trust restore NAME... [--platform P] [--project DIR] [--global]

Rewrites the copies of installed packages that agents load (.cursor/,
.claude/, .github/, CLAUDE.md and AGENTS.md sections, ~/.codex/) from their
verified archive: the package is verified first, and a package whose archive,
installed copy or signature fails is not restored. Text outside AAM's marker
sections of CLAUDE.md and AGENTS.md is kept.

  --platform P   restore on P only (default: wherever copies were found in
                 the project; ~/.codex only when named)`;

export async function restoreCommand(io: CliIo, argv: string[]): Promise<number> {
  const { values, positionals } = parse('restore', argv, {
    ...COMMON,
    global: { type: 'boolean' },
    platform: { type: 'string', multiple: true },
  });
  if (values.help) {
    io.stdout(`${RESTORE_HELP}\n`);
    return EXIT.ok;
  }
  if (positionals.length === 0)
    throw new AamError('USAGE', 'restore needs at least one package name.', { hint: RESTORE_HELP });
  const unknown = (values.platform ?? []).filter((p) => !(PLATFORMS as readonly string[]).includes(p));
  if (unknown.length > 0)
    throw new AamError('USAGE', `Unknown platform ${unknown.map((p) => JSON.stringify(p)).join(', ')}.`, {
      hint: `Platforms: ${PLATFORMS.join(', ')}.`,
    });
  const ctx = await commandContext(io, values);
  assertUsablePolicy(ctx.config);
  let failed = false;
  for (const name of positionals) {
    const report = await restoreDeployed(name, {
      workspace: ctx.workspace,
      config: ctx.config,
      verifier: ctx.verifier,
      cache: ctx.cache,
      homeDir: io.homeDir,
      platforms: values.platform as Platform[] | undefined,
    });
    io.stdout(
      `${paint(io, 'green', '✓')} Restored ${report.deployed.length} deployed cop${report.deployed.length === 1 ? 'y' : 'ies'} of ${name}@${report.version}\n`,
    );
    io.stdout(`${reportLines(io, report).join('\n')}\n`);
    const home = report.deployed.filter((c) => HOME_PLATFORMS.includes(c.platform) && c.state !== 'ok');
    if (!values.platform && !values.global && home.length > 0)
      io.stdout(
        `${paint(io, 'yellow', '⚠')} Not restored: ${home.length} cop${home.length === 1 ? 'y' : 'ies'} in your home folder (${home.map((c) => c.path).join(', ')}), which agents load in every project; a project restores them only when asked: aam-trust restore ${name} --platform codex\n`,
      );
    failed ||= report.verdict.action === 'fail';
  }
  return failed ? EXIT.failed : EXIT.ok;
}
