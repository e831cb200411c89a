import { mkdir, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { aamHome } from '../core/aam-home.ts';
import { AamError, messageOf } from '../core/errors.ts';
import { packageLabel } from '../core/lockfile/vouched.ts';
import { VerificationStore } from '../core/verify/store/result-store.ts';
import { FINDING_LABEL, STATUS_LABEL } from '../core/verify/verdict/vocabulary.ts';
import { PRODUCT_VERSION } from '../core/version.ts';
import { notCompliant, reportPasses, uncheckedText } from '../core/workflows/report/model.ts';
import { reportProjects } from '../core/workflows/report/projects.ts';
import { reportSarif } from '../core/workflows/report/sarif.ts';
import { runCli } from '../cli/main.ts';
import type { Runner } from './runner.ts';
import { compareWithBase } from './base-diff.ts';
import { publishedMarkdown, summaryMarkdown } from './summary.ts';

/**
 * The GitHub Action (action.yml): `verify` checks the installed packages with
 * --restricted and, on a pull request, the trust picture against its base
 * branch (base-diff.ts), writes the job summary, annotations and a SARIF file
 * for code scanning, and fails the step when something is not compliant or
 * weakens trust against the base; `publish`
 * signs with the workflow's own OIDC identity and publishes.
 */
export async function runAction(runner: Runner): Promise<number> {
  // A token the workflow hands over is a secret from the first line on, whatever the command.
  if (runner.env.SIGSTORE_ID_TOKEN) runner.mask(runner.env.SIGSTORE_ID_TOKEN);
  const command = runner.input('command', 'verify');
  try {
    if (command === 'verify') return await verify(runner);
    if (command === 'publish') return await publish(runner);
    runner.annotate('error', `Unknown command "${command}": use verify or publish.`, { title: 'AAM Trust' });
    return 2;
  } catch (error) {
    const hint = error instanceof AamError && error.hint ? `\n${error.hint}` : '';
    runner.annotate('error', `${messageOf(error)}${hint}`, { title: `AAM Trust ${command}` });
    return 1;
  }
}

async function verify(runner: Runner): Promise<number> {
  const root = runner.workspace;
  const project = resolve(root, runner.input('project', '.'));
  const restricted = runner.flag('restricted', true);
  const homeDir = runner.env.HOME ?? homedir();
  const report = await reportProjects({
    projects: [project],
    cwd: root,
    homeDir,
    env: runner.env,
    restricted,
    store: new VerificationStore(join(aamHome(homeDir).cacheDir, 'verified'), PRODUCT_VERSION),
  });
  const where = toPosix(relative(root, project)) || '.';
  const lockFile = `${where === '.' ? '' : `${where}/`}.aam/aam-lock.yaml`;
  const sarifPath = resolve(root, runner.input('sarif', join(runner.temp, 'aam-trust.sarif')));
  await mkdir(dirname(sarifPath), { recursive: true });
  await writeFile(
    sarifPath,
    `${JSON.stringify(
      reportSarif(report, () => lockFile),
      null,
      2,
    )}\n`,
  );
  const comparison = await compareWithBase(runner, project);
  await runner.summary(summaryMarkdown(report, { project: where, restricted, comparison }));
  for (const scope of report.unchecked)
    runner.annotate('error', `${uncheckedText(scope)} Next: ${scope.next}`, { title: 'AAM Trust: not checked' });
  for (const row of notCompliant(report)) {
    // A package can fail on a finding beside a passing verdict (a signer change): the finding is what fails it.
    const findings = row.findings.map((code) => FINDING_LABEL[code as keyof typeof FINDING_LABEL] ?? code);
    runner.annotate('error', findings.length > 0 ? `${findings.join('; ')}. ${row.message}` : row.message, {
      file: lockFile,
      line: row.lockLine ?? 1,
      title: `${packageLabel(row)}: ${findings.length > 0 ? `fails (${row.findings.join(', ')})` : STATUS_LABEL[row.status]}`,
    });
  }
  for (const reason of comparison?.reasons ?? [])
    runner.annotate('error', reason, {
      file: lockFile,
      line: 1,
      title: `AAM Trust: changed against ${comparison!.base}`,
    });
  const { totals } = report;
  await runner.output('total', String(totals.total));
  await runner.output('compliant', String(totals.compliant));
  await runner.output('not-compliant', String(totals.notCompliant));
  await runner.output('sarif', sarifPath);
  if (comparison) await runner.output('base-reasons', String(comparison.reasons.length));
  runner.log(`AAM Trust: ${totals.compliant} of ${totals.total} packages compliant (policy: ${report.policy})`);
  if (comparison)
    runner.log(
      comparison.reasons.length > 0
        ? `AAM Trust: ${comparison.reasons.length} change(s) against ${comparison.base} weaken trust: ${comparison.reasons.join('; ')}`
        : `AAM Trust: nothing weakens trust against ${comparison.base}`,
    );
  return reportPasses(report) && (comparison?.reasons.length ?? 0) === 0 ? 0 : 1;
}

/**
 * Publishes a package signed with the workflow's identity (GitHub's OIDC token, audience "sigstore"), with the
 * project config restricted as verify's is: a pull request cannot redirect the registry or the signing.
 */
async function publish(runner: Runner): Promise<number> {
  const root = runner.workspace;
  const method = runner.input('signing-method', 'sigstore');
  const registry = runner.input('registry');
  const restricted = runner.flag('restricted', true);
  const token = method === 'sigstore' ? await identityToken(runner) : undefined;
  let stdout = '';
  let stderr = '';
  const code = await runCli(
    [
      'publish',
      resolve(root, runner.input('package', '.')),
      '--sign',
      '--signing-method',
      method,
      '--json',
      ...(restricted ? ['--restricted'] : []),
      ...(registry ? ['--registry', registry] : []),
      ...(runner.input('project') ? ['--project', resolve(root, runner.input('project'))] : []),
    ],
    {
      stdout: (text) => void (stdout += text),
      stderr: (text) => {
        stderr += text;
        runner.log(text.trimEnd());
      },
      env: token ? { ...runner.env, SIGSTORE_ID_TOKEN: token } : runner.env,
      cwd: root,
      homeDir: runner.env.HOME ?? homedir(),
      color: false,
      askSecret: async () => runner.env.AAM_GPG_PASSPHRASE,
      openUrl: async () => undefined,
    },
  );
  if (code !== 0) {
    runner.annotate('error', stderr.replace(/^Error: /, '').trim(), { title: 'AAM Trust publish' });
    return code;
  }
  const outcome = JSON.parse(stdout) as {
    name: string;
    version: string;
    checksum: string;
    signatures: { type: string; identity?: string; fingerprint?: string; transparency_log?: { log_index: string } }[];
  };
  const signature = outcome.signatures[0];
  const signer = signature?.identity ?? signature?.fingerprint ?? 'nobody';
  await runner.summary(publishedMarkdown(outcome, signer, signature));
  await runner.output('package', `${outcome.name}@${outcome.version}`);
  await runner.output('signer', signer);
  runner.log(`Published ${outcome.name}@${outcome.version}, signed by ${signer}`);
  return 0;
}

/**
 * The workflow's identity token, fetched here rather than by the CLI so that the runner masks it (as actions/core's
 * getIDToken does) before anything could print it; undefined when the runner offers none.
 */
async function identityToken(runner: Runner): Promise<string | undefined> {
  const { ambientToken } = await import('../core/sigstore/identity/providers.ts');
  const provider = ambientToken(runner.env, (token) => runner.mask(token));
  if (!provider) return undefined;
  try {
    return await provider.getToken();
  } catch (error) {
    const { identityTokenError } = await import('../core/sigstore/sign.ts');
    throw identityTokenError(error);
  }
}

function toPosix(path: string): string {
  return path.split(sep).join('/');
}
