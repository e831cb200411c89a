import { assertUsablePolicy } from '../../core/config/load.ts';
import { didYouMean } from '../../core/config/suggest.ts';
import { AamError } from '../../core/errors.ts';
import { isValidPackageName } from '../../core/model/names.ts';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { aamHome } from '../../core/aam-home.ts';
import { PRODUCT_VERSION } from '../../core/version.ts';
import { VerificationStore } from '../../core/verify/store/result-store.ts';
import { readLock } from '../../core/verify/store/reuse.ts';
import type { LostSetting } from '../../core/verify/store/policy-memory.ts';
import type { LockRead } from '../../core/verify/store/reuse.ts';
import { verifyWorkspace } from '../../core/verify/workspace.ts';
import { ageOf, VerifiedLedger } from '../../core/verify/cached-verification.ts';
import { COMMON, parse } from '../args.ts';
import { commandContext } from '../context.ts';
import { EXIT, paint } from '../io.ts';
import type { CliIo } from '../io.ts';
import type { PackageReport } from '../../core/verify/workspace.ts';
import { reportLines, reportToJson, summarize } from '../report.ts';

export const VERIFY_HELP = `Usage: aam-trust verify [--project DIR] [--global] [--offline] [--restricted] [--no-cache]
                        [--use-cached-verification] [--json] [NAME...]

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
  --use-cached-verification
                  a package whose evidence cannot be reached now (its registry
                  down, nothing in the evidence cache) is judged by this
                  machine's earlier verification of the same archive, and
                  says how old that is; its installed files are still checked
                  against the lock file
  --acknowledge-policy
                  stop warning about trust entries the policy lost since an
                  earlier verification (a tool that rewrites the config, such
                  as "aam config set", drops keys it does not know)
  --json          machine-readable output

Exit status: 0 when nothing fails, 1 when something fails, 2 on bad usage.`;

/**
 * Names asked for that are not valid package names or not installed: a
 * verification of nothing must not pass, or a CI gate on "verify NAME"
 * passes as soon as a change renames the entry.
 */
function namesNotInstalled(
  names: readonly string[],
  lockFile: string,
  lock: LockRead | undefined,
): { message: string; hint: string; names: string[] } | undefined {
  if (names.length === 0) return undefined;
  const invalid = names.filter((name) => !isValidPackageName(name));
  if (invalid.length > 0) {
    return {
      names: invalid,
      message: `${invalid.map((n) => JSON.stringify(n)).join(', ')} ${invalid.length === 1 ? 'is not a valid package name' : 'are not valid package names'}.`,
      hint: 'Package names are "name" or "@scope/name" (lowercase letters, digits, hyphens).',
    };
  }
  const installed = lock?.lock.names ?? [];
  const missing = names.filter((name) => !installed.includes(name));
  if (missing.length === 0) return undefined;
  const near = missing.flatMap((name) => didYouMean(name, installed) ?? []);
  return {
    names: missing,
    message: `${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not installed in ${lockFile}.`,
    hint:
      near.length > 0
        ? `Did you mean ${near.join(', ')}?`
        : installed.length > 0
          ? `Installed: ${installed.slice(0, 10).join(', ')}${installed.length > 10 ? ', …' : ''}.`
          : 'Nothing is installed there.',
  };
}

export async function verifyCommand(io: CliIo, argv: string[]): Promise<number> {
  const { values, positionals } = parse('verify', argv, {
    ...COMMON,
    offline: { type: 'boolean' },
    global: { type: 'boolean' },
    restricted: { type: 'boolean' },
    'no-cache': { type: 'boolean' },
    'acknowledge-policy': { type: 'boolean' },
    'use-cached-verification': { type: 'boolean' },
  });
  if (values.help) {
    io.stdout(`${VERIFY_HELP}\n`);
    return EXIT.ok;
  }
  // Only a run over every package needs it (see there). A run for a few names leaves V8's flags as they
  // are: the launcher's cache of openpgp.js, loaded mid-run, is only accepted under the flags it was made with.
  const bound = positionals.length === 0;
  if (bound) boundYoungGeneration(true);
  try {
    const ctx = await commandContext(io, values);
    assertUsablePolicy(ctx.config);
    // Names asked for are looked up in the lock file, and the verification takes it as read.
    const lockRead = positionals.length > 0 ? await readLock(ctx.workspace.lockFile) : undefined;
    const unknown = namesNotInstalled(positionals, ctx.workspace.lockFile, lockRead);
    if (unknown) {
      if (!values.json) throw new AamError('USAGE', unknown.message, { hint: unknown.hint });
      io.stdout(
        `${JSON.stringify({ project: ctx.projectDir, error: { code: 'USAGE', message: unknown.message, hint: unknown.hint, names: unknown.names } }, null, 2)}\n`,
      );
      return EXIT.usage;
    }
    const { reports, lost } = await verifyStored(io, ctx, {
      offline: values.offline ?? false,
      only: positionals.length > 0 ? positionals : undefined,
      force: values['no-cache'] ?? false,
      useCachedVerification: values['use-cached-verification'] ?? false,
      acknowledgePolicy: values['acknowledge-policy'] ?? false,
      lockRead,
    });
    for (const report of reports) {
      const cached = report.checks.cached;
      if (cached) io.stderr(cachedLine(io, `${report.name}@${report.version}`, cached));
    }
    const summary = summarize(reports);
    if (values.json) {
      await writeJson(
        io,
        {
          project: ctx.projectDir,
          restricted: ctx.config.restricted,
          findings: ctx.config.findings,
          policy_lost: lost,
        },
        reports,
        summary,
      );
    } else {
      const files = ctx.config.files.filter((f) => f.exists).map((f) => f.path);
      io.stdout(
        `Verifying ${reports.length} package${reports.length === 1 ? '' : 's'} in ${ctx.projectDir}\n${paint(io, 'dim', `Policy: ${files.length > 0 ? files.join(' + ') : 'defaults (no config file)'}${ctx.config.restricted ? ' (restricted: only tightening project settings)' : ''}`)}\n`,
      );
      for (const finding of ctx.config.findings)
        io.stdout(
          `${paint(io, 'yellow', '⚠')} project config ${finding.message} (${finding.path.join('.')})${ctx.config.restricted ? ' — ignored' : ''}\n`,
        );
      for (const l of lost)
        io.stdout(
          `${paint(io, 'yellow', '⚠')} since an earlier verification the policy lost ${l.now === undefined ? `${l.key} entry "${l.was}"` : `${l.key}: ${l.was} (now ${l.now})`}, which was in ${l.file ?? 'the defaults'}\n`,
        );
      if (lost.length > 0)
        io.stdout(
          paint(
            io,
            'dim',
            `  (a tool that rewrites the config, such as "aam config set", may have dropped it; add it back, or run with --acknowledge-policy to stop this warning)\n`,
          ),
        );
      for (const report of reports) {
        io.stdout(`${reportLines(io, report).join('\n')}\n`);
        await io.stdoutDrained?.();
      }
      io.stdout(`\n${summary.line}\n`);
    }
    return summary.failed > 0 ? EXIT.failed : EXIT.ok;
  } finally {
    if (bound) boundYoungGeneration(false);
  }
}

