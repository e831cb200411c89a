import { join } from 'node:path';
import { aamHome } from '../../core/aam-home.ts';
import { editConfigFile } from '../../core/config/edit.ts';
import { formatDiagnostic } from '../../core/config/diagnostics.ts';
import { blockingDiagnostics } from '../../core/config/load.ts';
import { assertProjectConfigWritable } from '../../core/config/project-write.ts';
import {
  describeMatch,
  isLevelName,
  levelNamed,
  matchLevel,
  TRUST_LEVELS,
  valueText,
} from '../../core/config/levels.ts';
import { globalConfigPath, projectConfigPath } from '../../core/config/paths.ts';
import { AamError } from '../../core/errors.ts';
import { readRegularFile } from '../../core/fs/safe-read.ts';
import { exists } from '../../core/fs/exists.ts';
import { planLevel } from '../../core/verify/verdict/level-plan.ts';
import type { LevelPlan } from '../../core/verify/verdict/level-plan.ts';
import { STATUS_LABEL } from '../../core/verify/verdict/vocabulary.ts';
import { VerificationStore } from '../../core/verify/store/result-store.ts';
import { verifyWorkspace } from '../../core/verify/workspace.ts';
import { PRODUCT_VERSION } from '../../core/version.ts';
import { COMMON, parse } from '../args.ts';
import { commandContext } from '../context.ts';
import type { CommandContext } from '../context.ts';
import { EXIT, paint } from '../io.ts';
import type { CliIo } from '../io.ts';

export const LEVEL_HELP = `Usage: aam-trust policy level [minimal|moderate|strict|maximum] [--in project|global] [--yes]
                              [--project DIR] [--json]

Without a level: the level the policy in effect is, or "custom" and the
nearest level, and the keys each level sets. With a level: exactly which keys
it sets in the chosen config file (global by default), and what that would do
to the installed packages (the what-if, from their last checks). Writes only
with --yes, and then only those keys: comments and other keys stay. Whom to
trust is never written; a level that needs trust lists says so.

  --in project|global   which config file (default: global)
  --yes                 write it`;

export async function levelCommand(io: CliIo, argv: string[]): Promise<number> {
  const { values, positionals } = parse('policy level', argv, {
    ...COMMON,
    in: { type: 'string' },
    yes: { type: 'boolean' },
  });
  if (values.help) {
    io.stdout(`${LEVEL_HELP}\n`);
    return EXIT.ok;
  }
  const layer = values.in ?? 'global';
  const [name, ...extra] = positionals;
  if (extra.length > 0 || (name !== undefined && !isLevelName(name)) || (layer !== 'project' && layer !== 'global'))
    throw new AamError(
      'USAGE',
      'policy level takes one of minimal, moderate, strict, maximum, and --in project|global.',
      {
        hint: LEVEL_HELP,
      },
    );
  const ctx = await commandContext(io, values);
  if (name === undefined) return show(io, ctx, values.json ?? false);
  const global = globalConfigPath({ homeDir: io.homeDir, env: io.env });
  const path = layer === 'project' ? projectConfigPath(ctx.projectDir) : global;
  if (layer === 'project' && values.yes) await assertProjectConfigWritable(ctx.projectDir, global);
  const text = (await readRegularFile(path, 'config', { followLinks: layer === 'global' }))?.toString('utf8') ?? '';
  const plan = planLevel(levelNamed(name), ctx.config, { path, text }, await installedReports(ctx, io), io.homeDir);
  const write = values.yes === true && plan.keys.some((k) => k.changes);
  if (write)
    await editConfigFile(
      path,
      plan.keys.filter((k) => k.changes).map((k) => ({ op: 'set', path: ['security', k.key], value: k.to })),
    );
  if (values.json) {
    io.stdout(`${JSON.stringify(planJson(plan, values.yes === true), null, 2)}\n`);
    return EXIT.ok;
  }
  printPlan(io, plan, ctx.projectDir);
  if (values.yes)
    io.stdout(
      `${paint(io, 'green', '✓')} ${plan.level.label} set in ${path}${write ? ' (comments and other keys kept)' : ' (it already was)'}\n`,
    );
  else io.stdout('Nothing written: run again with --yes to apply.\n');
  return EXIT.ok;
}

/** The installed packages' last verdicts (stored results are reused; nothing is recorded). */
async function installedReports(ctx: CommandContext, io: CliIo) {
  if (!(await exists(ctx.workspace.lockFile))) return [];
  return verifyWorkspace({
    workspace: ctx.workspace,
    config: ctx.config,
    verifier: ctx.verifier,
    cache: ctx.cache,
    store: new VerificationStore(join(aamHome(io.homeDir).cacheDir, 'verified'), PRODUCT_VERSION),
    homeDir: io.homeDir,
  });
}

