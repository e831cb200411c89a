import { execFile } from 'node:child_process';
import { stat, writeFile } from 'node:fs/promises';
import { relative, resolve } from 'node:path';
import { promisify } from 'node:util';
import { AamError } from '../../core/errors.ts';
import { assertUsablePolicy, readConfigFile } from '../../core/config/load.ts';
import { globalConfigPath } from '../../core/config/paths.ts';
import { toSarif } from '../../core/workflows/diff/sarif.ts';
import { GIT_SAFE_CONFIG, gitState, isRevision, pathState, workingState } from '../../core/workflows/diff/state.ts';
import type { ProjectState } from '../../core/workflows/diff/state.ts';
import { describePolicyChange, trustDiff } from '../../core/workflows/diff/trust-diff.ts';
import { recordedDelegations } from '../../core/workflows/diff/recorded-delegations.ts';
import type { PackageChange, PackageSide } from '../../core/workflows/diff/trust-diff.ts';
import { verifyWorkspace } from '../../core/verify/workspace.ts';
import { STATUS_LABEL } from '../../core/verify/verdict/vocabulary.ts';
import { contentDiff } from '../../core/workflows/diff/content-diff.ts';
import type { PackageContentChange } from '../../core/workflows/diff/content-diff.ts';
import { lineChanges, unifiedDiff } from '../../core/workflows/review/text-diff.ts';
import { hiddenMessage } from '../../core/content/describe.ts';
import { COMMON, parse } from '../args.ts';
import { commandContext } from '../context.ts';
import type { CommandContext } from '../context.ts';
import { diffLines } from '../review.ts';
import { EXIT, oneLine, paint } from '../io.ts';
import type { CliIo } from '../io.ts';

export const DIFF_HELP = `Usage: aam-trust diff [BASE] [--project DIR] [--restricted] [--json] [--sarif FILE]

Compares the project's trust picture with BASE: a git revision (default HEAD;
a branch such as main, a tag, a commit), or a folder or lock file holding
another state. Per package: added, removed, upgraded or downgraded, the signer
and signature kind before and after, and the verdict before and after under
the current policy; what agents would load differently (each deployed file,
per platform, as aam install writes it from the base's archive and the
head's, diffed, with any hidden content in the new text); and the project
policy's changes, with the packages each trusts or stops trusting. The working
tree is verified for real.

  --sarif FILE   also write the findings as SARIF 2.1.0 (code-scanning
                 annotations on the lock-file and config lines)
  --restricted   judge with only the project settings that tighten the global
                 policy (for CI runs on untrusted changes)

Exit status: 1 when the change introduces a failing package (a copy agents load
edited in place fails as tampered, as verify says), a signer change, a removed
signature, a downgrade or a weaker policy; 0 otherwise; 2 on bad usage.`;

export async function diffCommand(io: CliIo, argv: string[]): Promise<number> {
  const { values, positionals } = parse('diff', argv, {
    ...COMMON,
    sarif: { type: 'string' },
    restricted: { type: 'boolean' },
  });
  if (values.help) {
    io.stdout(`${DIFF_HELP}\n`);
    return EXIT.ok;
  }
  const ctx = await commandContext(io, values);
  assertUsablePolicy(ctx.config);
  const baseArg = positionals[0] ?? 'HEAD';
  const asPath = resolve(io.cwd, baseArg);
  const isPath = await stat(asPath).then(
    () => true,
    () => false,
  );
  // As git says "ambiguous argument": a repository can hold a folder named like the revision a CI job compares with.
  if (isPath && (await isRevision(ctx.projectDir, baseArg)))
    throw new AamError('USAGE', `"${baseArg}" is both a git revision and a path (${asPath}).`, {
      hint: `Name the folder as ./${baseArg}, or the revision unambiguously (refs/heads/${baseArg}, or a commit as ${baseArg}^{commit}).`,
    });
  const base = isPath ? await pathState(asPath) : await gitState(ctx.projectDir, baseArg);
  const { head, diff, content } = await trustChanges(ctx, io, base);
  if (values.sarif)
    await writeFile(
      resolve(io.cwd, values.sarif),
      `${JSON.stringify(toSarif(diff, head, await repoPrefix(ctx.projectDir), { changes: content, projectRoot: ctx.projectDir }), null, 2)}\n`,
    );
  if (values.json) {
    const files = content.map((pkg) => ({
      name: pkg.name,
      unavailable: pkg.unavailable ?? null,
      files: pkg.files.map((f) => ({
        platform: f.platform,
        path: relTo(ctx.projectDir, f.path),
        change: f.change,
        ...lineChanges(f),
        hidden: f.hidden,
        diff: unifiedDiff(f, relTo(ctx.projectDir, f.path)),
      })),
    }));
    io.stdout(`${JSON.stringify({ ...diff, content: files }, null, 2)}\n`);
    return diff.reasons.length > 0 ? EXIT.failed : EXIT.ok;
  }
  io.stdout(`Trust changes: ${diff.base} → ${diff.head} (${ctx.projectDir})\n`);
  const changed = diff.packages.filter((p) => p.change !== 'unchanged' || p.problems.length > 0);
  if (changed.length === 0) io.stdout(paint(io, 'dim', '  no package changes\n'));
  for (const pkg of changed) io.stdout(`${packageLines(io, pkg).join('\n')}\n`);
  io.stdout(contentLines(io, content, ctx.projectDir).join('\n'));
  if (diff.policy.length > 0) io.stdout('\nProject policy\n');
  for (const change of diff.policy)
    io.stdout(
      `  ${change.weaker ? paint(io, 'red', '✗') : paint(io, 'dim', '·')} ${oneLine(describePolicyChange(change))}\n`,
    );
  io.stdout(
    diff.reasons.length > 0
      ? `\n${paint(io, 'red', '✗')} ${diff.reasons.length} reason${diff.reasons.length === 1 ? '' : 's'} to look again: ${oneLine(diff.reasons.join('; '))}\n`
      : `\n${paint(io, 'green', '✓')} nothing introduces a failing package, a signer change or a weaker policy\n`,
  );
  return diff.reasons.length > 0 ? EXIT.failed : EXIT.ok;
}

