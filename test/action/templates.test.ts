import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { cp, mkdir, readFile, stat, symlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { cli } from '../helpers/cli.ts';
import { compositionWorld, STRICT_POLICY } from '../helpers/composition.ts';
import { sarifErrors } from '../helpers/sarif.ts';
import { useLocalSigstore } from '../helpers/sigstore.ts';
import { tempDir } from '../helpers/temp.ts';
import type { SignedWorld } from '../helpers/signed-world.ts';

const REPO = join(import.meta.dirname, '..', '..');
const run = promisify(execFile);

interface Step {
  uses?: string;
  run?: string;
  env?: Record<string, string>;
  with?: Record<string, string>;
  if?: string;
}

/** The words of a template's shell line, with its variables given values (enough for these templates). */
function words(line: string, vars: Record<string, string>): string[] {
  const expanded = line
    .replace(/\$\{(\w+):\+([^}]*)\}/g, (_, name: string, alt: string) => (vars[name] ? alt : ''))
    .replace(/\$\{?(\w+)\}?/g, (_, name: string) => vars[name] ?? '');
  return [...expanded.matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2]!);
}

/** The arguments a template's script line passes to aam_trust, as bash expands them with `env`. */
function argvOf(line: string, env: Record<string, string>): string[] {
  const run = spawnSync('bash', ['-c', `aam_trust() { printf '%s\\0' "$@"; }; ${line}`], {
    env: { PATH: process.env.PATH ?? '', ...env },
    encoding: 'utf8',
  });
  assert.equal(run.status, 0, run.stderr);
  return run.stdout.split('\0').slice(0, -1);
}

