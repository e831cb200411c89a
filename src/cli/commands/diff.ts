import { execFile } from 'node:child_process';
import { stat, writeFile } from 'node:fs/promises';
import { relative, resolve } from 'node:path';
import { promisify } from 'node:util';
import { assertUsablePolicy, readConfigFile } from '../../core/config/load.ts';
import { globalConfigPath } from '../../core/config/paths.ts';
import { toSarif } from '../../core/workflows/diff/sarif.ts';
import { gitState, pathState, workingState } from '../../core/workflows/diff/state.ts';
import { describePolicyChange, trustDiff } from '../../core/workflows/diff/trust-diff.ts';
import type { PackageChange, PackageSide } from '../../core/workflows/diff/trust-diff.ts';
import { verifyWorkspace } from '../../core/verify/workspace.ts';
import { STATUS_LABEL } from '../../core/verify/verdict/vocabulary.ts';
import { COMMON, parse } from '../args.ts';
import { commandContext } from '../context.ts';
import { EXIT, paint } from '../io.ts';
import type { CliIo } from '../io.ts';

export const DIFF_HELP = `Usage: aam-trust diff [BASE] [--project DIR] [--restricted] [--json] [--sarif FILE]

Compares the project's trust picture with BASE: a git revision (default HEAD;
a branch such as main, a tag, a commit), or a folder or lock file holding
another state. Per package: added, removed, upgraded or downgraded, the signer
and signature kind before and after, and the verdict before and after under
the current policy; and the project policy's changes, with the packages each
trusts or stops trusting. The working tree is verified for real.

  --sarif FILE   also write the findings as SARIF 2.1.0 (code-scanning
                 annotations on the lock-file and config lines)
  --restricted   judge with only the project settings that tighten the global
                 policy (for CI runs on untrusted changes)

Exit status: 1 when the change introduces a failing package, a signer change,
a removed signature, a downgrade or a weaker policy; 0 otherwise; 2 on bad usage.`;

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
  const base = (await stat(asPath).then(
    () => true,
    () => false,
  ))
    ? await pathState(asPath)
    : await gitState(ctx.projectDir, baseArg);
  const head = await workingState(ctx.projectDir);
  const reports = await verifyWorkspace({
    workspace: ctx.workspace,
    config: ctx.config,
    verifier: ctx.verifier,
    cache: ctx.cache,
    homeDir: io.homeDir,
  });
  const globalConfig = await readConfigFile('global', globalConfigPath({ homeDir: io.homeDir, env: io.env }));
  const diff = trustDiff(base, head, { globalConfig, homeDir: io.homeDir, headReports: reports });
  if (values.sarif)
    await writeFile(
      resolve(io.cwd, values.sarif),
      `${JSON.stringify(toSarif(diff, head, await repoPrefix(ctx.projectDir)), null, 2)}\n`,
    );
  if (values.json) {
    io.stdout(`${JSON.stringify(diff, null, 2)}\n`);
    return diff.reasons.length > 0 ? EXIT.failed : EXIT.ok;
  }
  io.stdout(`Trust changes: ${diff.base} → ${diff.head} (${ctx.projectDir})\n`);
  const changed = diff.packages.filter((p) => p.change !== 'unchanged' || p.problems.length > 0);
  if (changed.length === 0) io.stdout(paint(io, 'dim', '  no package changes\n'));
  for (const pkg of changed) io.stdout(`${packageLines(io, pkg).join('\n')}\n`);
  if (diff.policy.length > 0) io.stdout('\nProject policy\n');
  for (const change of diff.policy)
    io.stdout(`  ${change.weaker ? paint(io, 'red', '✗') : paint(io, 'dim', '·')} ${describePolicyChange(change)}\n`);
  io.stdout(
    diff.reasons.length > 0
      ? `\n${paint(io, 'red', '✗')} ${diff.reasons.length} reason${diff.reasons.length === 1 ? '' : 's'} to look again: ${diff.reasons.join('; ')}\n`
      : `\n${paint(io, 'green', '✓')} nothing introduces a failing package, a signer change or a weaker policy\n`,
  );
  return diff.reasons.length > 0 ? EXIT.failed : EXIT.ok;
}

function packageLines(io: CliIo, pkg: PackageChange): string[] {
  const mark = pkg.problems.length > 0 ? paint(io, 'red', '✗') : paint(io, 'green', '✓');
  const versions =
    pkg.before && pkg.after ? `${pkg.before.version} → ${pkg.after.version}` : (pkg.after ?? pkg.before)!.version;
  const lines = [`  ${mark} ${paint(io, 'bold', pkg.name)}  ${pkg.change} ${versions}`];
  const word = (s: PackageSide | undefined, key: 'signer' | 'kind') => (s ? (s[key] ?? 'unknown') : '—');
  const status = (s: PackageSide | undefined) => (s?.status ? STATUS_LABEL[s.status] : s ? 'unknown' : '—');
  lines.push(`      signer:  ${word(pkg.before, 'signer')} → ${word(pkg.after, 'signer')}`);
  lines.push(`      kind:    ${word(pkg.before, 'kind')} → ${word(pkg.after, 'kind')}`);
  lines.push(`      verdict: ${status(pkg.before)} → ${status(pkg.after)}`);
  for (const problem of pkg.problems) lines.push(`      ${paint(io, 'red', problem.message)}`);
  return lines;
}

/** The project folder relative to the root of its git repository ('' at the root or outside git). */
async function repoPrefix(projectDir: string): Promise<string> {
  try {
    const { stdout } = await promisify(execFile)('git', ['-C', projectDir, 'rev-parse', '--show-toplevel']);
    return relative(stdout.trim(), projectDir).split('\\').join('/');
  } catch {
    return '';
  }
}
