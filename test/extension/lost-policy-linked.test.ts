import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile, rename, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as vscode from '../helpers/vscode-mock.ts';
import { useVscodeMock } from '../helpers/vscode-mock.ts';
import { lineDocument } from '../helpers/line-document.ts';
import { tempDir } from '../helpers/temp.ts';
import { loadConfig } from '../../src/core/config/load.ts';
import { materialOf, snapshotOf } from '../../src/core/verify/store/policy-snapshot.ts';
import { VerificationStore } from '../../src/core/verify/store/result-store.ts';

useVscodeMock();
const { reviewLostPolicy } = await import('../../src/extension/lost-policy.ts');

const GLOBAL = '# my own global policy\nsecurity:\n  require_signature: true\n  on_signature_failure: error\n';

/**
 * Review Lost Policy, "Add Them Back": the lost settings' file is the project's `.aam/config.yaml`. When that
 * `.aam` has since become a link to ~/.aam (a pull request can make it one), adding back a project entry would
 * trust it in the global policy; the write is refused, as Trust Signer and Revert refuse it.
 */
describe('Review Lost Policy: Add Them Back', () => {
  it('refuses to write through a project .aam that became a link to ~/.aam', async () => {
    const root = await tempDir('lost-link-');
    const home = join(root, 'home');
    const project = join(root, 'project');
    const global = join(home, '.aam', 'config.yaml');
    await mkdir(join(home, '.aam'), { recursive: true });
    await mkdir(join(project, '.aam'), { recursive: true });
    await writeFile(global, GLOBAL);
    // Commit 1 of the repository (the user verifies it once): the project trusts the attacker's identity.
    await writeFile(join(project, '.aam', 'config.yaml'), 'security:\n  trusted_identities:\n    - "*@evil.example"\n');
    const location = { homeDir: home, projectDir: project, env: {} };
    const store = new VerificationStore(undefined);
    const lockFile = join(project, '.aam', 'aam-lock.yaml');
    const snap = async () => {
      const c = await loadConfig(location);
      return snapshotOf(c.policyContext(), false, materialOf(c));
    };
    store.setPolicy(lockFile, await snap(), new Date().toISOString());
    // Commit 2 (git pull): `.aam` is now a link to the user's ~/.aam (a devcontainer/Codespace home is guessable).
    await rename(join(project, '.aam'), join(root, 'old-aam'));
    await symlink(join(home, '.aam'), join(project, '.aam'));
    store.setPolicy(lockFile, await snap(), new Date().toISOString());
    const lost = store.lost(lockFile);
    assert.equal(lost.length, 1);
    assert.equal(lost[0]!.was, '*@evil.example');
    assert.equal(lost[0]!.file, join(project, '.aam', 'config.yaml'), 'the modal names the PROJECT file');

    const asked: string[] = [];
    const mock = vscode as unknown as Record<string, Record<string, unknown>>;
    Object.assign(mock.window!, {
      showWarningMessage: async (message: string, options: { detail: string }, ...buttons: string[]) => {
        asked.push(`${message}\n${options.detail}`);
        return buttons[0]; // "Add Them Back"
      },
    });
    Object.assign(mock.workspace!, { openTextDocument: async (uri: { fsPath: string }) => lineDocument(uri) });
    const workspace = { id: 'p', kind: 'project', paths: { root: project, lockFile }, lost };
    const model = {
      homeDir: home,
      globalConfigFile: global,
      workspaces: [workspace],
      acknowledgeLost: async () => {},
      refresh: async () => {},
    };
    await assert.rejects(
      reviewLostPolicy(model as never, { workspaceId: 'p' }),
      /\.aam is a symbolic link to .*would change your global policy\. Nothing was written\./,
    );
    assert.match(asked[0]!, /project\/\.aam\/config\.yaml/, 'the user was told it goes to the project config');
    assert.equal(await readFile(global, 'utf8'), GLOBAL, 'the global policy trusts no one new');
  });
});
