import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as vscode from '../helpers/vscode-mock.ts';
import { useVscodeMock } from '../helpers/vscode-mock.ts';
import { lineDocument } from '../helpers/line-document.ts';
import { tempDir } from '../helpers/temp.ts';
import { loadConfig } from '../../src/core/config/load.ts';
import { describePolicyChange } from '../../src/core/workflows/diff/policy-changes.ts';
import type { PolicyChange } from '../../src/core/workflows/diff/policy-changes.ts';
import { gitState, workingState } from '../../src/core/workflows/diff/state.ts';
import { trustDiff } from '../../src/core/workflows/diff/trust-diff.ts';
import type { TrustDiff } from '../../src/core/workflows/diff/trust-diff.ts';

useVscodeMock();
const { revertTrustChange } = await import('../../src/extension/trust-changes.ts');

/**
 * A project in git whose committed config is `base` and whose working tree has `head`, under the global config
 * `global`; its Trust Diff as the Trust Changes view computes it.
 */
async function project(global: string, base: string, head: string) {
  const root = await tempDir('trust-revert-');
  const home = join(root, 'home');
  const dir = join(root, 'project');
  await mkdir(join(home, '.aam'), { recursive: true });
  await mkdir(join(dir, '.aam'), { recursive: true });
  await writeFile(join(home, '.aam', 'config.yaml'), global);
  await writeFile(join(dir, '.aam', 'config.yaml'), base);
  const git = (...args: string[]) =>
    execFileSync('git', ['-C', dir, '-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], {
      stdio: 'ignore',
    });
  git('init', '-q');
  git('add', '.');
  git('commit', '-q', '-m', 'base');
  await writeFile(join(dir, '.aam', 'config.yaml'), head);
  const location = { homeDir: home, projectDir: dir, env: {} };
  const diff = trustDiff(await gitState(dir, 'HEAD'), await workingState(dir), {
    globalConfig: (await loadConfig({ homeDir: home, env: {} })).files[0]!,
    homeDir: home,
  });
  const effective = async () => (await loadConfig(location)).security;
  return {
    dir,
    home,
    diff,
    effective,
    baseSettings: await baseEffective(global, base),
    config: await loadConfig(location),
  };
}

/** The settings in effect at the base: the same global config under the committed project file. */
async function baseEffective(global: string, base: string) {
  const root = await tempDir('trust-revert-base-');
  await mkdir(join(root, 'home', '.aam'), { recursive: true });
  await mkdir(join(root, 'p', '.aam'), { recursive: true });
  await writeFile(join(root, 'home', '.aam', 'config.yaml'), global);
  await writeFile(join(root, 'p', '.aam', 'config.yaml'), base);
  return (await loadConfig({ homeDir: join(root, 'home'), projectDir: join(root, 'p'), env: {} })).security;
}

/**
 * Reverts `change` from the Trust Changes view, answering the confirmation with `answer` (its first button by
 * default); returns what was asked. Documents are the files on disk, edited through the mock's WorkspaceEdit.
 */
async function revert(
  p: Awaited<ReturnType<typeof project>>,
  change: PolicyChange,
  answer: (buttons: string[]) => string | undefined = (buttons) => buttons[0],
) {
  const asked: { message: string; detail: string }[] = [];
  const mock = vscode as unknown as Record<string, Record<string, unknown>>;
  Object.assign(mock.window!, {
    showWarningMessage: async (message: string, options: { detail: string }, ...buttons: string[]) => {
      asked.push({ message, detail: options.detail });
      return answer(buttons);
    },
  });
  Object.assign(mock.workspace!, { openTextDocument: async (uri: { fsPath: string }) => lineDocument(uri) });
  const workspace = { id: 'project:p', kind: 'project', paths: { root: p.dir }, config: p.config, reports: [] };
  const view = { baseRevision: 'HEAD', diffOf: (): TrustDiff => p.diff };
  const model = {
    homeDir: p.home,
    globalConfigFile: join(p.home, '.aam', 'config.yaml'),
    refresh: async () => {},
    workspaces: [workspace],
  };
  await revertTrustChange(view as never, model as never, { kind: 'policy', workspace, change } as never);
  return asked;
}