function show(io: CliIo, ctx: CommandContext, json: boolean): number {
  const match = matchLevel(ctx.config.merged);
  // A policy verification refuses is at no level: say so, and fail as verify would.
  const errors = blockingDiagnostics(ctx.config).map(({ file, diagnostic }) => formatDiagnostic(file, diagnostic));
  const exit = errors.length > 0 ? EXIT.failed : EXIT.ok;
  if (json) {
    io.stdout(
      `${JSON.stringify(
        {
          level: match.kind === 'level' ? match.level.name : 'custom',
          nearest: match.kind === 'custom' ? match.nearest.name : undefined,
          differences: match.kind === 'custom' ? match.differences : [],
          unmet: match.kind === 'level' ? match.unmet : [],
          errors,
          levels: TRUST_LEVELS.map((l) => ({ name: l.name, summary: l.summary, keys: l.keys })),
        },
        null,
        2,
      )}\n`,
    );
    return exit;
  }
  io.stdout(`Trust level in effect for ${ctx.projectDir}: ${paint(io, 'bold', describeMatch(match))}\n`);
  if (errors.length > 0)
    io.stdout(
      `${paint(io, 'red', '✗')} The policy has errors, so verification refuses it (these settings count for nothing here):\n${errors.map((e) => `  ${e}\n`).join('')}`,
    );
  if (match.kind === 'level') for (const line of match.unmet) io.stdout(`${paint(io, 'yellow', '⚠')} ${line}\n`);
  io.stdout('\nLevels (aam-trust policy level LEVEL [--in project|global] --yes):\n');
  for (const level of TRUST_LEVELS) {
    io.stdout(`  ${level.name.padEnd(9)} ${level.summary} (${level.useCase})\n`);
    io.stdout(paint(io, 'dim', `            ${keysText(level.keys)}\n`));
  }
  return exit;
}

function keysText(keys: Readonly<Record<string, unknown>>): string {
  return Object.entries(keys)
    .map(([key, value]) => `${key}: ${valueText(value)}`)
    .join(', ');
}

function printPlan(io: CliIo, plan: LevelPlan, projectDir: string): void {
  io.stdout(`${paint(io, 'bold', plan.level.label)} — ${plan.level.summary} (${plan.level.useCase})\n`);
  io.stdout(`Sets in ${plan.file}:\n`);
  const width = Math.max(...plan.keys.map((k) => `${k.key}: ${valueText(k.to)}`.length));
  for (const k of plan.keys) {
    const set = `${k.key}: ${valueText(k.to)}`.padEnd(width);
    const note = !k.changes
      ? 'already set in this file'
      : k.effective === k.to
        ? 'already in effect; now written in this file'
        : `now ${valueText(k.effective)}`;
    io.stdout(`  ${set}  ${paint(io, 'dim', `(${note})`)}\n`);
  }
  const { whatIf } = plan;
  io.stdout(`\nIf applied, in ${projectDir}: ${whatIf.summary}\n`);
  for (const c of whatIf.changes) {
    const symbol = c.afterOutcome === 'fail' ? '✗' : c.afterOutcome === 'warn' ? '⚠' : '✓';
    io.stdout(
      `  ${symbol} ${c.name}@${c.version}: ${STATUS_LABEL[c.before.status]} (${c.beforeOutcome}) → ${STATUS_LABEL[c.after.status]} (${c.afterOutcome})\n`,
    );
  }
  for (const line of plan.unmet) io.stdout(`${paint(io, 'yellow', '⚠')} ${line}\n`);
  if (plan.after.kind === 'custom' || plan.after.level !== plan.level)
    io.stdout(
      `${paint(io, 'yellow', '⚠')} In effect in ${projectDir} afterwards: ${describeMatch(plan.after)} — the other config file overrides it.\n`,
    );
}

function planJson(plan: LevelPlan, written: boolean): Record<string, unknown> {
  return {
    level: plan.level.name,
    file: plan.file,
    written,
    keys: plan.keys,
    what_if: {
      summary: plan.whatIf.summary,
      changes: plan.whatIf.changes.map((c) => ({
        name: c.name,
        version: c.version,
        before: c.before.status,
        after: c.after.status,
        outcome_before: c.beforeOutcome,
        outcome_after: c.afterOutcome,
        message: c.after.message,
      })),
      unknown: plan.whatIf.unknown,
    },
    after: plan.after.kind === 'level' ? plan.after.level.name : 'custom',
    unmet: plan.unmet,
  };
}
