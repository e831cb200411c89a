import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { useVscodeMock } from '../helpers/vscode-mock.ts';

useVscodeMock();
const { DeployedFiles } = await import('../../src/extension/deployed-files.ts');

/**
 * The CodeLens over a deployed agent file names its package and signer. Its title draws
 * `$(name)` as a theme icon, and a GitHub Actions identity ends in a branch name the
 * publisher picks: `$(pass-filled)` there must show as text, not as a green check.
 */
describe('the CodeLens over a deployed file', () => {
  it("shows a signer's $(icon) as text, and the status as the verdict says", () => {
    const san = 'https://github.com/mallory/tools/.github/workflows/release.yml@refs/heads/$(pass-filled)-verified';
    const signer = {
      type: 'sigstore',
      identity: { san, sanType: 'uri', issuer: 'https://token.actions.githubusercontent.com' },
    };
    const workspace = { id: 'project:/work/p', paths: { lockFile: '/work/p/.aam/aam-lock.yaml' } };
    const report = {
      name: 'tools',
      version: '1.0.0-$(check)',
      verdict: { status: 'signed-untrusted', action: 'warn', signer },
      checks: { signature: { state: 'valid', signer } },
      deployed: [{ path: '/work/p/.claude/agents/tools.md', type: 'agent', state: 'ok' }],
    };
    const model = {
      onDidChange: () => ({ dispose() {} }),
      allReports: () => [{ workspace, report }],
      workspaces: [workspace],
    };
    const [lens] = new DeployedFiles(model as never).provideCodeLenses({
      uri: { fsPath: '/work/p/.claude/agents/tools.md' },
    } as never) as unknown as { args: [unknown, { title: string }] }[];
    const { title } = lens!.args[1];
    assert.equal(
      title,
      '$(shield) tools@1.0.0-\\$(check) · signed by https://github.com/mallory/tools/.github/workflows/release.yml@refs/heads/\\$(pass-filled)-verified · signed, untrusted',
    );
  });
});
