import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LocalKeyServer } from '../../dev/keyserver.ts';
import { DirectoryKeyring, importPublicKey } from '../../src/core/openpgp/keyring.ts';
import { verifyDetachedSignature } from '../../src/core/openpgp/verify.ts';
import { cli } from '../helpers/cli.ts';
import { revokedKeyAndSignature } from '../helpers/revoked-key.ts';
import { makeWorld } from '../helpers/workspace.ts';

describe('aam-trust keys fetch / keys import of a key the AAM keyring already has', () => {
  let server: LocalKeyServer;
  let stale: string; // Alice's key before its revocation: what a stale or withholding keyserver serves
  let revoked: string; // the same key with her key-compromise revocation
  let fingerprint: string;
  let signature: Uint8Array;
  const data = new TextEncoder().encode('an archive the thief signed with the stolen key');
  before(async () => {
    ({ stale, revoked, fingerprint, signature } = await revokedKeyAndSignature(data));
    server = await LocalKeyServer.start();
    await server.add(stale);
  });
  after(async () => server?.close());

  const state = async (keysDir: string) =>
    (await verifyDetachedSignature(data, signature, new DirectoryKeyring(keysDir))).state;

  it('fetching the pre-revocation copy keeps the revocation and says so plainly', async () => {
    const w = await makeWorld();
    const keysDir = join(w.home, '.aam', 'keys');
    await importPublicKey(revoked, keysDir);
    const run = await cli(['keys', 'fetch', fingerprint, '--keyserver', server.url], { cwd: w.project, home: w.home });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /Already in the AAM keyring, unchanged \(.*\); it is not trusted\./);
    assert.match(
      run.stdout,
      /! This copy lacks the revocation of the key, which your AAM keyring has: kept, and the key stays revoked\./,
    );
    assert.equal(await state(keysDir), 'invalid');
    const json = await cli(['keys', 'fetch', '--json', fingerprint, '--keyserver', server.url], {
      cwd: w.project,
      home: w.home,
    });
    assert.deepEqual((JSON.parse(json.stdout) as { change: unknown }).change, {
      status: 'unchanged',
      added: [],
      kept: ['the revocation of the key'],
    });
  });

  it('importing an older copy from a file keeps the revocation too', async () => {
    const w = await makeWorld();
    const keysDir = join(w.home, '.aam', 'keys');
    await importPublicKey(revoked, keysDir);
    await writeFile(join(w.project, 'alice-old.asc'), stale);
    const run = await cli(['keys', 'import', 'alice-old.asc'], { cwd: w.project, home: w.home });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, new RegExp(`✓ Checked ${fingerprint} Alice <alice@example\\.com>`));
    assert.match(run.stdout, /Already in the AAM keyring, unchanged\./);
    assert.match(run.stdout, /! This copy lacks the revocation of the key, which your AAM keyring has: kept/);
    assert.equal(await state(keysDir), 'invalid');
  });

  it('importing the revocation into a key fetched earlier says what it added', async () => {
    const w = await makeWorld();
    const keysDir = join(w.home, '.aam', 'keys');
    const first = await cli(['keys', 'fetch', fingerprint, '--keyserver', server.url], {
      cwd: w.project,
      home: w.home,
    });
    assert.match(first.stdout, /Added to the AAM keyring \(.*\); it is not trusted\./);
    assert.equal(await state(keysDir), 'valid');
    await writeFile(join(w.project, 'alice-revoked.asc'), revoked);
    const run = await cli(['keys', 'import', 'alice-revoked.asc'], { cwd: w.project, home: w.home });
    assert.match(run.stdout, /Merged into the copy in the AAM keyring, which gained the revocation of the key\./);
    assert.doesNotMatch(run.stdout, /lacks/);
    assert.equal(await state(keysDir), 'invalid');
  });
});
