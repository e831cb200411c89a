import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { installPackages } from '../../src/core/workflows/install/install.ts';
import { runStep } from '../helpers/action-step.ts';
import { signedWorld } from '../helpers/signed-world.ts';
import type { SignedWorld } from '../helpers/signed-world.ts';
import { useLocalSigstore } from '../helpers/sigstore.ts';
import { tempDir } from '../helpers/temp.ts';

const CLI = join(import.meta.dirname, '..', '..', 'dist', 'cli.js');

/** The base branch's policy: Strict, trusting the company's domain. */
const BASE_POLICY = `security:
  trusted_identities: ["*@example.com"]
  require_signature: true
  on_signature_failure: error
  on_signer_change: error
`;

/*
 * On a runner the global config has no policy (only, here, the local Sigstore root), and the project's policy and
 * trust record are the pull request's own: restricted verification alone cannot see a pull request that trusts
 * its own signer, deletes the policy, or rewrites a recorded signer. The Action compares with the base branch.
 */
describe('the GitHub Action on a pull request: the trust picture against the base branch', () => {
  const local = useLocalSigstore();
  let w: SignedWorld;
  let baseRecord: string;
  const git = (...args: string[]) =>
    promisify(execFile)('git', ['-C', w.root, '-c', 'user.name=ci', '-c', 'user.email=ci@example.com', ...args]);
  const record = () => join(w.project, '.aam', 'trust-record.yaml');
  const install = async (spec: string) =>
    installPackages([spec], { ...(await w.services()), registry: w.registry, platforms: [] });
  const step = (inputs: Record<string, string> = {}) =>
    runStep(
      { command: 'verify', project: 'project', ...inputs },
      { GITHUB_WORKSPACE: w.root, HOME: w.home, GITHUB_BASE_REF: 'main', GITHUB_HEAD_REF: 'pr' },
    );
  /** Starts the pull request again from the base branch's files. */
  const fromBase = async () => {
    await git('checkout', '-q', '-f', 'pr');
    await git('reset', '-q', '--hard', 'main');
    await git('clean', '-q', '-fdx', '--', 'project');
  };

  before(async () => {
    w = await signedWorld(local.instance(), '');
    await w.publish('good', '1.0.0', 'alice@example.com');
    await w.publish('good', '1.0.1', 'mallory@example.com'); // another identity the domain pattern matches
    await w.publish('helper', '1.0.0', 'mallory@evil.example'); // the pull request author's own identity
    await w.writeProjectConfig(BASE_POLICY);
    await install('good@1.0.0');
    // Verified once outside Restricted Mode, which records alice as good's signer.
    await promisify(execFile)(process.execPath, [CLI, 'verify', '--project', w.project], {
      env: { PATH: process.env.PATH ?? '', HOME: w.home },
    });
    baseRecord = await readFile(record(), 'utf8');
    assert.match(baseRecord, /identity: alice@example\.com/);
    // The repository: the base branch on a remote; the checkout has only the pull request (as a shallow one).
    await writeFile(join(w.root, '.gitignore'), 'home/\nregistry/\npkg-*/\n*.json\n');
    await git('init', '-q', '-b', 'main');
    await git('add', '-A');
    await git('commit', '-q', '-m', 'base');
    const origin = await tempDir('aam-origin-');
    await promisify(execFile)('git', ['init', '-q', '--bare', origin]);
    await git('remote', 'add', 'origin', origin);
    await git('push', '-q', 'origin', 'main');
    await git('checkout', '-q', '-b', 'pr');
  });

  it('fetches the base branch, and passes a pull request that weakens nothing', async () => {
    await git('update-ref', '-d', 'refs/remotes/origin/main');
    const run = await step();
    assert.equal(run.code, 0, run.stdout);
    assert.match(run.stdout, /Fetching main/);
    assert.match(run.summary, /^## ✅/);
    assert.match(run.summary, /### Against `origin\/main`\n\nNothing weakens trust/);
    assert.equal(run.outputs['base-reasons'], '0');
  });

  it('fails a pull request that adds its own signer to the policy, which restricted verification alone passes', async () => {
    await fromBase();
    await w.writeProjectConfig(BASE_POLICY.replace('"*@example.com"', '"*@example.com", "mallory@evil.example"'));
    await install('helper@1.0.0');
    const alone = await step({ base: 'none' });
    assert.equal(alone.code, 0, 'without the comparison the pull request judges itself');
    const run = await step();
    assert.equal(run.code, 1, run.stdout);
    assert.match(run.summary, /^## ❌/);
    assert.match(
      run.stdout,
      /::error file=project\/\.aam\/aam-lock\.yaml,line=1,title=AAM Trust%3A changed against origin\/main::.*mallory@evil\.example/,
    );
    assert.notEqual(run.outputs['base-reasons'], '0');
  });

  it('compares with the remote base branch, not a tag or branch named like it that points at the pull request', async () => {
    await fromBase();
    await w.writeProjectConfig(BASE_POLICY.replace('"*@example.com"', '"*@example.com", "mallory@evil.example"'));
    await install('helper@1.0.0');
    await git('add', '-A');
    await git('commit', '-q', '-m', 'trust mallory');
    try {
      // What someone who may push a ref adds (a checkout with fetch-depth: 0 fetches every tag): git's short
      // "origin/main" takes refs/tags/origin/main, then refs/heads/origin/main, before the remote-tracking branch.
      for (const shadow of [
        ['tag', 'origin/main', 'HEAD'],
        ['branch', 'origin/main', 'HEAD'],
      ]) {
        await git(...shadow);
        const run = await step();
        assert.equal(run.code, 1, run.stdout);
        assert.match(run.stdout, /changed against origin\/main::.*mallory@evil\.example/);
        await git(shadow[0]!, shadow[0] === 'tag' ? '-d' : '-D', 'origin/main');
      }
      // `aam-trust diff NAME` refuses a name that more than one ref answers to, naming them.
      await git('tag', 'main', 'HEAD');
      const diff = await promisify(execFile)(process.execPath, [CLI, 'diff', 'main', '--project', w.project], {
        env: { PATH: process.env.PATH ?? '', HOME: w.home },
      }).then(
        () => ({ code: 0, stderr: '' }),
        (error: { code: number; stderr: string }) => error,
      );
      assert.equal(diff.code, 2, diff.stderr);
      assert.match(diff.stderr, /"main" is ambiguous in .*: refs\/tags\/main, refs\/heads\/main all answer to it/);
    } finally {
      await git('tag', '-d', 'main').catch(() => undefined);
      await git('reset', '-q', '--hard', 'main');
    }
  });

  it('fails a pull request that deletes the policy', async () => {
    await fromBase();
    await rm(join(w.project, '.aam', 'config.yaml'));
    const run = await step();
    assert.equal(run.code, 1, run.stdout);
    assert.match(run.stdout, /title=AAM Trust%3A changed against origin\/main::/);
  });

  it('fails a pull request that swaps the signer and rewrites the trust record to match, or deletes it', async () => {
    await fromBase();
    await rm(record());
    await install('good@1.0.1');
    await writeFile(
      record(),
      baseRecord.replace('alice@example.com', 'mallory@example.com').replace('version: 1.0.0', 'version: 1.0.1'),
    );
    const run = await step();
    assert.equal(run.code, 1, run.stdout);
    assert.match(run.stdout, /changed against origin\/main::.*good.*alice@example\.com.*mallory@example\.com/);
    await rm(record());
    assert.equal((await step()).code, 1, 'without a record too');
  });

  it('names a finding that fails a package beside its verdict in the annotation, not "verified"', async () => {
    await fromBase();
    await rm(record());
    await install('good@1.0.1');
    await writeFile(record(), baseRecord);
    const run = await step({ base: 'none' });
    assert.equal(run.code, 1);
    assert.match(run.stdout, /title=good@1\.0\.1%3A fails \(SIGNER_CHANGED\)::/);
    assert.doesNotMatch(run.stdout, /title=good@1\.0\.1%3A verified/);
  });

  it('fails closed when the base branch cannot be had, saying how to fix it', async () => {
    await fromBase();
    const run = await runStep(
      { command: 'verify', project: 'project' },
      { GITHUB_WORKSPACE: w.root, HOME: w.home, GITHUB_BASE_REF: 'no-such-branch' },
    );
    assert.equal(run.code, 1);
    assert.match(run.stdout, /Could not fetch the base branch no-such-branch.*fetch-depth: 0/s);
  });
});
