import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as vscode from '../helpers/vscode-mock-publish.ts';
import { useVscodePublishMock } from '../helpers/vscode-mock-publish.ts';
import { tempDir } from '../helpers/temp.ts';
import { loadConfig } from '../../src/core/config/load.ts';

useVscodePublishMock();
const { signIn, signOut } = await import('../../src/extension/sign-in-commands.ts');

/**
 * "AAM: Sign In to Sigstore" opens the OIDC issuer's sign-in page, where the user types their
 * identity provider's password: a repository's .aam/config.yaml must not choose it, as it cannot for
 * signing (signing-instance.ts).
 */
async function model(projectIssuer: string | undefined) {
  const root = await tempDir('sign-in-');
  const home = join(root, 'home');
  const project = join(root, 'project');
  await mkdir(join(home, '.aam'), { recursive: true });
  await mkdir(join(project, '.aam'), { recursive: true });
  await writeFile(
    join(home, '.aam', 'config.yaml'),
    'security:\n  sigstore_oidc_issuer: https://issuer.corp.example\n',
  );
  if (projectIssuer)
    await writeFile(join(project, '.aam', 'config.yaml'), `security:\n  sigstore_oidc_issuer: ${projectIssuer}\n`);
  const config = await loadConfig({ homeDir: home, projectDir: project, restricted: false });
  return { homeDir: home, workspaces: [{ config }] };
}

function session() {
  const issuers: { in: string[]; out: string[] } = { in: [], out: [] };
  const token = `e30.${Buffer.from(JSON.stringify({ sub: 'me', email: 'me@example.com', email_verified: true })).toString('base64url')}.x`;
  return {
    issuers,
    signIn: async (issuer: string) => (issuers.in.push(issuer), token),
    signOut: async (issuer: string) => void issuers.out.push(issuer),
  };
}

describe('Sign In to Sigstore', () => {
  const mock = vscode as unknown as Record<string, Record<string, unknown>>;
  Object.assign(mock.window!, {
    withProgress: async (_o: unknown, task: (p: unknown, t: unknown) => Promise<unknown>) =>
      task({ report() {} }, { onCancellationRequested() {} }),
    showInformationMessage: async () => undefined,
  });

  it("signs in at the global config's issuer", async () => {
    const s = session();
    await signIn((await model(undefined)) as never, s as never);
    assert.deepEqual(s.issuers.in, ['https://issuer.corp.example']);
  });

  it('refuses an issuer only the project config names, naming both, and opens nothing', async () => {
    const s = session();
    await assert.rejects(signIn((await model('https://phish.example')) as never, s as never), (error: Error) => {
      assert.match(error.message, /sigstore_oidc_issuer/);
      assert.match(error.message, /https:\/\/phish\.example/);
      assert.match(error.message, /https:\/\/issuer\.corp\.example/);
      return true;
    });
    assert.deepEqual(s.issuers.in, []);
  });

  it('still signs out where such a project points', async () => {
    const s = session();
    await signOut((await model('https://phish.example')) as never, s as never);
    assert.equal(s.issuers.out.length, 1);
  });
});