const find = (diff: TrustDiff, words: string) => {
  const change = diff.policy.find((c) => describePolicyChange(c).includes(words));
  assert.ok(change, `no change "${words}" among ${diff.policy.map(describePolicyChange).join('; ')}`);
  return change;
};
const projectFile = (p: { dir: string }) => readFile(join(p.dir, '.aam', 'config.yaml'), 'utf8');

describe('Trust Changes: reverting a policy change writes the base revision’s project value', () => {
  it('sets a changed setting back to the base’s value, not to the global one a removed key would let through', async () => {
    const p = await project(
      'security:\n  on_signature_failure: ignore\n',
      'security:\n  on_signature_failure: error\n',
      'security:\n  on_signature_failure: warn\n',
    );
    const asked = await revert(p, find(p.diff, 'on_signature_failure: error → warn'));
    assert.equal((await p.effective()).on_signature_failure, 'error');
    assert.match(await projectFile(p), /on_signature_failure: error/);
    assert.match(asked[0]!.detail, /on_signature_failure: error/);
  });

  it('puts a replaced allowed_issuers list back whole: undoing only the added issuer must not leave "any issuer"', async () => {
    const p = await project(
      '',
      'security:\n  allowed_issuers:\n    - https://a.example\n',
      'security:\n  allowed_issuers:\n    - https://b.example\n',
    );
    const added = find(p.diff, 'added allowed_issuers entry "https://b.example"');
    // Allowing another issuer where the list named some allows more: it is weaker, and so offered for revert.
    assert.equal(added.weaker, true);
    const asked = await revert(p, added);
    assert.deepEqual((await p.effective()).allowed_issuers, ['https://a.example']);
    assert.match(asked[0]!.detail, /allowed_issuers:\n\s+- https:\/\/a\.example/);
    assert.match(asked[0]!.detail, /This also undoes:\n.*removed allowed_issuers entry "https:\/\/a\.example"/);
  });

  it('restores a removed pinned identity as the mapping it was, not as its display text', async () => {
    const pinned = { identity: 'alice@example.com', issuer: 'https://accounts.example' };
    const p = await project(
      '',
      `security:\n  trusted_identities:\n    - identity: ${pinned.identity}\n      issuer: ${pinned.issuer}\n    - bob@example.com\n`,
      'security:\n  trusted_identities:\n    - bob@example.com\n',
    );
    await revert(p, find(p.diff, 'removed trusted_identities entry "alice@example.com (issuer'));
    assert.deepEqual((await p.effective()).trusted_identities, [pinned, 'bob@example.com']);
    assert.deepEqual((await p.effective()).trusted_identities, p.baseSettings.trusted_identities);
  });

  it('removes a list the base project file did not set, so the global blocks apply again, all of them', async () => {
    const p = await project(
      'security:\n  blocked_packages:\n    - "@evil/*"\n    - "@worse/tool"\n',
      'security:\n  on_signature_failure: error\n',
      'security:\n  on_signature_failure: error\n  blocked_packages:\n    - "@other/x"\n',
    );
    const asked = await revert(p, find(p.diff, 'removed blocked_packages entry "@worse/tool"'));
    assert.deepEqual((await p.effective()).blocked_packages, ['@evil/*', '@worse/tool']);
    assert.equal(await projectFile(p), 'security:\n  on_signature_failure: error\n');
    assert.match(asked[0]!.detail, /Removes security\.blocked_packages from this file/);
  });

  it('writes nothing when the confirmation is dismissed', async () => {
    const head = 'security:\n  on_signature_failure: warn\n';
    const p = await project('', 'security:\n  on_signature_failure: error\n', head);
    const asked = await revert(p, find(p.diff, 'on_signature_failure'), () => undefined);
    assert.equal(asked.length, 1);
    assert.equal(await projectFile(p), head);
  });
});
