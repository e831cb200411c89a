import { assertUsablePolicy } from '../../core/config/load.ts';
import { join } from 'node:path';
import { aamHome } from '../../core/aam-home.ts';
import { PRODUCT_VERSION } from '../../core/version.ts';
import { VerificationStore } from '../../core/verify/result-store.ts';
import { verifyWorkspace } from '../../core/verify/verify-installed.ts';
import { COMMON, parse } from '../args.ts';
import { commandContext } from '../context.ts';
import { EXIT, paint } from '../io.ts';
import type { CliIo } from '../io.ts';
import { reportToJson, summarize, verdictLines } from '../report.ts';

export const VERIFY_HELP = `Usage: aam-trust verify [--project DIR] [--global] [--offline] [--restricted] [--no-cache] [--json] [NAME...]

Verifies installed packages against the merged policy: archive checksum,
installed files, signature and trust policy. Results are kept in
~/.aam/cache/verified/; a package whose files, lock entry and trust material
are unchanged since is not verified again (the policy is always applied anew).

  --project DIR   the project (default: the current folder)
  --global        the packages installed in ~/.aam
  --offline       use only the offline evidence cache, never a registry
  --restricted    apply only project settings that tighten the global policy
                  (for CI runs on untrusted changes)
  --no-cache      verify everything from scratch, trusting no earlier result
  --json          machine-readable output

Exit status: 0 when nothing fails, 1 when something fails, 2 on bad usage.`;

export async function verifyCommand(io: CliIo, argv: string[]): Promise<number> {
  const { values, positionals } = parse('verify', argv, { ...COMMON, offline: { type: 'boolean' }, global: { type: 'boolean' }, restricted: { type: 'boolean' }, 'no-cache': { type: 'boolean' } });
  if (values.help) {
    io.stdout(`${VERIFY_HELP}\n`);
    return EXIT.ok;
  }
  const ctx = await commandContext(io, values);
  assertUsablePolicy(ctx.config);
  const reports = await verifyWorkspace({
    workspace: ctx.workspace,
    config: ctx.config,
    verifier: ctx.verifier,
    cache: ctx.cache,
    offline: values.offline ?? false,
    only: positionals.length > 0 ? positionals : undefined,
    store: new VerificationStore(join(aamHome(io.homeDir).cacheDir, 'verified'), PRODUCT_VERSION),
    force: values['no-cache'] ?? false,
    onNotice: (message) => io.stderr(`${paint(io, 'yellow', '⚠')} ${message}\n`),
  });
  const summary = summarize(reports);
  if (values.json) {
    io.stdout(`${JSON.stringify({ project: ctx.projectDir, restricted: ctx.config.restricted, findings: ctx.config.findings, packages: reports.map(reportToJson), summary }, null, 2)}\n`);
  } else {
    const files = ctx.config.files.filter((f) => f.exists).map((f) => f.path);
    io.stdout(`Verifying ${reports.length} package${reports.length === 1 ? '' : 's'} in ${ctx.projectDir}\n${paint(io, 'dim', `Policy: ${files.length > 0 ? files.join(' + ') : 'defaults (no config file)'}${ctx.config.restricted ? ' (restricted: only tightening project settings)' : ''}`)}\n`);
    for (const finding of ctx.config.findings) io.stdout(`${paint(io, 'yellow', '⚠')} project config ${finding.message} (${finding.path.join('.')})${ctx.config.restricted ? ' — ignored' : ''}\n`);
    for (const report of reports) io.stdout(`${verdictLines(io, `${report.name}@${report.version}`, report.verdict).join('\n')}\n`);
    io.stdout(`\n${summary.line}\n`);
  }
  return summary.failed > 0 ? EXIT.failed : EXIT.ok;
}
