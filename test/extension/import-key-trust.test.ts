import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { armor, enums, generateKey, readKey } from 'openpgp';
import * as vscode from '../helpers/vscode-mock.ts';
import { useVscodeMock } from '../helpers/vscode-mock.ts';
import { lineDocument } from '../helpers/line-document.ts';
import { tempDir } from '../helpers/temp.ts';

useVscodeMock();
const { importKey } = await import('../../src/extension/import-key.ts');

interface Item {
  label: string;
  description: string;
  detail: string;
  picked: boolean;
}

/**
 * AAM: Import OpenPGP Public Key…: a key file can hold several keys, one named like another, and a
 * notification cut at 1,000 characters named only the first before "Trust in Global Config" trusted them
 * all (extflows-review 2). Now each key is trusted only when checked in a list that shows every key by its
 * fingerprint, its user IDs on one line each, none checked beforehand.
 */
describe('Import Key: trusting what was imported', () => {
  it('lists every key by fingerprint, nothing checked, and trusts only the keys checked', async () => {
    const root = await tempDir('import-trust-');
    const home = join(root, 'home');
    await mkdir(join(home, '.aam'), { recursive: true });
    const globalFile = join(home, '.aam', 'config.yaml');
    await writeFile(globalFile, 'security:\n  require_signature: true\n');
    const long = `Alice Maintainer (release key; ${'see https://project.example/security for the rotation policy; '.repeat(16)})`;
    const keys = await Promise.all(
      [
        { name: long, email: 'alice@project.example' },
        { name: 'Alice Maintainer\u202e\n$(pass-filled)', email: 'alice@project.example' },
      ].map(async (userID) =>
        readKey({ armoredKey: (await generateKey({ userIDs: [userID], format: 'armored' })).publicKey }),
      ),
    );
    const [alice, mallory] = keys.map((k) => k.getFingerprint().toUpperCase()) as [string, string];
    const file = join(root, 'KEYS.asc');
    await writeFile(file, armor(enums.armor.publicKey, new Uint8Array([...keys[0]!.write(), ...keys[1]!.write()])));

    const said: string[] = [];
    let listed: Item[] = [];
    let options: { canPickMany?: boolean; title?: string } = {};
    const mock = vscode as unknown as Record<string, Record<string, unknown>>;
    Object.assign(mock.window!, {
      showOpenDialog: async () => [vscode.Uri.file(file)],
      showInformationMessage: async (message: string, ...buttons: string[]) => (said.push(message), buttons[0]),
      showWarningMessage: async () => undefined,
      showQuickPick: async (items: Item[], chosen: typeof options) => {
        listed = items;
        options = chosen;
        return items.filter((i) => i.label === alice);
      },
    });
    Object.assign(mock.workspace!, { openTextDocument: async (uri: { fsPath: string }) => lineDocument(uri) });
    await importKey({ homeDir: home, globalConfigFile: globalFile, refresh: async () => {} } as never);

    assert.deepEqual(said, [
      'Imported 2 OpenPGP key(s). Importing does not trust a key; check its fingerprint with its owner first.',
    ]);
    assert.equal(options.canPickMany, true);
    assert.match(options.title!, /of the 2 imported key\(s\)/);
    assert.deepEqual(
      listed.map((i) => [i.label, i.picked]),
      [
        [alice, false],
        [mallory, false],
      ],
    );
    assert.equal(listed[1]!.detail, 'Alice Maintainer<U+202E>\\n\\$(pass-filled) <alice@project.example>');
    const global = await readFile(globalFile, 'utf8');
    assert.ok(global.includes(alice), global);
    assert.ok(!global.includes(mallory), 'the key not checked is not trusted');
  });
});
