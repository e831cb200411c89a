import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { documents, FakeDocument, formFolders, mock } from '../helpers/policy-form.ts';

/**
 * AAM: Open Trust Policy, "Project policy", on a repository that commits `.aam` as a link to the
 * user's `~/.aam`. With no `~/.aam/config.yaml` yet, the command used to create the "project"
 * file, a starter policy with `require_signature: false`, which was the global config. It must
 * refuse before it writes or opens anything, as the form and Trust Signer do.
 */
const opened: unknown[][] = [];
Object.assign(mock.workspace, {
  fs: {
    stat: async (uri: { fsPath: string }) => statSync(uri.fsPath),
    writeFile: async (uri: { fsPath: string }, bytes: Uint8Array) => writeFileSync(uri.fsPath, bytes),
  },
  openTextDocument: async (uri: { fsPath: string }) => {
    const doc = new FakeDocument(uri.fsPath, readFileSync(uri.fsPath, 'utf8'));
    documents.push(doc);
    return doc;
  },
});
Object.assign(mock.window, { showQuickPick: async (items: unknown[]) => items[0] });
Object.assign(mock.commands, { executeCommand: async (...args: unknown[]) => opened.push(args) });

async function openTrustPolicy(model: unknown, repo: string): Promise<void> {
  Object.assign(mock.workspace, { workspaceFolders: [{ uri: mock.Uri.file(repo), name: 'repo' }] });
  const { commandHandlers } = await import('../../src/extension/commands.ts');
  const handlers = commandHandlers(model as never, ...([] as unknown as [never, never, never, never, never, never]));
  await (handlers['aam.openTrustPolicy'] as () => Promise<void>)();
}

describe('AAM: Open Trust Policy, on a project whose .aam links to ~/.aam', () => {
  it('refuses, and writes no starter policy into the global config', async () => {
    const { home, repo, globalFile, model } = await formFolders('');
    rmSync(globalFile);
    symlinkSync(join(home, '.aam'), join(repo, '.aam'));
    opened.length = 0;

    await assert.rejects(openTrustPolicy(model, repo), /\.aam is a symbolic link to .*would change your global policy/);
    assert.equal(existsSync(globalFile), false, 'the global config was created as the project policy');
    assert.deepEqual(opened, []);
  });

  it("refuses when the project's own .aam holds a config.yaml linked to a global config not made yet", async () => {
    const { repo, globalFile, model } = await formFolders('');
    rmSync(globalFile);
    mkdirSync(join(repo, '.aam'));
    symlinkSync(relative(join(repo, '.aam'), globalFile), join(repo, '.aam', 'config.yaml'));
    opened.length = 0;

    await assert.rejects(
      openTrustPolicy(model, repo),
      /config\.yaml is a symbolic link to .*would change your global policy/,
    );
    assert.equal(existsSync(globalFile), false, 'no starter policy through the dangling link');
    assert.deepEqual(opened, []);
  });

  it("creates a project's own starter policy, and opens it in the form", async () => {
    const { repo, globalFile, model } = await formFolders('security:\n  require_signature: true\n');
    mkdirSync(join(repo, '.aam'));
    opened.length = 0;

    await openTrustPolicy(model, repo);
    const projectFile = join(repo, '.aam', 'config.yaml');
    assert.match(readFileSync(projectFile, 'utf8'), /^security:\n {2}require_signature: false/m);
    assert.equal(readFileSync(globalFile, 'utf8'), 'security:\n  require_signature: true\n');
    assert.deepEqual(
      opened.map(([command, uri]) => [command, (uri as { fsPath: string }).fsPath]),
      [['vscode.openWith', projectFile]],
    );
  });
});
