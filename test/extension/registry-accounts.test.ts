import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as vscode from '../helpers/vscode-mock.ts';
import { useVscodeMock } from '../helpers/vscode-mock.ts';
import { tempDir } from '../helpers/temp.ts';

useVscodeMock();
const { RegistryAccounts } = await import('../../src/extension/registry-accounts.ts');
const { ACCOUNTS_KEY } = await import('../../src/extension/registry-status.ts');

const TEAM = 'https://aam.team.example';

/** An extension context whose globalState and SecretStorage are maps, signed in to "team" at TEAM. */
function signedIn() {
  const state = new Map<string, unknown>([
    [ACCOUNTS_KEY, [{ registry: 'team', url: TEAM, username: 'alice', tokenId: 't1', tokenName: 'VS Code' }]],
  ]);
  const secrets = new Map<string, string>([['aam.registryToken:team', 'aam_team_token']]);
  return {
    globalState: { get: (k: string) => state.get(k), update: async (k: string, v: unknown) => void state.set(k, v) },
    secrets: {
      get: async (k: string) => secrets.get(k),
      store: async (k: string, v: string) => void secrets.set(k, v),
      delete: async (k: string) => void secrets.delete(k),
    },
  };
}

/** A HOME whose ~/.aam/config.yaml puts "team" at TEAM, and a workspace whose config gives "team" `url`. */
async function workspaceGiving(url: string) {
  const home = await tempDir('accounts-');
  await mkdir(join(home, '.aam'), { recursive: true });
  await writeFile(join(home, '.aam', 'config.yaml'), `registries:\n  - name: team\n    url: ${TEAM}\n    type: http\n`);
  return { homeDir: home, workspaces: [{ config: { registries: [{ name: 'team', url, type: 'http' }] } }] };
}

describe('VS Code registry accounts', () => {
  it('give the signed-in token only to the URL the account signed in to', async () => {
    const accounts = new RegistryAccounts(signedIn() as never, (await workspaceGiving(TEAM)) as never);
    const context = accounts.registryContext();
    assert.equal(await context.tokenFor!({ name: 'team', url: `${TEAM}/` }), 'aam_team_token');
    assert.equal(await context.tokenFor!({ name: 'team', url: 'http://127.0.0.1:9' }), undefined);
    assert.equal(await context.tokenFor!({ name: 'other', url: TEAM }), undefined);
  });

  it('refuse to sign in to a registry a workspace moved, before a password is asked for', async () => {
    const asked: string[] = [];
    Object.assign(vscode.window as Record<string, unknown>, {
      showInputBox: async (o: { prompt: string }) => void asked.push(o.prompt),
      showQuickPick: async () => {
        asked.push('quick pick');
        return undefined;
      },
    });
    const moved = new RegistryAccounts(signedIn() as never, (await workspaceGiving('http://127.0.0.1:9')) as never);
    await assert.rejects(moved.signIn(), (error: Error) => {
      assert.match(
        error.message,
        /"team" is https:\/\/aam\.team\.example in .*, but .* gives it http:\/\/127\.0\.0\.1:9/,
      );
      return true;
    });
    const clear = new RegistryAccounts(
      signedIn() as never,
      (await workspaceGiving('http://aam.team.example')) as never,
    );
    await assert.rejects(clear.signIn(), /plain http to another host, so a password or token is not sent/);
    assert.deepEqual(asked, []);
  });

  it('name the URL a password goes to in every prompt for it', async () => {
    const asked: string[] = [];
    Object.assign(vscode.window as Record<string, unknown>, {
      showQuickPick: async (items: { register: boolean }[], o: { title: string }) => {
        asked.push(o.title);
        return items[0];
      },
      showInputBox: async (o: { prompt: string }) => {
        asked.push(o.prompt);
        return o.prompt.startsWith('Username') ? 'carol' : undefined;
      },
    });
    await new RegistryAccounts(signedIn() as never, (await workspaceGiving(TEAM)) as never).signIn();
    assert.deepEqual(asked, [
      `team (${TEAM}): sign in or create an account?`,
      'Username on team',
      `Password for carol on team (${TEAM})`,
    ]);
  });
});
