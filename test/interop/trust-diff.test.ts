import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { aamOk } from '../helpers/aam.ts';
import { cli } from '../helpers/cli.ts';
import { useLocalSigstore } from '../helpers/sigstore.ts';
import { makeWorld } from '../helpers/workspace.ts';
import { sarifErrors } from '../helpers/sarif.ts';

describe('Trust Diff', () => {
  const local = useLocalSigstore();

  it('lists a changed signer, a dropped signature and a widened trust entry against main, exits 1, and writes valid SARIF', async () => {
    const w = await makeWorld();
    const root = join(w.home, '.aam', 'trusted_root.json');
    await writeFile(root, JSON.stringify(local.instance().trustedRoot()));
    await w.writeGlobalConfig(
      `sigstore_endpoint: ${local.instance().url}\nsigstore_trusted_root: ${root}\ntrusted_identities: ["*@example.com"]`,
    );
    const trust = (...args: string[]) => cli(args, { cwd: w.project, home: w.home });
    const git = (...args: string[]) =>
      promisify(execFile)('git', args, {
        cwd: w.project,
        env: {
          ...process.env,
          GIT_AUTHOR_NAME: 'T',
          GIT_AUTHOR_EMAIL: 't@example.com',
          GIT_COMMITTER_NAME: 'T',
          GIT_COMMITTER_EMAIL: 't@example.com',
        },
      });
    const publish = async (name: string, version: string, signer?: string) => {
      const run = await trust(
        'publish',
        await w.makePackage(name, version),
        ...(signer ? ['--sign', '--identity-token', local.instance().mintToken(signer)] : []),
      );
      assert.equal(run.code, 0, run.stderr);
    };
    await publish('@acme/tool', '1.0.0', 'alice@example.com');
    await publish('@acme/docs', '1.0.0', 'alice@example.com');
    await publish('@acme/steady', '1.0.0', 'alice@example.com');
    assert.equal((await trust('install', '@acme/tool', '@acme/docs', '@acme/steady')).code, 0);
    await git('init', '-q', '-b', 'main');
    await git('add', '.');
    await git('commit', '-q', '-m', 'base');
    const clean = await trust('diff', 'main');
    assert.equal(clean.code, 0, clean.stdout);

    // The pull request: a new signer for tool, docs unsigned now (installed by aam), and a wider trust list.
    await git('checkout', '-q', '-b', 'feature');
    await publish('@acme/tool', '1.1.0', 'mallory@evil.io');
    await publish('@acme/docs', '1.1.0');
    await aamOk(['install', '@acme/tool@1.1.0', '--force'], { cwd: w.project, home: w.home });
    await aamOk(['install', '@acme/docs@1.1.0', '--force'], { cwd: w.project, home: w.home });
    await w.writeProjectConfig('security:\n  trusted_identities:\n    - "*@example.com"\n    - "*@evil.io"\n');
    await git('add', '.');
    await git('commit', '-q', '-m', 'feature');

    const sarifFile = join(w.root, 'trust.sarif');
    const diff = await trust('diff', 'main', '--sarif', sarifFile);
    assert.equal(diff.code, 1, diff.stdout);
    assert.match(
      diff.stdout,
      /@acme\/tool {2}upgraded 1\.0\.0 → 1\.1\.0[\s\S]*signer changed from alice@example\.com .* to mallory@evil\.io/,
    );
    assert.match(
      diff.stdout,
      /@acme\/docs {2}upgraded 1\.0\.0 → 1\.1\.0[\s\S]*was signed by alice@example\.com .*, is now unsigned/,
    );
    assert.match(diff.stdout, /added trusted_identities entry "\*@evil\.io" \(weaker\) — now trusts @acme\/tool/);
    assert.doesNotMatch(diff.stdout, /@acme\/steady/);

    const json = JSON.parse((await trust('diff', 'main', '--json')).stdout);
    const problems = json.packages.flatMap((p: { name: string; problems: { code: string }[] }) =>
      p.problems.map((x) => `${p.name}:${x.code}`),
    );
    assert.deepEqual(problems.sort(), ['@acme/docs:SIGNATURE_REMOVED', '@acme/tool:SIGNER_CHANGED']);
    assert.deepEqual(
      json.packages.find((p: { name: string }) => p.name === '@acme/tool').after.signer.split(' ')[0],
      'mallory@evil.io',
    );

    const sarif = JSON.parse(await readFile(sarifFile, 'utf8'));
    assert.deepEqual(sarifErrors(sarif), []);
    const results = sarif.runs[0].results as {
      ruleId: string;
      level: string;
      locations: { physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } } }[];
    }[];
    assert.deepEqual(
      results
        .filter((r) => r.level === 'error')
        .map((r) => r.ruleId)
        .sort(),
      ['POLICY_WEAKER', 'SIGNATURE_REMOVED', 'SIGNER_CHANGED'],
    );
    const lockLines = (await readFile(join(w.project, '.aam', 'aam-lock.yaml'), 'utf8')).split('\n');
    const signer = results.find((r) => r.ruleId === 'SIGNER_CHANGED')!.locations[0]!.physicalLocation;
    assert.equal(signer.artifactLocation.uri, '.aam/aam-lock.yaml');
    assert.match(lockLines[signer.region.startLine - 1]!, /'@acme\/tool':/);
    // The validator itself refuses a log that breaks the schema.
    assert.notDeepEqual(sarifErrors({ ...sarif, version: '9.9' }), []);
  });
});