/**
 * The trust picture's changes from a base state to the project's working tree, which is verified for real:
 * per package, the policy's changes, and what agents would load differently. `diff.reasons` says what fails.
 */
export async function trustChanges(ctx: CommandContext, io: CliIo, base: ProjectState) {
  const head = await workingState(ctx.projectDir);
  const reports = await verifyWorkspace({
    workspace: ctx.workspace,
    config: ctx.config,
    verifier: ctx.verifier,
    cache: ctx.cache,
    homeDir: io.homeDir,
  });
  const globalConfig = await readConfigFile('global', globalConfigPath({ homeDir: io.homeDir, env: io.env }));
  const baseDelegations = await recordedDelegations(base, {
    verifier: ctx.verifier,
    cacheDir: ctx.cache.dir,
    registries: ctx.config.registries,
  });
  const diff = trustDiff(base, head, {
    globalConfig,
    homeDir: io.homeDir,
    headReports: reports,
    baseDelegations,
    policy: ctx.config.security,
  });
  const content = await contentDiff(base, head, {
    workspace: ctx.workspace,
    config: ctx.config,
    cache: ctx.cache,
    homeDir: io.homeDir,
  });
  // Content that could not be compared is not content that did not change: the gate does not pass on it.
  for (const pkg of content)
    if (pkg.unavailable) diff.reasons.push(`${pkg.name}: what agents would load was not compared (${pkg.unavailable})`);
  if (ctx.config.security.hidden_content === 'error')
    for (const pkg of content)
      for (const file of pkg.files)
        for (const item of file.hidden)
          diff.reasons.push(`${pkg.name}: ${relTo(ctx.projectDir, file.path)}: ${hiddenMessage(item)}`);
  return { head, diff, content };
}

function packageLines(io: CliIo, pkg: PackageChange): string[] {
  const mark = pkg.problems.length > 0 ? paint(io, 'red', '✗') : paint(io, 'green', '✓');
  const versions =
    pkg.before && pkg.after ? `${pkg.before.version} → ${pkg.after.version}` : (pkg.after ?? pkg.before)!.version;
  const lines = [`  ${mark} ${paint(io, 'bold', oneLine(pkg.name))}  ${pkg.change} ${oneLine(versions)}`];
  const word = (s: PackageSide | undefined, key: 'signer' | 'kind') => (s ? oneLine(s[key] ?? 'unknown') : '—');
  const status = (s: PackageSide | undefined) => (s?.status ? STATUS_LABEL[s.status] : s ? 'unknown' : '—');
  const several = (pkg.before?.signers.length ?? 0) > 1 || (pkg.after?.signers.length ?? 0) > 1;
  lines.push(`      ${several ? 'signers:' : 'signer: '} ${word(pkg.before, 'signer')} → ${word(pkg.after, 'signer')}`);
  for (const added of pkg.signerChange?.added ?? []) lines.push(`        + ${oneLine(added)} (signer added)`);
  for (const removed of pkg.signerChange?.removed ?? []) lines.push(`        − ${oneLine(removed)} (signer gone)`);
  lines.push(`      kind:    ${word(pkg.before, 'kind')} → ${word(pkg.after, 'kind')}`);
  for (const delegation of pkg.after?.delegations ?? []) lines.push(`      through: ${oneLine(delegation)}`);
  lines.push(`      verdict: ${status(pkg.before)} → ${status(pkg.after)}`);
  for (const problem of pkg.problems) lines.push(`      ${paint(io, 'red', oneLine(problem.message))}`);
  return lines;
}

/** The project folder relative to the root of its git repository ('' at the root or outside git). */
async function repoPrefix(projectDir: string): Promise<string> {
  try {
    const { stdout } = await promisify(execFile)('git', [
      ...GIT_SAFE_CONFIG,
      '-C',
      projectDir,
      'rev-parse',
      '--show-toplevel',
    ]);
    return relative(stdout.trim(), projectDir).split('\\').join('/');
  } catch {
    return '';
  }
}

function relTo(root: string, path: string): string {
  return path.startsWith(`${root}/`) ? path.slice(root.length + 1) : path;
}

/** What agents would load differently, package by package: each changed file, its diff, its hidden content. */
function contentLines(io: CliIo, content: readonly PackageContentChange[], root: string): string[] {
  const lines: string[] = [];
  for (const pkg of content) {
    lines.push('', paint(io, 'bold', `What agents load from ${oneLine(pkg.name)}`));
    if (pkg.unavailable) lines.push(`  ${paint(io, 'yellow', '?')} not compared: ${oneLine(pkg.unavailable)}`);
    else if (pkg.files.length === 0) lines.push(paint(io, 'dim', '  no file agents load changes'));
    for (const file of pkg.files) {
      const { added, removed } = lineChanges(file);
      lines.push(
        `  ${file.platform.padEnd(8)} ${file.change.padEnd(9)} ${oneLine(relTo(root, file.path))} (+${added} −${removed})`,
      );
      for (const item of file.hidden)
        lines.push(
          `    ${paint(io, 'yellow', '⚠')} ${item.start.line + 1}:${item.start.character + 1} ${hiddenMessage(item)}`,
        );
    }
    for (const file of pkg.files) lines.push('', ...diffLines(file, relTo(root, file.path)).map((l) => `  ${l}`));
  }
  return lines.length > 0 ? [...lines, ''] : [];
}
