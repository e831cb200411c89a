import { join } from 'node:path';
import { aamHome } from '../../core/aam-home.ts';
import { assertUsablePolicy } from '../../core/config/load.ts';
import { VerifiedLedger } from '../../core/verify/cached-verification.ts';
import { AamError } from '../../core/errors.ts';
import { assertSameSourceAsAam } from '../../core/workflows/install/aam-source.ts';
import { installPackages, installReviewed, NO_VERIFY_WARNING } from '../../core/workflows/install/install.ts';
import type { InstallOptions } from '../../core/workflows/install/install.ts';
import { reviewUpdate } from '../../core/workflows/review/review.ts';
import { hiddenLine } from '../../core/content/describe.ts';
import { reviewLines } from '../review.ts';
import { PLATFORMS } from '../../core/model/platform.ts';
import type { Platform } from '../../core/model/platform.ts';
import { findRegistry } from '../../core/registry/open.ts';
import { COMMON, parse } from '../args.ts';
import { commandContext } from '../context.ts';
import { EXIT, paint } from '../io.ts';
import type { CliIo } from '../io.ts';
import { findingLines, verdictLines } from '../report.ts';
import { cachedLine } from './verify.ts';

export const INSTALL_HELP = `Usage: aam-trust install NAME[@VERSION]|FILE.aam... [--registry NAME] [--platform P] [--no-deploy]
                         [--project DIR] [--global] [--force] [--no-verify] [--use-cached-verification]
                         [--review [--yes]] [--json]

Installs packages (and their dependencies) from a registry, or .aam files
(with a signature beside them: FILE.aam.sigstore.json or FILE.aam.asc), into
.aam/packages/, verifying each against the policy first, and deploys them to
the agent platforms exactly as "aam install" does. If any package fails
verification, nothing is installed.

  --platform P   deploy to P (cursor, claude, copilot, codex) instead of the
                 config's default_platform and active_platforms
  --no-deploy    install into .aam/packages/ only
  --review       show what agents would load differently first — every
                 deployed file, per platform, diffed against what is there now,
                 with the trust changes (signer, signature, attestation,
                 approvals) and any hidden content — then ask before installing;
                 nothing is written unless you answer yes (or pass --yes)
  --accept-signer-change
                 install even when a package is signed by another signer than
                 .aam/trust-record.yaml records, is unsigned where it was
                 signed, or is a lower version — and record that
  --no-verify    install without verifying signatures or the trust policy
                 (not recommended; the checksum is still checked). Recorded in
                 .aam/trust-record.yaml: every verification shows the package
                 as "installed without verification" (a failure under Strict
                 and Maximum) until "aam-trust accept NAME". Refused with
                 --restricted.
  --use-cached-verification
                 a package whose evidence cannot be reached now (its registry
                 down or failing: the archive, then taken from the evidence
                 cache and still checked against its checksum, or its
                 signatures) is judged by this machine's earlier verification
                 of the same archive, and says how old that is; refused when
                 there is none`;