describe('the CI templates', () => {
  const local = useLocalSigstore();
  let w: SignedWorld;
  before(async () => {
    w = await compositionWorld(local.instance());
  });

  it('action.yml passes every input to the entry point, which the build makes, and uploads the SARIF it writes', async () => {
    const action = parse(await readFile(join(REPO, 'action.yml'), 'utf8')) as {
      inputs: Record<string, unknown>;
      outputs: Record<string, { value: string }>;
      runs: { using: string; steps: Step[] };
    };
    assert.equal(action.runs.using, 'composite');
    const [setup, build, entry, upload] = action.runs.steps as [Step, Step, Step, Step];
    assert.match(setup.uses ?? '', /^actions\/setup-node@/);
    assert.match(build.run ?? '', /npm ci --ignore-scripts[^\n]*\nnode scripts\/build\.ts/);
    assert.equal(entry.run, 'node "${{ github.action_path }}/dist/action.js"');
    for (const name of Object.keys(action.inputs)) {
      if (name === 'upload-sarif') continue; // the upload step's, not the entry point's
      const variable = `INPUT_${name.toUpperCase().replace(/-/g, '_')}`;
      assert.equal(entry.env?.[variable], `\${{ inputs.${name} }}`, variable);
    }
    for (const [name, output] of Object.entries(action.outputs))
      assert.equal(output.value, `\${{ steps.run.outputs.${name} }}`);
    assert.match(upload.uses ?? '', /^github\/codeql-action\/upload-sarif@/);
    assert.equal(upload.with?.sarif_file, '${{ steps.run.outputs.sarif }}');
    assert.match(
      upload.if ?? '',
      /^always\(\)/,
      'the SARIF is uploaded when verification fails, which is when it matters',
    );
  });

  it('works from a plain checkout: the build step makes dist/action.js, and it runs', async () => {
    const checkout = await tempDir('aam-checkout-');
    const { stdout } = await run('git', ['ls-files', '--cached', '--others', '--exclude-standard'], { cwd: REPO });
    const files = stdout.split('\n').filter(Boolean);
    assert.ok(!files.some((f) => f.startsWith('dist/')), 'dist/ is not in the repository');
    for (const file of files) {
      if (!(await stat(join(REPO, file)).catch(() => undefined))?.isFile()) continue;
      await mkdir(dirname(join(checkout, file)), { recursive: true });
      await cp(join(REPO, file), join(checkout, file));
    }
    // Stands in for the step's `npm ci` (the npm registry is not this test's to call).
    await symlink(join(REPO, 'node_modules'), join(checkout, 'node_modules'));
    await run(process.execPath, ['scripts/build.ts'], { cwd: checkout });
    const step = await run(process.execPath, [join(checkout, 'dist', 'action.js')], {
      cwd: w.root,
      env: {
        PATH: process.env.PATH,
        HOME: w.home,
        GITHUB_WORKSPACE: w.root,
        INPUT_PROJECT: 'project',
        RUNNER_TEMP: checkout,
      },
    }).catch((e: { code: number; stdout: string }) => e);
    assert.equal('code' in step ? step.code : 0, 1);
    assert.match(step.stdout, /AAM Trust: 7 of 11 packages compliant \(policy: Strict\)/);
  });

  it('the GitLab template: its verify commands run, writing the HTML report and valid SARIF', async () => {
    const verify = (await template())['.aam-trust:verify'] as { script: string[]; artifacts: { paths: string[] } };
    const commands = verify.script.map((line) => words(line.replace(/ \|\| true$/, ''), { AAM_PROJECT: 'project' }));
    assert.ok(commands.every((c) => c[0] === 'aam_trust'));
    for (const command of commands) {
      const result = await cli(command.slice(1), { cwd: w.root, home: w.home });
      assert.equal(result.code, 1, `${command.join(' ')}: something is not compliant\n${result.stderr}`);
    }
    for (const artifact of verify.artifacts.paths) await stat(join(w.root, artifact));
    assert.match(await readFile(join(w.root, 'aam-trust-report.html'), 'utf8'), /id="report-data"/);
    const sarif = JSON.parse(await readFile(join(w.root, 'aam-trust.sarif'), 'utf8'));
    assert.deepEqual(sarifErrors(sarif), []);
    assert.equal(sarif.runs[0].results.length, 4);
    assert.equal(
      sarif.runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri,
      'project/.aam/aam-lock.yaml',
    );
  });

  for (const [what, breakIt] of [
    [
      'a broken .aam/config.yaml',
      (dir: string) => writeFile(join(dir, '.aam', 'config.yaml'), 'security:\n  require_signature: maybe\n'),
    ],
    ['a broken lock file', (dir: string) => writeFile(join(dir, '.aam', 'aam-lock.yaml'), 'packages: [unclosed\n')],
  ] as const)
    it(`the GitLab template: its verify job fails on ${what}, saying what was not checked`, async () => {
      const project = `broken-${what.split(' ').pop()!.replace(/\W/g, '')}`;
      await cp(w.project, join(w.root, project), { recursive: true });
      await breakIt(join(w.root, project));
      const verify = (await template())['.aam-trust:verify'] as { script: string[] };
      // A GitLab job fails when a script line fails, except one that ends in `|| true`.
      let failed = false;
      let log = '';
      for (const line of verify.script) {
        const command = words(line.replace(/ \|\| true$/, ''), { AAM_PROJECT: project });
        const result = await cli(command.slice(1), { cwd: w.root, home: w.home });
        log += result.stdout + result.stderr;
        if (result.code !== 0 && !line.endsWith('|| true')) failed = true;
      }
      assert.ok(failed, `the verify job passes with ${what}:\n${log}`);
      assert.doesNotMatch(log, /Everything is compliant/);
      assert.match(log, new RegExp(`${project}: not checked: [^]*Next: `));
      const sarif = JSON.parse(await readFile(join(w.root, 'aam-trust.sarif'), 'utf8'));
      assert.deepEqual(sarifErrors(sarif), []);
      assert.deepEqual(
        sarif.runs[0].results.map((r: { ruleId: string }) => r.ruleId),
        ['NOT_CHECKED'],
      );
    });

  it('the GitLab template: on a merge request, its diff job fails a change that weakens trust against the merge base', async () => {
    const job = (await template())['.aam-trust:diff'] as {
      rules: { if: string }[];
      variables: Record<string, unknown>;
      script: string[];
    };
    assert.deepEqual(job.rules, [{ if: '$CI_MERGE_REQUEST_DIFF_BASE_SHA' }], 'merge request pipelines only');
    assert.equal(String(job.variables.GIT_DEPTH), '0', 'the merge base must be in the clone');
    const repo = await tempDir('aam-merge-request-');
    await mkdir(join(repo, 'project', '.aam'), { recursive: true });
    await writeFile(join(repo, 'project', '.aam', 'config.yaml'), 'security:\n  blocked_packages: ["evil"]\n');
    const git = (...args: string[]) =>
      run('git', ['-C', repo, '-c', 'user.name=ci', '-c', 'user.email=ci@example.com', ...args]);
    await git('init', '-q', '-b', 'main');
    await git('add', '-A');
    await git('commit', '-q', '-m', 'base');
    const sha = (await git('rev-parse', 'HEAD')).stdout.trim();
    const runJob = async () => {
      const vars = { CI_MERGE_REQUEST_DIFF_BASE_SHA: sha, AAM_PROJECT: 'project' };
      const [command] = job.script.map((line) => words(line, vars));
      return cli(command!.slice(1), { cwd: repo, home: w.home });
    };
    const unchanged = await runJob();
    assert.equal(unchanged.code, 0, `nothing changed yet: ${unchanged.stdout}${unchanged.stderr}`);
    // The merge request unblocks a package, and commits a folder named like the merge base with a state of its own.
    await writeFile(join(repo, 'project', '.aam', 'config.yaml'), '');
    const weaker = await runJob();
    assert.equal(weaker.code, 1, weaker.stdout + weaker.stderr);
    assert.match(weaker.stdout, /blocked_packages/);
    await cp(join(repo, 'project', '.aam'), join(repo, sha, '.aam'), { recursive: true });
    const ambiguous = await runJob();
    assert.equal(ambiguous.code, 2, 'a folder named like the revision is refused, never read as the base');
    assert.match(ambiguous.stderr, /is both a git revision and a path/);
  });

  it("the GitLab template: publish signs with the pipeline's OIDC identity (id_tokens, audience sigstore)", async () => {
    const job = (await template())['.aam-trust:publish'] as {
      id_tokens: Record<string, { aud: string }>;
      script: string[];
    };
    assert.deepEqual(job.id_tokens, { SIGSTORE_ID_TOKEN: { aud: 'sigstore' } });
    await w.policy(`sigstore_endpoint: ${local.instance().url}\n${STRICT_POLICY}`);
    const pkg = await w.makePackage('@acme/release', '2.0.0');
    const variables = (job as unknown as { variables: Record<string, string> }).variables;
    const argv = argvOf(job.script[0]!, { ...variables, AAM_PACKAGE: pkg });
    assert.ok(argv.includes('--restricted'), "publish is restricted by default, as the Action's is");
    assert.ok(!argvOf(job.script[0]!, { AAM_PACKAGE: pkg, AAM_PUBLISH_RESTRICTED: 'false' }).includes('--restricted'));
    const token = local.instance().mintWorkloadToken('gitlab', 'acme/tools');
    const result = await cli(argv, { cwd: w.root, home: w.home, env: { SIGSTORE_ID_TOKEN: token } });
    assert.equal(result.code, 0, result.stderr);
    const metadata = (await w.registry.metadata('@acme/release'))!;
    assert.equal(
      metadata.versions[0]?.signatures?.[0]?.identity,
      'https://gitlab.com/acme/tools//.gitlab-ci.yml@refs/heads/main',
    );
  });
});

async function template(): Promise<Record<string, unknown>> {
  return parse(await readFile(join(REPO, 'ci', 'aam-trust.gitlab-ci.yml'), 'utf8')) as Record<string, unknown>;
}
