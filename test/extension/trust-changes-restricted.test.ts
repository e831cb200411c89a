import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import * as vscode from '../helpers/vscode-mock.ts';
import { useVscodeMock } from '../helpers/vscode-mock.ts';
import { workspacePaths } from '../../src/core/lockfile/paths.ts';
import { hostileRepository } from '../helpers/hostile-git.ts';

useVscodeMock();
const { TrustChanges, compareTrustWith } = await import('../../src/extension/trust-changes.ts');

/**
 * The Trust Changes view compares the working tree with a git revision as
 * soon as the extension starts. git runs with the repository's own settings,
 * which a workspace an attacker wrote can carry (.git/config naming a
 * textconv, an fsmonitor): in Restricted Mode the view runs no git at all and
 * says why; trusted, it reads the base with git's programs turned off.
 */
describe('the Trust Changes view and git', () => {
  const modelOf = (dir: string, home: string) => {
    const workspace = {
      id: `project:${dir}`,
      label: 'project',
      kind: 'project',
      paths: workspacePaths(dir),
      config: undefined,
      reports: [],
      verifying: false,
      hasLockFile: true,
    };
    return {
      workspaces: [workspace],
      homeDir: home,
      globalConfigFile: join(home, '.aam', 'config.yaml'),
      get restricted() {
        return !vscode.workspace.isTrusted;
      },
      onDidChange: () => ({ dispose() {} }),
    };
  };

  it('in Restricted Mode runs no git, says so in the view, and refuses to pick a branch', async (t) => {
    const { dir, home, marker } = await hostileRepository();
    vscode.workspace.isTrusted = false;
    t.after(() => (vscode.workspace.isTrusted = true));
    const model = modelOf(dir, home);
    const view = new TrustChanges(model as never);
    await sleep(500);
    const [head] = view.getChildren() as { kind: string; error?: string }[];
    view.dispose();
    assert.equal(existsSync(marker), false, 'a program of the repository ran');
    assert.equal(head?.kind, 'head');
    assert.match(head?.error ?? '', /Restricted Mode: .* Trust the workspace to compare/);
    const before = vscode.logged.length;
    await compareTrustWith(view, model as never);
    assert.match(vscode.logged.slice(before).join('\n'), /Restricted Mode/);
    assert.equal(view.baseRevision, 'HEAD');
    assert.equal(existsSync(marker), false);
  });

  it('trusted, compares with HEAD without running the programs the repository names', async () => {
    const { dir, home, marker } = await hostileRepository();
    assert.equal(vscode.workspace.isTrusted, true);
    const view = new TrustChanges(modelOf(dir, home) as never);
    await view.compareWith('HEAD');
    const [head] = view.getChildren() as { kind: string; error?: string; diff?: unknown }[];
    view.dispose();
    assert.equal(existsSync(marker), false, 'a program of the repository ran');
    assert.equal(head?.error, undefined);
    assert.ok(head?.diff);
  });
});
