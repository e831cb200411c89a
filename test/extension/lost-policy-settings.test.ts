import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
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

const STRICT = `security:
  require_signature: true
  on_signature_failure: error
  hidden_content: error
  signature_threshold:
    "@acme/*": 2
  on_signer_change: warn
  allow_delegation: false
  require_registry_attestation: true
  trust_registry_attestations: false
  blocked_packages: ["@evil/*"]
`;
/** What `aam config set default_platform cursor` leaves of it: aam's model has none of AAM Trust's own settings. */
const REWRITTEN = `default_platform: cursor
security:
  require_checksum: true
  require_signature: true
  on_signature_failure: error
`;

/**
 * `aam config set` rewrites ~/.aam/config.yaml from aam's own model and drops AAM Trust's settings:
 * `hidden_content: error`, a signature threshold, `allow_delegation: false`, `require_registry_attestation`
 * each went back to its weaker default with no word. The policy memory now says so for every setting that got
 * weaker (as Trust Diff judges it), and "Add Them Back" writes each back with its type.
 */
describe('policy lost: AAM Trust settings aam drops', () => {
  it('each weakened setting is lost until added back, and is written back as it was', async () => {
    const root = await tempDir('lost-settings-');
    const home = join(root, 'home');
    const project = join(root, 'project');
    const global = join(home, '.aam', 'config.yaml');
    await mkdir(join(home, '.aam'), { recursive: true });
    await mkdir(join(project, '.aam'), { recursive: true });
    await writeFile(global, STRICT);
    const lockFile = join(project, '.aam', 'aam-lock.yaml');
    const store = new VerificationStore(undefined);
    const remember = async () => {
      const c = await loadConfig({ homeDir: home, projectDir: project, env: {} });
      store.setPolicy(lockFile, snapshotOf(c.policyContext(), false, materialOf(c)), new Date().toISOString());
    };
    await remember();
    await writeFile(global, REWRITTEN);
    await remember();
    const lost = store.lost(lockFile);
    assert.deepEqual(
      lost.map((l) => `${l.key}: ${l.was} (now ${l.now})`).sort(),
      [
        'allow_delegation: false (now true)',
        'blocked_packages: @evil/* (now undefined)',
        'hidden_content: error (now warn)',
        'require_registry_attestation: true (now false)',
        'signature_threshold: {"@acme/*":2} (now 1)',
      ],
      'on_signer_change went from warn to error (stronger): not lost',
    );
    assert.ok(lost.every((l) => l.file === global));

    const mock = vscode as unknown as Record<string, Record<string, unknown>>;
    Object.assign(mock.window!, {
      showWarningMessage: async (_message: string, _options: unknown, ...buttons: string[]) => buttons[0],
    });
    Object.assign(mock.workspace!, { openTextDocument: async (uri: { fsPath: string }) => lineDocument(uri) });
    const model = {
      homeDir: home,
      globalConfigFile: global,
      workspaces: [{ id: 'p', kind: 'project', paths: { root: project, lockFile }, lost }],
      acknowledgeLost: async () => {},
      refresh: async () => {},
    };
    await reviewLostPolicy(model as never, { workspaceId: 'p' });
    const back = (await loadConfig({ homeDir: home, projectDir: project, env: {} })).security;
    assert.deepEqual(
      [
        back.hidden_content,
        back.signature_threshold,
        back.allow_delegation,
        back.require_registry_attestation,
        back.blocked_packages,
      ],
      ['error', { '@acme/*': 2 }, false, true, ['@evil/*']],
      await readFile(global, 'utf8'),
    );
    await remember();
    assert.deepEqual(store.lost(lockFile), [], 'added back: nothing is lost any more');
  });

  it('a setting made stronger than it was since is no longer lost, and is not offered back', async () => {
    const root = await tempDir('lost-stronger-');
    const home = join(root, 'home');
    const global = join(home, '.aam', 'config.yaml');
    await mkdir(join(home, '.aam'), { recursive: true });
    const lockFile = join(root, 'project', '.aam', 'aam-lock.yaml');
    const store = new VerificationStore(undefined);
    const remember = async (text: string) => {
      await writeFile(global, text);
      const c = await loadConfig({ homeDir: home, env: {} });
      store.setPolicy(lockFile, snapshotOf(c.policyContext(), false, materialOf(c)), new Date().toISOString());
    };
    await remember(STRICT);
    await remember(REWRITTEN);
    assert.equal(store.lost(lockFile).length, 5);
    // The user sets a higher threshold for every package, hidden_content back to error, and delegations off.
    await remember(`${REWRITTEN}  hidden_content: error\n  signature_threshold: 3\n  allow_delegation: false\n`);
    assert.deepEqual(
      store.lost(lockFile).map((l) => l.key),
      ['blocked_packages', 'require_registry_attestation'],
    );
  });
});
