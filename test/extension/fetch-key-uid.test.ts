import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { generateKey, readKey } from 'openpgp';
import * as vscode from '../helpers/vscode-mock.ts';
import { useVscodeMock } from '../helpers/vscode-mock.ts';
import { tempDir } from '../helpers/temp.ts';

useVscodeMock();
const { fetchKey } = await import('../../src/extension/fetch-key.ts');

/**
 * AAM: Fetch OpenPGP Key…: the key a keyserver or Web Key Directory answers with names itself. A user ID with
 * line breaks and a right-to-left override drew its own "From: …Web Key Directory of project.example" line and
 * pushed the real source 40 lines down (extflows-review 3). The source now comes first, and each user ID is
 * one line, its controls written out.
 */
describe('Fetch Key: the dialog shows user IDs as data', () => {
  let server: Server;
  let origin = '';
  let fingerprint = '';
  const forged = `Alice <alice@project.example>\nFrom: https://openpgpkey.project.example/ (Web Key Directory of project.example)${'\n'.repeat(40)}\u202e`;
  before(async () => {
    const key = await generateKey({ userIDs: [{ name: forged }], format: 'armored' });
    fingerprint = (await readKey({ armoredKey: key.publicKey })).getFingerprint().toUpperCase();
    server = createServer((_req, res) =>
      res.writeHead(200, { 'content-type': 'application/pgp-keys' }).end(key.publicKey),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `hkp://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  after(() => server.close());

  it('names the source first, then each user ID on one line', async () => {
    const dialog = capturedDialog();
    const model = {
      homeDir: await tempDir('fetch-uid-'),
      workspaces: [{ id: 'g', kind: 'global', paths: { lockFile: '' }, config: { security: { keyserver: origin } } }],
      refresh: async () => {},
    };
    await fetchKey(model as never, { key: fingerprint });
    const detail = dialog.detail;
    const lines = detail.split('\n');
    assert.match(lines[0]!, /^From: .*127\.0\.0\.1/);
    assert.equal(
      lines[1],
      `User ID (as the key claims it): Alice <alice@project.example>\\nFrom: https://openpgpkey.project.example/ (Web Key Directory of project.example)${'\\n'.repeat(40)}<U+202E>`,
    );
    assert.equal(lines.length, 4, detail); // the source, one user ID, a blank line and the advice
    assert.ok(!detail.includes('\u202e'));
  });
});

/** keys2-review F5: the answer held other keys for the address; the dialog names them, and only the first is added. */
describe('Fetch Key: an answer with several keys for the address', () => {
  it('names the others in the dialog', async () => {
    const first = await generateKey({ userIDs: [{ name: 'Alice', email: 'alice@example.com' }], format: 'object' });
    const second = await generateKey({ userIDs: [{ name: 'Alice A.', email: 'alice@example.com' }], format: 'object' });
    const both = Buffer.concat([Buffer.from(first.publicKey.write()), Buffer.from(second.publicKey.write())]);
    const server = createServer((_req, res) => res.writeHead(200).end(both));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const before = process.env.AAM_WKD_ORIGIN;
    process.env.AAM_WKD_ORIGIN = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    try {
      const dialog = capturedDialog();
      const model = {
        homeDir: await tempDir('fetch-several-'),
        workspaces: [{ id: 'g', kind: 'global', paths: { lockFile: '' }, config: { security: {} } }],
        refresh: async () => {},
      };
      await fetchKey(model as never, { key: 'alice@example.com' });
      const detail = dialog.detail;
      const lines = detail.split('\n');
      const at = lines.indexOf('The same answer held 1 other key(s) for it, not added:');
      assert.ok(at > 0, detail);
      assert.equal(lines[at + 1], `${second.publicKey.getFingerprint().toUpperCase()} Alice A. <alice@example.com>`);
    } finally {
      if (before === undefined) delete process.env.AAM_WKD_ORIGIN;
      else process.env.AAM_WKD_ORIGIN = before;
      server.close();
    }
  });
});

/** Fetch Key's progress runs its task, and its closing dialog's detail is kept: what the user is shown. */
function capturedDialog(): { detail: string } {
  const shown = { detail: '' };
  const mock = vscode as unknown as Record<string, Record<string, unknown>>;
  Object.assign(mock.window!, {
    withProgress: async (_options: unknown, task: () => Promise<unknown>) => task(),
    showInformationMessage: async (_message: string, options?: { detail?: string }) => {
      if (options?.detail) shown.detail = options.detail;
      return undefined;
    },
  });
  return shown;
}
