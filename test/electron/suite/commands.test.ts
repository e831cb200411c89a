import * as assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, it, before, afterEach } from 'mocha';
import * as vscode from 'vscode';
import type { AamTrustApi } from '../../../src/extension.ts';
import {
  aamApi,
  closeAllEditors,
  entryLine,
  globalConfigUri,
  lockFileUri,
  packageRow,
  projectConfigUri,
  until,
} from './world.ts';

/** Waits for the active editor to show a document `check` accepts, and returns it. */
function activeDocument(what: string, check: (d: vscode.TextDocument) => boolean): Promise<vscode.TextDocument> {
  return until(
    what,
    () => {
      const document = vscode.window.activeTextEditor?.document;
      return document && check(document) && document;
    },
    {
      events: [vscode.window.onDidChangeActiveTextEditor],
      describe: () => vscode.window.activeTextEditor?.document.uri.toString() ?? 'no active editor',
    },
  );
}

export function commandTests(): void {
  describe('Commands on a package row', () => {
    let api: AamTrustApi;
    before(async () => {
      api = await aamApi();
      await api.refresh();
    });
    afterEach(closeAllEditors);

    it('AAM: Show in Lock File opens the lock file with the package entry selected', async () => {
      const row = await packageRow(api, '@community/prompt-pack');
      await vscode.commands.executeCommand('aam.showInLockFile', row.node);
      const document = await activeDocument('the lock file', (d) => d.uri.fsPath === lockFileUri().fsPath);
      const selection = vscode.window.activeTextEditor!.selection;
      assert.equal(selection.start.line, entryLine(document, '@community/prompt-pack'));
      assert.match(document.getText(selection), /@community\/prompt-pack/);
    });

    it('AAM: Reveal Bundle shows the Sigstore bundle of a Sigstore-signed package', async () => {
      await vscode.commands.executeCommand('aam.revealBundle', (await packageRow(api, '@demo/code-review')).node);
      const document = await activeDocument('the bundle', (d) => d.uri.fsPath.endsWith('.sigstore.json'));
      const bundle = JSON.parse(document.getText()) as { mediaType: string; verificationMaterial: unknown };
      assert.match(bundle.mediaType, /^application\/vnd\.dev\.sigstore\.bundle/);
      assert.ok(bundle.verificationMaterial);
    });

    it('AAM: Reveal Bundle shows the OpenPGP signature of a GPG-signed package', async () => {
      await vscode.commands.executeCommand('aam.revealBundle', (await packageRow(api, '@demo/release-notes')).node);
      const document = await activeDocument('the signature', (d) => d.uri.fsPath.endsWith('.asc'));
      assert.match(document.getText(), /^-----BEGIN PGP SIGNATURE-----/);
    });
  });

  describe('Policy commands', () => {
    afterEach(closeAllEditors);

    it('AAM: Show Effective Policy shows the merged policy, each value with the file it came from', async () => {
      await vscode.commands.executeCommand('aam.showEffectivePolicy');
      const document = await activeDocument('the effective policy', (d) => d.uri.scheme === 'aam-policy');
      assert.equal(document.languageId, 'yaml');
      const text = document.getText();
      // trusted_identities from the global policy, blocked_packages from the project's.
      assert.match(text, new RegExp(`^  trusted_identities:.*# ${escape(globalConfigUri().fsPath)}$`, 'm'));
      assert.match(text, new RegExp(`^  blocked_packages:.*# ${escape(projectConfigUri().fsPath)}$`, 'm'));
      assert.match(text, /^  require_signature: false/m);
      assert.ok(
        text.includes((await readFile(globalConfigUri().fsPath, 'utf8')).match(/trusted_keys:\n\s+- (\w+)/)![1]!),
      );
    });

    it('AAM: Open Trust Policy opens the project policy in its form editor', async () => {
      // It asks which policy, project (first) or global: accepted as a user would, with Enter.
      const command = vscode.commands.executeCommand('aam.openTrustPolicy');
      const tab = await until(
        'the policy form editor',
        async () => {
          const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
          if (input instanceof vscode.TabInputCustom) return input;
          await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
          return undefined;
        },
        { events: [vscode.window.tabGroups.onDidChangeTabs] },
      );
      await command;
      assert.equal(tab.viewType, 'aam.policyEditor');
      assert.equal(tab.uri.fsPath, projectConfigUri().fsPath);
    });
  });
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
