import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { armor, enums, generateKey } from 'openpgp';
import { LocalKeyServer } from '../../dev/keyserver.ts';
import { cli } from '../helpers/cli.ts';
import { makeWorld } from '../helpers/workspace.ts';

/**
 * keys2-review F5: a keyserver serves every key anyone uploaded for an address; `keys fetch` took the first
 * that answered and never said there were others, so the user could not tell there was a choice to check.
 */
describe('keys fetch, when one answer holds several keys for the address', () => {
  let server: LocalKeyServer;
  before(async () => (server = await LocalKeyServer.start()));
  after(async () => server?.close());

  it('adds the first and names every other, without adding them', async () => {
    const first = await generateKey({ userIDs: [{ name: 'Alice', email: 'alice@example.com' }], format: 'object' });
    const second = await generateKey({ userIDs: [{ name: 'Alice A.', email: 'alice@example.com' }], format: 'object' });
    const both = Buffer.concat([Buffer.from(first.publicKey.write()), Buffer.from(second.publicKey.write())]);
    server.lie('alice@example.com', armor(enums.armor.publicKey, both));
    const w = await makeWorld();
    const hkp = server.url.replace('http://', 'hkp://');
    const [firstFpr, secondFpr] = [first, second].map((k) => k.publicKey.getFingerprint().toUpperCase());
    const run = await cli(['keys', 'fetch', 'alice@example.com', '--keyserver', hkp], { cwd: w.project, home: w.home });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, new RegExp(`✓ Found ${firstFpr}`));
    assert.match(
      run.stdout,
      new RegExp(
        `! The same answer held 1 other key for it, not imported:\\n    ${secondFpr} Alice A\\. <alice@example\\.com>\\n`,
      ),
    );
    assert.deepEqual(await readdir(join(w.home, '.aam', 'keys')), [`${firstFpr}.asc`]);
    const json = await cli(['keys', 'fetch', 'alice@example.com', '--keyserver', hkp, '--json'], {
      cwd: w.project,
      home: w.home,
    });
    assert.deepEqual(JSON.parse(json.stdout).others, [
      { fingerprint: secondFpr, userIds: ['Alice A. <alice@example.com>'] },
    ]);
  });
});
