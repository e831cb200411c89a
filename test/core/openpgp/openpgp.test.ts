import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runGpg } from '../../../src/core/openpgp/gnupg.ts';
import { DirectoryKeyring, GnupgKeyring, importPublicKey } from '../../../src/core/openpgp/keyring.ts';
import { verifyDetachedSignature } from '../../../src/core/openpgp/verify.ts';
import { loadSigningKey, signDetached, signingKeySource } from '../../../src/core/openpgp/sign.ts';
import { isAamError } from '../../../src/core/errors.ts';
import { makeGpgHome } from '../../helpers/gpg.ts';
import { stopGnupgAtExit, tempDir } from '../../helpers/temp.ts';

const data = Buffer.concat([Buffer.from('an archive\n'), Buffer.from([0, 1, 2, 255, 13, 10])]);

describe('OpenPGP signatures, interoperating with real gpg', () => {
  let gpg: Awaited<ReturnType<typeof makeGpgHome>>;
  let file: string;
  before(async () => {
    gpg = await makeGpgHome([
      { uid: 'Alice <alice@example.com>', algo: 'ed25519' },
      { uid: 'Bob <bob@example.com>', algo: 'rsa3072', passphrase: 'correct horse' },
    ]);
    file = join(gpg.home, 'archive.aam');
    await writeFile(file, data);
  });

  for (const who of ['alice@example.com', 'bob@example.com']) {
    it(`verifies a detached signature made by gpg (${who === 'alice@example.com' ? 'ed25519' : 'RSA-3072'})`, async () => {
      const signed = await runGpg(
        [
          '--pinentry-mode',
          'loopback',
          '--passphrase',
          'correct horse',
          '--armor',
          '--local-user',
          who,
          '--output',
          '-',
          '--detach-sign',
          file,
        ],
        { gpgHome: gpg.home },
      );
      assert.equal(signed.code, 0, signed.stderr);
      const check = await verifyDetachedSignature(data, signed.stdout, new GnupgKeyring(gpg.home));
      assert.equal(check.state, 'valid');
      if (check.state === 'valid' && check.signer.type === 'gpg') {
        const uid = who === 'alice@example.com' ? 'Alice <alice@example.com>' : 'Bob <bob@example.com>';
        assert.equal(check.signer.fingerprint, gpg.fingerprints[uid]);
        assert.deepEqual(check.signer.userIds, [uid]);
        assert.ok(check.signer.signedAt);
      }
    });
  }

  it('makes signatures that gpg --verify accepts, with a passphrase-protected key from GnuPG', async () => {
    const asked: boolean[] = [];
    const key = await loadSigningKey(signingKeySource('bob@example.com', gpg.home), async (_label, retry) => {
      asked.push(retry);
      return 'correct horse';
    });
    assert.deepEqual(asked, [false]);
    await writeFile(`${file}.asc`, await signDetached(data, key));
    const result = await runGpg(['--status-fd', '1', '--verify', `${file}.asc`, file], { gpgHome: gpg.home });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout.toString(), new RegExp(`VALIDSIG ${gpg.fingerprints['Bob <bob@example.com>']}`));
  });

  it('asks again after a wrong passphrase and gives up with PASSPHRASE_WRONG', async () => {
    let prompts = 0;
    await assert.rejects(
      loadSigningKey(signingKeySource('bob@example.com', gpg.home), async () => (prompts++, 'wrong')),
      (e) => isAamError(e, 'PASSPHRASE_WRONG'),
    );
    assert.equal(prompts, 3);
  });

  it('reports a key that is not there with KEY_NOT_FOUND and how to list keys', async () => {
    await assert.rejects(
      loadSigningKey(signingKeySource('carol@example.com', gpg.home), async () => undefined),
      (e) => isAamError(e, 'KEY_NOT_FOUND') && /gpg --list-secret-keys/.test(e.hint ?? ''),
    );
  });

  it('rejects a tampered archive and an unknown signer', async () => {
    const key = await loadSigningKey(signingKeySource('alice@example.com', gpg.home), async () => undefined);
    const signature = await signDetached(data, key);
    const tampered = await verifyDetachedSignature(Buffer.from('different'), signature, new GnupgKeyring(gpg.home));
    assert.ok(tampered.state === 'invalid' && tampered.code === 'SIGNATURE_INVALID', JSON.stringify(tampered));
    const empty = await tempDir('aam-empty-gnupg-');
    stopGnupgAtExit(empty);
    const unknown = await verifyDetachedSignature(data, signature, new GnupgKeyring(empty));
    assert.ok(
      unknown.state === 'invalid' &&
        unknown.code === 'KEY_UNKNOWN' &&
        unknown.reason.includes(gpg.fingerprints['Alice <alice@example.com>']!),
      JSON.stringify(unknown),
    );
  });

  it('verifies with keys imported into the AAM keyring, and refuses to import secret keys', async () => {
    const keysDir = await tempDir('aam-keys-');
    const exported = await runGpg(['--armor', '--export', 'alice@example.com'], { gpgHome: gpg.home });
    const [imported] = await importPublicKey(exported.stdout.toString(), keysDir);
    assert.equal(imported?.fingerprint, gpg.fingerprints['Alice <alice@example.com>']);
    assert.deepEqual(await readdir(keysDir), [`${imported!.fingerprint}.asc`]);
    const key = await loadSigningKey(signingKeySource('alice@example.com', gpg.home), async () => undefined);
    assert.equal(
      (await verifyDetachedSignature(data, await signDetached(data, key), new DirectoryKeyring(keysDir))).state,
      'valid',
    );
    const secret = await runGpg(
      ['--pinentry-mode', 'loopback', '--passphrase', '', '--armor', '--export-secret-keys', 'alice@example.com'],
      { gpgHome: gpg.home },
    );
    await assert.rejects(
      importPublicKey(secret.stdout.toString(), keysDir),
      (e) => isAamError(e, 'USAGE') && /secret key/.test(e.message),
    );
  });

  it('signs with an armored key file', async () => {
    const secret = await runGpg(
      ['--pinentry-mode', 'loopback', '--passphrase', '', '--armor', '--export-secret-keys', 'alice@example.com'],
      { gpgHome: gpg.home },
    );
    const keyFile = join(gpg.home, 'alice-secret.asc');
    await writeFile(keyFile, secret.stdout);
    const key = await loadSigningKey(signingKeySource(keyFile, undefined), async () => undefined);
    assert.equal(key.fingerprint, gpg.fingerprints['Alice <alice@example.com>']);
    assert.equal(
      (await verifyDetachedSignature(data, await signDetached(data, key), new GnupgKeyring(gpg.home))).state,
      'valid',
    );
    assert.ok((await readFile(keyFile, 'utf8')).includes('PRIVATE KEY'));
  });
});
