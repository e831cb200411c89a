import { glob, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { aamHome } from '../../core/aam-home.ts';
import { assertUsablePolicy } from '../../core/config/load.ts';
import { AamError } from '../../core/errors.ts';
import { exists } from '../../core/fs/exists.ts';
import { registryPins } from '../../core/verify/evidence/registry-pins.ts';
import { findRegistry } from '../../core/registry/open.ts';
import { VerificationStore } from '../../core/verify/store/result-store.ts';
import { PRODUCT_VERSION } from '../../core/version.ts';
import { reportCsv, reportJson, reportTable } from '../../core/workflows/report/formats.ts';
import { reportPage } from '../../core/workflows/report/html.ts';
import { reportPasses, uncheckedText } from '../../core/workflows/report/model.ts';
import type { ComplianceReport } from '../../core/workflows/report/model.ts';
import { reportProjects } from '../../core/workflows/report/projects.ts';
import { reportRegistry } from '../../core/workflows/report/registry.ts';
import { reportSarif } from '../../core/workflows/report/sarif.ts';
import { COMMON, parse } from '../args.ts';
import { commandContext } from '../context.ts';
import { EXIT, oneLine, paint } from '../io.ts';
import type { CliIo } from '../io.ts';

export const REPORT_HELP = `Usage: aam-trust report [--project DIR | --projects GLOB... | --registry NAME]
                        [--format table|json|csv|html] [--output FILE] [--sarif FILE] [--restricted] [--offline]

The signing-compliance report: what share of what you run (the installed
packages of one or many projects) or publish (every version in a registry)
is signed, by which method and signer, and what is not compliant with the
policy. Statuses stay apart: unsigned, tampered, signed but untrusted,
invalid signature, installed without verification, …

  --project DIR      one project (default: the current folder)
  --projects GLOB    every project folder the pattern matches (repeatable;
                     a folder counts when it has .aam/aam-lock.yaml or
                     .aam/packages/)
  --registry NAME    every package and version of a configured registry (with
                     --project: the project whose policy and record apply):
                     signed or not, by whom, attested, approved, yanked,
                     who published (HTTP registries: from the audit log,
                     each package's entries proven in it; a version the
                     log does not record, or records twice with different
                     archives, is not compliant); a package it cannot read
                     is a notice; its rate limit is waited out (an hour at
                     most in all), saying so
  --format F         table (default), json, csv, or html (one self-contained
                     page with charts; opens with no network)
  --output FILE      write there instead of standard output
  --sarif FILE       also write SARIF 2.1.0 for code scanning: one result per
                     package that is not compliant, on its lock-file line
  --restricted       apply only project settings that tighten the global policy

A project that could not be verified (a broken policy, an unreadable lock
file) or a registry audit log that does not verify is listed as "not
checked" in every format and is never compliant.

Exit status: 0 when everything is compliant, 1 when something is not or
could not be checked, 2 on bad usage.`;

const FORMATS = ['table', 'json', 'csv', 'html'] as const;

/** What a report over a registry waits for its rate limit, in all (its listing and every archive). */
export const REGISTRY_RATE_LIMIT_WAIT_MS = 60 * 60_000;

export async function reportCommand(io: CliIo, argv: string[]): Promise<number> {
  const { values } = parse('report', argv, {
    ...COMMON,
    projects: { type: 'string', multiple: true },
    registry: { type: 'string' },
    format: { type: 'string' },
    output: { type: 'string' },
    sarif: { type: 'string' },
    restricted: { type: 'boolean' },
    offline: { type: 'boolean' },
  });
  if (values.help) {
    io.stdout(`${REPORT_HELP}\n`);
    return EXIT.ok;
  }
  const format = values.json ? 'json' : (values.format ?? 'table');
  if (!(FORMATS as readonly string[]).includes(format))
    throw new AamError('USAGE', `--format is one of ${FORMATS.join(', ')}, not "${format}".`);
  // With --registry, --project is only where the policy and the trust record come from.
  const scopes = [values.projects, values.registry ?? values.project].filter((v) => v !== undefined);
  if (scopes.length > 1) throw new AamError('USAGE', 'Use one of --project, --projects and --registry.');
  if (values.sarif && values.registry)
    throw new AamError('USAGE', '--sarif points at lock-file lines: it is for projects, not --registry.');
  const report = values.registry ? await registryReport(io, values.registry, values) : await projectsReport(io, values);
  const text =
    format === 'json'
      ? reportJson(report)
      : format === 'csv'
        ? reportCsv(report)
        : format === 'html'
          ? reportPage(report, { script: { inline: await pageScript() } })
          : reportTable(report);
  if (values.output) {
    await writeFile(resolve(io.cwd, values.output), text);
    io.stderr(
      `${paint(io, 'green', '✓')} Wrote the ${format} report to ${values.output} (${reportTable(report).split('\n')[1]!.trim()})\n`,
    );
  } else io.stdout(text);
  // The table says what could not be checked; any other output says it on stderr too, where a CI log shows it.
  if (format !== 'table' || values.output)
    for (const scope of report.unchecked)
      io.stderr(`${paint(io, 'red', '✗')} ${oneLine(uncheckedText(scope))}\n  Next: ${oneLine(scope.next)}\n`);
  if (values.sarif) {
    const lockFileOf = (row: { where: string }) => `${row.where === '.' ? '' : `${row.where}/`}.aam/aam-lock.yaml`;
    await writeFile(resolve(io.cwd, values.sarif), `${JSON.stringify(reportSarif(report, lockFileOf), null, 2)}\n`);
  }
  // A project or registry log that could not be checked fails the report, as it fails verify: never a silent pass.
  return reportPasses(report) ? EXIT.ok : EXIT.failed;
}

type Flags = {
  project?: string | undefined;
  projects?: string[] | undefined;
  restricted?: boolean | undefined;
  offline?: boolean | undefined;
};

async function projectsReport(io: CliIo, values: Flags): Promise<ComplianceReport> {
  const projects = values.projects
    ? await matchProjects(io.cwd, values.projects)
    : [resolve(io.cwd, values.project ?? '.')];
  if (projects.length === 0)
    throw new AamError(
      'USAGE',
      `No project matches ${values.projects!.join(', ')} (a project has .aam/aam-lock.yaml or .aam/packages/).`,
      {
        hint: 'Quote the pattern so the shell does not expand it: --projects "repos/*".',
      },
    );
  return reportProjects({
    projects,
    cwd: io.cwd,
    homeDir: io.homeDir,
    env: io.env,
    restricted: values.restricted ?? false,
    offline: values.offline ?? false,
    store: new VerificationStore(join(aamHome(io.homeDir).cacheDir, 'verified'), PRODUCT_VERSION),
    onProject: (where, i, n) => n > 1 && io.stderr(paint(io, 'dim', `Verifying ${oneLine(where)} (${i + 1}/${n})\n`)),
  });
}

/**
 * Project folders matched by the patterns, sorted, each once: those with a lock file, and those with installed
 * packages but none (a pull request that deletes the lock file leaves packages nothing vouches for: NOT_LOCKED).
 */
async function matchProjects(cwd: string, patterns: readonly string[]): Promise<string[]> {
  const found = new Set<string>();
  for (const pattern of patterns)
    for await (const match of glob(pattern, { cwd })) {
      const dir = resolve(cwd, match);
      if (
        (await stat(dir).catch(() => undefined))?.isDirectory() &&
        ((await exists(join(dir, '.aam', 'aam-lock.yaml'))) || (await exists(join(dir, '.aam', 'packages'))))
      )
        found.add(dir);
    }
  return [...found].sort();
}

async function registryReport(io: CliIo, name: string, values: Flags): Promise<ComplianceReport> {
  const ctx = await commandContext(io, values);
  assertUsablePolicy(ctx.config);
  const registry = findRegistry(ctx.config.registries, name, {
    homeDir: io.homeDir,
    env: io.env,
    // Every version's archive is read: a large registry's rate limit is waited out, and said so.
    rateLimit: {
      rateLimitWaitMs: REGISTRY_RATE_LIMIT_WAIT_MS,
      onRateLimit: (ms, said) =>
        io.stderr(
          `${paint(io, 'yellow', `Waiting ${Math.ceil(ms / 1000)} s for the rate limit of registry "${name}"`)}${said ? ` (${said})` : ''}\n`,
        ),
    },
  });
  return reportRegistry(registry, {
    config: ctx.config,
    verifier: ctx.verifier,
    ...(await registryPins(ctx.workspace.aamDir, aamHome(io.homeDir).cacheDir, registry)),
    onProgress: (done, total) => {
      if (done === total || done % 100 === 0) io.stderr(paint(io, 'dim', `Checked ${done} of ${total} versions\n`));
    },
  });
}

/** The page script, built beside the CLI (dist/webview/); from the sources, the repository's build. */
async function pageScript(): Promise<string> {
  const here = dirname(fileURLToPath(import.meta.url));
  for (const candidate of [
    join(here, 'webview', 'compliance-report.js'),
    join(here, '..', '..', '..', 'dist', 'webview', 'compliance-report.js'),
  ]) {
    const text = await readFile(candidate, 'utf8').catch(() => undefined);
    if (text !== undefined) return text;
  }
  throw new AamError('IO', 'The report page script (dist/webview/compliance-report.js) is missing.', {
    hint: 'Build it with npm run build.',
  });
}
