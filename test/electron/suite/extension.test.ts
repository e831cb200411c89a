import * as assert from 'node:assert/strict';
import Mocha from 'mocha';
import * as vscode from 'vscode';
import type { AamTrustApi } from '../../../src/extension.ts';

const LABEL: Record<string, string> = {
  verified: 'verified',
  'signed, untrusted': 'signed-untrusted',
  unsigned: 'unsigned',
  tampered: 'tampered',
  'installed without verification': 'unverified',
};

/** Mocha tests that run inside a desktop VS Code against the demo workspace. */
export function extensionSuite(root: Mocha.Suite): void {
  const suite = Mocha.Suite.create(root, 'AAM Trust in the extension host');
  let api: AamTrustApi;
  suite.beforeAll(async () => {
    const extension = vscode.extensions.getExtension<AamTrustApi>('aam-trust.aam-trust');
    assert.ok(extension, 'the extension is installed');
    api = await extension.activate();
    await api.refresh();
  });
  suite.addTest(
    new Mocha.Test('registers every AAM command', async () => {
      const commands = await vscode.commands.getCommands(true);
      for (const id of [
        'aam.publishSigned',
        'aam.verifyAll',
        'aam.trustSigner',
        'aam.showEffectivePolicy',
        'aam.signIn',
        'aam.prepareOffline',
      ])
        assert.ok(commands.includes(id), id);
    }),
  );
  suite.addTest(
    new Mocha.Test('verifies every demo package as expected', () => {
      const expected = JSON.parse(process.env.AAM_TEST_EXPECTED ?? '{}') as Record<string, string>;
      const statuses = api.statuses();
      for (const [name, label] of Object.entries(expected)) assert.equal(statuses[name], LABEL[label], name);
    }),
  );
  suite.addTest(
    new Mocha.Test('flags the untrusted and tampered packages in the lock file', () => {
      const folder = vscode.workspace.workspaceFolders![0]!.uri;
      const diagnostics = vscode.languages.getDiagnostics(vscode.Uri.joinPath(folder, '.aam', 'aam-lock.yaml'));
      assert.deepEqual(diagnostics.map((d) => String(d.code)).sort(), [
        'CHECKSUM_MISMATCH',
        'FILES_MODIFIED',
        'INSTALLED_WITHOUT_VERIFICATION',
        'UNTRUSTED_SIGNER',
      ]);
    }),
  );
}
