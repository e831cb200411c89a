import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as vscode from '../helpers/vscode-mock-publish.ts';
import { useVscodePublishMock } from '../helpers/vscode-mock-publish.ts';
import { loadConfig } from '../../src/core/config/load.ts';
import { workspacePaths } from '../../src/core/lockfile/paths.ts';
import { signersWorld } from '../helpers/signers.ts';
import { useLocalSigstore } from '../helpers/sigstore.ts';

useVscodePublishMock();
const { installPackage } = await import('../../src/extension/install-package.ts');

/**
 * Install Package… says what install found beside the verdict, as the CLI prints it: a signature that
 * does not verify beside the trusted one is installed under on_signature_failure: warn, with that warning.
 */
describe('Install Package… and a broken extra signature', () => {
  const local = useLocalSigstore();

  it('installs under warn and says which signature does not verify', { timeout: 120_000 }, async () => {
    const s = await signersWorld(local, (k) => `trusted_keys: ["${k.a}"]\non_signature_failure: warn`);
    await s.publish('tool', '1.0.0', [s.gpg('a')]);
    await s.forgeSignature('tool', '1.0.0');
    const config = await loadConfig({ homeDir: s.w.home, projectDir: s.w.project, restricted: false });
    const workspace = { kind: 'project', label: 'project', paths: workspacePaths(s.w.project), config };
    const shown: { kind: string; message: string }[] = [];
    const mock = vscode as unknown as Record<string, Record<string, unknown>>;
    Object.assign(mock.window!, {
      showQuickPick: async (items: { spec?: string; entry?: unknown }[]) =>
        items.find((i) => i.spec === 'tool') ?? items[0],
      withProgress: async (_o: unknown, task: (p: unknown, t: unknown) => Promise<unknown>) =>
        task({ report() {} }, { onCancellationRequested() {} }),
      showInformationMessage: async (message: string) => void shown.push({ kind: 'info', message }),
      showWarningMessage: async (message: string) => void shown.push({ kind: 'warning', message }),
      showErrorMessage: async (message: string) => void shown.push({ kind: 'error', message }),
    });
    await installPackage({
      refresh: async () => {},
      workspaces: [workspace],
      homeDir: s.w.home,
      restricted: false,
    } as never);
    assert.equal(shown.length, 1, JSON.stringify(shown));
    assert.equal(shown[0]!.kind, 'warning', JSON.stringify(shown));
    assert.match(shown[0]!.message, /Installed tool@1\.0\.0/);
    assert.match(shown[0]!.message, /One of its signatures is not valid: 1\.0\.0\.aam\.2\.asc/);
  });
});
