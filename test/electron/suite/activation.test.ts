import * as assert from 'node:assert/strict';
import { describe, it } from 'mocha';
import * as vscode from 'vscode';
import { aamApi, suiteWorld } from './world.ts';

export function activationTests(): void {
  describe('Activation', () => {
    it('activates for a workspace with an .aam folder, on a Node the extension supports', async () => {
      const extension = vscode.extensions.getExtension('aam-trust.aam-trust');
      assert.ok(extension, 'AAM Trust is installed');
      // No test has activated it yet: the workspace's .aam folder did (workspaceContains:.aam).
      assert.equal(extension.isActive, true);
      assert.equal(vscode.workspace.workspaceFolders?.[0]?.uri.fsPath, suiteWorld().workspace);
      assert.ok(Number(process.versions.node.split('.')[0]) >= 22, `Node ${process.version}`);
      const api = await aamApi();
      assert.equal(typeof api.refresh, 'function');
      assert.equal(typeof api.statuses, 'function');
    });

    it('registers every command its package.json contributes', async () => {
      const extension = vscode.extensions.getExtension('aam-trust.aam-trust')!;
      const contributed = (extension.packageJSON as { contributes: { commands: { command: string }[] } }).contributes
        .commands;
      assert.ok(contributed.length > 20, `${contributed.length} commands contributed`);
      const registered = new Set(await vscode.commands.getCommands(true));
      const missing = contributed.map((c) => c.command).filter((id) => !registered.has(id));
      assert.deepEqual(missing, []);
    });
  });
}