export async function installCommand(io: CliIo, argv: string[]): Promise<number> {
  const { values, positionals } = parse('install', argv, {
    ...COMMON,
    registry: { type: 'string' },
    global: { type: 'boolean' },
    force: { type: 'boolean' },
    restricted: { type: 'boolean' },
    platform: { type: 'string', multiple: true },
    'no-deploy': { type: 'boolean' },
    'accept-signer-change': { type: 'boolean' },
    review: { type: 'boolean' },
    yes: { type: 'boolean', short: 'y' },
    'no-verify': { type: 'boolean' },
    'use-cached-verification': { type: 'boolean' },
  });
  if (values.help) {
    io.stdout(`${INSTALL_HELP}\n`);
    return EXIT.ok;
  }
  if (positionals.length === 0)
    throw new AamError('USAGE', 'install needs at least one package name.', {
      hint: 'aam-trust install @author/my-package',
    });
  const ctx = await commandContext(io, values);
  assertUsablePolicy(ctx.config);
  const fromRegistry = positionals.some((spec) => !spec.endsWith('.aam'));
  const registry =
    fromRegistry || values.registry
      ? findRegistry(ctx.config.registries, values.registry, { homeDir: io.homeDir, env: io.env })
      : undefined;
  if (registry && values.registry === undefined)
    await assertSameSourceAsAam(
      ctx.config.registries,
      registry.name,
      positionals.filter((spec) => !spec.endsWith('.aam')),
      { homeDir: io.homeDir, env: io.env },
    );
  const unknown = (values.platform ?? []).filter((p) => !(PLATFORMS as readonly string[]).includes(p));
  if (unknown.length > 0)
    throw new AamError('USAGE', `Unknown platform ${unknown.map((p) => JSON.stringify(p)).join(', ')}.`, {
      hint: `Platforms: ${PLATFORMS.join(', ')}.`,
    });
  if (values['no-verify'] && values.review)
    throw new AamError('USAGE', '--review and --no-verify do not go together: a review verifies what it shows.');
  if (values['no-verify'] && values['use-cached-verification'])
    throw new AamError(
      'USAGE',
      '--use-cached-verification and --no-verify do not go together: one judges by an earlier verification, the other by none.',
    );
  if (values['no-verify'] && !ctx.config.restricted) io.stderr(`${paint(io, 'yellow', '⚠')} ${NO_VERIFY_WARNING}\n`);
  const options: InstallOptions = {
    workspace: ctx.workspace,
    config: ctx.config,
    registry,
    verifier: ctx.verifier,
    cache: ctx.cache,
    force: values.force ?? false,
    platforms: values['no-deploy'] ? [] : (values.platform as Platform[] | undefined),
    homeDir: io.homeDir,
    acceptChanges: values['accept-signer-change'] ?? false,
    noVerify: values['no-verify'] ?? false,
    ledger: new VerifiedLedger(join(aamHome(io.homeDir).cacheDir, 'verified')),
    useCachedVerification: values['use-cached-verification'] ?? false,
    onStep: values.json ? undefined : (message) => io.stdout(`${message}...\n`),
  };
  const installed = values.review
    ? await reviewThenInstall(io, positionals, options, values.yes ?? false)
    : await installPackages(positionals, options);
  if (installed === undefined) return EXIT.ok;
  for (const item of installed) if (item.cached) io.stderr(cachedLine(io, `${item.name}@${item.version}`, item.cached));
  if (values.json) {
    io.stdout(
      `${JSON.stringify({ installed: installed.map((i) => ({ name: i.name, version: i.version, status: i.verdict.status, action: i.verdict.action, code: i.verdict.code, message: i.verdict.message, findings: i.findings })) }, null, 2)}\n`,
    );
    return EXIT.ok;
  }
  if (installed.length === 0) io.stdout('Everything is already installed.\n');
  for (const item of installed) {
    io.stdout(`${verdictLines(io, `${item.name}@${item.version}`, item.verdict).join('\n')}\n`);
    // A warning beside the verdict (a broken extra signature under on_signature_failure: warn), as verify says it.
    for (const finding of item.findings) io.stdout(`${findingLines(io, finding).join('\n')}\n`);
    for (const file of item.hidden)
      for (const hidden of file.items) io.stderr(`warning: hidden content: ${hiddenLine(file.path, hidden)}\n`);
  }
  if (installed.length > 0) io.stdout(`✓ Installed ${installed.map((i) => `${i.name}@${i.version}`).join(', ')}\n`);
  return EXIT.ok;
}

/**
 * --review: the update as agents would see it, then a question. Nothing is
 * written unless the answer is yes (or --yes was given); without a terminal
 * to ask on, the review is all that happens.
 */
async function reviewThenInstall(io: CliIo, specs: string[], options: InstallOptions, yes: boolean) {
  const review = await reviewUpdate(specs, { ...options, onStep: undefined });
  io.stdout(`${reviewLines(io, review, options.workspace.root).join('\n')}\n`);
  if (review.packages.length === 0) return undefined;
  const accept = review.prepared.changes.length > 0;
  if (accept && !options.acceptChanges)
    io.stdout('Installing accepts the signer changes above (they are recorded in .aam/trust-record.yaml).\n');
  let confirmed = yes;
  if (!confirmed) {
    const answer = await io.ask?.(`Install ${review.packages.map((p) => `${p.name}@${p.to}`).join(', ')}? [y/N] `);
    if (answer === undefined) {
      io.stdout('Nothing was installed: no terminal to ask on (pass --yes to install what was reviewed).\n');
      return undefined;
    }
    confirmed = /^y(es)?$/i.test(answer.trim());
  }
  if (!confirmed) {
    io.stdout('Nothing was installed.\n');
    return undefined;
  }
  return installReviewed(review.prepared, { ...options, acceptChanges: true });
}