/**
 * V8 grows the young generation with the allocation rate, up to 64 MB a
 * semi-space: verifying 10,000 packages took this thread's to 128 MB, a
 * quarter of the run's peak RSS. The CLI keeps it at its start size (here
 * and in the worker threads started after, as the setting is the process's):
 * more, smaller scavenges, CPU within the measurements' spread; the old
 * generation grows as it must. Not in the extension host, which is VS
 * Code's process, not ours.
 */
function boundYoungGeneration(bound: boolean): void {
  // Set back to V8's default after: the code cache dist/cli.js makes at exit carries a hash of
  // the flags, and one made under this setting would be rejected by the next run.
  setFlagsFromString(`--semi-space-growth-factor=${bound ? 1 : 2}`);
}

/** What --use-cached-verification says of a package it judged by this machine's earlier verification. */
export function cachedLine(io: CliIo, label: string, cached: { at: string; reason: string }): string {
  return `${paint(io, 'yellow', '⚠')} ${label}: judged by this machine's verification of ${cached.at} (${ageOf(cached.at)} old), because ${cached.reason.replace(/^The /, 'the ')}\n`;
}

/**
 * The verification with its result store and ledger, which hold every
 * package's evidence: they are let go once it is stored, before the reports
 * are written (10,000 packages: ~90 MB of results).
 */
async function verifyStored(
  io: CliIo,
  ctx: Awaited<ReturnType<typeof commandContext>>,
  options: {
    offline: boolean;
    only: string[] | undefined;
    force: boolean;
    useCachedVerification: boolean;
    acknowledgePolicy: boolean;
    lockRead: LockRead | undefined;
  },
): Promise<{ reports: PackageReport[]; lost: readonly LostSetting[] }> {
  const storeDir = join(aamHome(io.homeDir).cacheDir, 'verified');
  const store = new VerificationStore(storeDir, PRODUCT_VERSION, true);
  try {
    const reports = await verifyWorkspace({
      workspace: ctx.workspace,
      config: ctx.config,
      verifier: ctx.verifier,
      cache: ctx.cache,
      offline: options.offline,
      only: options.only,
      store,
      force: options.force,
      onNotice: (message) => io.stderr(`${paint(io, 'yellow', '⚠')} ${message}\n`),
      homeDir: io.homeDir,
      recordSigners: true,
      ledger: new VerifiedLedger(storeDir),
      useCachedVerification: options.useCachedVerification,
      lockRead: options.lockRead,
    });
    const lost = store.lost(ctx.workspace.lockFile);
    if (options.acknowledgePolicy && lost.length > 0) {
      store.acknowledgeLost(ctx.workspace.lockFile);
      await store.save();
    }
    return { reports, lost };
  } finally {
    store.dispose();
  }
}

/**
 * The JSON report, written a package at a time: the text is what
 * `JSON.stringify({...head, packages, summary}, null, 2)` gives, without
 * holding every package's JSON and the whole text at once (10,000 packages
 * are tens of megabytes).
 */
async function writeJson(
  io: CliIo,
  head: Record<string, unknown>,
  reports: readonly PackageReport[],
  summary: unknown,
): Promise<void> {
  const marker = '\u0000packages\u0000';
  const [before, after] = JSON.stringify({ ...head, packages: marker, summary }, null, 2).split(JSON.stringify(marker));
  if (reports.length === 0) {
    io.stdout(`${before}[]${after}\n`);
    return;
  }
  // Written some 16 kB at a time (well within a pipe's buffer): a write a package is a system call and a
  // wake-up of the reader each, a thousand of them for 1,000 packages.
  let text = `${before}[`;
  for (const [i, report] of reports.entries()) {
    text += `${i === 0 ? '' : ','}\n    ${JSON.stringify(reportToJson(report), null, 2).replaceAll('\n', '\n    ')}`;
    if (text.length < 16384) continue;
    io.stdout(text);
    text = '';
    // A reader slower than this (a pipe) would otherwise leave the whole text queued in memory.
    await io.stdoutDrained?.();
  }
  io.stdout(`${text}\n  ]${after}\n`);
}
