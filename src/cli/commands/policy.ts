import { readRegularFile } from '../../core/fs/safe-read.ts';
import { resolve } from 'node:path';
import { formatDiagnostic } from '../../core/config/diagnostics.ts';
import { globalConfigPath, projectConfigPath } from '../../core/config/paths.ts';
import { validateConfigText } from '../../core/config/validate.ts';
import { AamError } from '../../core/errors.ts';
import { COMMON, parse } from '../args.ts';
import { commandContext } from '../context.ts';
import { EXIT, paint } from '../io.ts';
import type { CliIo } from '../io.ts';
import { levelCommand } from './policy-level.ts';

export const POLICY_HELP = `Usage: aam-trust policy check [FILE...] [--json]
       aam-trust policy show [--project DIR] [--restricted] [--json]
       aam-trust policy level [minimal|moderate|strict|maximum] [--in project|global] [--yes]

check  validates config files (default: the global and project config) and
       prints each finding as FILE:LINE:COL: SEVERITY CODE: MESSAGE.
       Exit 1 on any error.
show   prints the merged security policy, each value with the file it came
       from, and any project setting that weakens the global policy.
level  the trust level in effect; with a level, the keys it sets and what
       that would do to the installed packages (writes with --yes).`;

export async function policyCommand(io: CliIo, argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === 'check') return check(io, rest);
  if (sub === 'show') return show(io, rest);
  if (sub === 'level') return levelCommand(io, rest);
  if (sub === '--help' || sub === '-h' || sub === undefined) {
    io.stdout(`${POLICY_HELP}\n`);
    return sub === undefined ? EXIT.usage : EXIT.ok;
  }
  throw new AamError('USAGE', `Unknown policy command "${sub}".`, {
    hint: 'Use "policy check", "policy show" or "policy level".',
  });
}

async function check(io: CliIo, argv: string[]): Promise<number> {
  const { values, positionals } = parse('policy check', argv, COMMON);
  if (values.help) {
    io.stdout(`${POLICY_HELP}\n`);
    return EXIT.ok;
  }
  const projectDir = resolve(io.cwd, values.project ?? '.');
  const globalFile = globalConfigPath({ homeDir: io.homeDir, env: io.env });
  const files =
    positionals.length > 0 ? positionals.map((f) => resolve(io.cwd, f)) : [globalFile, projectConfigPath(projectDir)];
  const results: { file: string; line: number; column: number; severity: string; code: string; message: string }[] = [];
  let checked = 0;
  for (const file of files) {
    const bytes = await readRegularFile(file, 'config', { followLinks: file === globalFile });
    if (!bytes) {
      if (positionals.length === 0) continue;
      throw new AamError('USAGE', `Cannot read ${file}: no such file.`);
    }
    checked++;
    const { diagnostics } = validateConfigText(bytes.toString('utf8'));
    for (const d of diagnostics) {
      results.push({
        file,
        line: d.range.start.line + 1,
        column: d.range.start.character + 1,
        severity: d.severity,
        code: d.code,
        message: d.message,
      });
      if (!values.json) io.stdout(`${formatDiagnostic(file, d)}\n`);
    }
  }
  const failed = results.some((r) => r.severity === 'error');
  if (values.json) io.stdout(`${JSON.stringify(results, null, 2)}\n`);
  else if (results.length === 0)
    io.stdout(`✓ ${checked} config file${checked === 1 ? '' : 's'} checked, no problems\n`);
  return failed ? EXIT.failed : EXIT.ok;
}

async function show(io: CliIo, argv: string[]): Promise<number> {
  const { values } = parse('policy show', argv, { ...COMMON, restricted: { type: 'boolean' } });
  if (values.help) {
    io.stdout(`${POLICY_HELP}\n`);
    return EXIT.ok;
  }
  const ctx = await commandContext(io, values);
  const { security, merged } = ctx.config;
  const rows = Object.entries(security).map(([key, value]) => ({
    key,
    value,
    source: merged.originOf(['security', key]).file ?? 'default',
  }));
  if (values.json) {
    io.stdout(
      `${JSON.stringify({ restricted: ctx.config.restricted, settings: rows, registries: ctx.config.registries, findings: ctx.config.findings }, null, 2)}\n`,
    );
    return EXIT.ok;
  }
  io.stdout(`Effective security policy for ${ctx.projectDir}${ctx.config.restricted ? ' (restricted)' : ''}\n\n`);
  const width = Math.max(...rows.map((r) => r.key.length));
  for (const row of rows)
    io.stdout(`  ${row.key.padEnd(width)}  ${JSON.stringify(row.value)}  ${paint(io, 'dim', row.source)}\n`);
  if (ctx.config.registries.length > 0)
    io.stdout(
      `\nRegistries: ${ctx.config.registries.map((r) => `${r.name}${r.default ? ' (default)' : ''} ${r.url}`).join(', ')}\n`,
    );
  for (const finding of ctx.config.findings)
    io.stdout(
      `${paint(io, 'yellow', '⚠')} project config ${finding.message} (${finding.path.join('.')})${ctx.config.restricted ? ' — ignored in restricted mode' : ''}\n`,
    );
  return EXIT.ok;
}
