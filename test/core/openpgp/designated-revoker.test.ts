import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { config as pgpConfig, enums, PacketList, readKey, readPrivateKey, SignaturePacket } from 'openpgp';
import type { Key, PrivateKey } from 'openpgp';
import { runGpg } from '../../../src/core/openpgp/gnupg.ts';
import { mergeKeyCopies } from '../../../src/core/openpgp/key-merge.ts';
import { revokedByDesignee } from '../../../src/core/openpgp/designated-revoker.ts';
import { installedSignedBy } from '../../helpers/gpg.ts';
import { stopGnupgAtExit, tempDir } from '../../helpers/temp.ts';
import { makeWorld } from '../../helpers/workspace.ts';

const fingerprintOf = async (gnupg: string, email: string) =>
  /^fpr:+([0-9A-F]{40}):/m.exec(
    (await runGpg(['--with-colons', '--list-keys', email], { gpgHome: gnupg })).stdout.toString(),
  )![1]!;

/** R, a revoker kept apart, and T, a release key that names R as its designated revoker (GnuPG's `Revoker:`). */
async function keys(gnupg: string) {
  await mkdir(gnupg, { recursive: true, mode: 0o700 });
  stopGnupgAtExit(gnupg);
  const hourAgo = `${Math.floor(Date.now() / 1000) - 3600}`;
  const made = await runGpg(
    ['--faked-system-time', hourAgo, '--pinentry-mode', 'loopback', '--passphrase', '', '--quick-gen-key'].concat([
      'Revoker <revoker@example.com>',
      'ed25519',
      'sign',
      'never',
    ]),
    { gpgHome: gnupg },
  );
  assert.equal(made.code, 0, made.stderr);
  const R = await fingerprintOf(gnupg, 'revoker@example.com');
  const params = join(gnupg, '..', 'release-key.params');
  await writeFile(
    params,
    `%no-protection\nKey-Type: eddsa\nKey-Curve: ed25519\nKey-Usage: sign\nName-Real: Release\nName-Email: release@example.com\nRevoker: 22:${R}\nExpire-Date: 0\n%commit\n`,
  );
  assert.equal((await runGpg(['--gen-key', params], { gpgHome: gnupg })).code, 0);
  const T = await fingerprintOf(gnupg, 'release@example.com');
  const exported = async (fpr: string) =>
    readKey({ armoredKey: (await runGpg(['--armor', '--export', '--', fpr], { gpgHome: gnupg })).stdout.toString() });
  const secretOf = async (fpr: string) =>
    readPrivateKey({
      armoredKey: (await runGpg(['--armor', '--export-secret-keys', '--', fpr], { gpgHome: gnupg })).stdout.toString(),
    });
  return { R, T, exported, secretOf };
}

/** What `gpg --desig-revoke T` makes: a key revocation (0x20) of T by `by`. */
async function revocation(by: PrivateKey, of: Key): Promise<Uint8Array> {
  const packet = new SignaturePacket();
  packet.signatureType = enums.signature.keyRevocation;
  packet.publicKeyAlgorithm = by.keyPacket.algorithm;
  packet.hashAlgorithm = enums.hash.sha256;
  packet.reasonForRevocationFlag = enums.reasonForRevocation.keyCompromised;
  packet.reasonForRevocationString = 'stolen';
  const raw = packet as unknown as { sign(...args: unknown[]): Promise<void> };
  await raw.sign(by.keyPacket, { key: of.keyPacket }, new Date(), false, pgpConfig);
  const list = new PacketList();
  list.push(of.keyPacket, packet);
  return list.write();
}

/**
 * keys2-review F1: a key names a designated revoker, whose revocation of it counts as its own (GnuPG lists the
 * key as revoked). openpgp.js checks only the revocations the key made itself: a package signed by a trusted
 * key revoked that way for compromise verified.
 */
describe('a key revoked by its designated revoker', () => {
  it('in GnuPG: a package it signed fails, naming the revoker and the reason', async () => {
    const w = await makeWorld();
    const gnupg = join(w.home, '.aam', 'gnupg');
    const { R, T, exported, secretOf } = await keys(gnupg);
    const verdict = await installedSignedBy(w, T);
    assert.equal((await verdict()).action, 'pass', 'before the revocation');
    const imported = await runGpg(['--import'], {
      gpgHome: gnupg,
      input: await revocation(await secretOf(R), await exported(T)),
    });
    assert.equal(imported.code, 0, imported.stderr);
    assert.match((await runGpg(['--with-colons', '--list-keys', T], { gpgHome: gnupg })).stdout.toString(), /^pub:r:/m);
    const after = await verdict();
    assert.equal(after.action, 'fail', JSON.stringify(after));
    assert.match(after.message, new RegExp(`key ${T} was revoked by its designated revoker ${R} \\("stolen"\\)`));
    // The advice is about the key, not "the signature does not match this archive" (newuser-review 14).
    assert.match(after.hint ?? '', /^The key that made this signature was revoked\./);
  });

  describe('in the AAM keyring', () => {
    let made: Awaited<ReturnType<typeof keys>>;
    let revoker: PrivateKey;
    before(async () => {
      made = await keys(join(await tempDir('aam-desig-'), 'gnupg'));
      revoker = await made.secretOf(made.R);
    });

    it('an import keeps the revocation, and says whose it is', async () => {
      const stored = await made.exported(made.T);
      const offered = await readKey({ binaryKey: await revocation(revoker, stored) });
      const merge = await mergeKeyCopies(stored, offered);
      assert.deepEqual(merge.added, [`the revocation of the key by its designated revoker ${made.R}`]);
      const withR = await revokedByDesignee(merge.key, async () => [await made.exported(made.R)]);
      assert.match(withR ?? '', new RegExp(`was revoked by its designated revoker ${made.R}`));
      // Without the revoker's key at hand it cannot be told from anyone's (as GnuPG does): it does not count yet.
      assert.equal(await revokedByDesignee(merge.key, async () => []), undefined);
    });

    it("a revocation the revoker did not make is not one, and a key that names no revoker keeps no other key's revocation", async () => {
      const stored = await made.exported(made.T);
      // R's signature over another key's revocation data, moved onto T: issued by R, and not of T.
      const elsewhere = await readKey({ binaryKey: await revocation(revoker, await made.exported(made.R)) });
      const moved = new PacketList();
      moved.push(stored.keyPacket, elsewhere.revocationSignatures[0]!);
      const forged = await mergeKeyCopies(stored, await readKey({ binaryKey: moved.write() }));
      assert.equal(await revokedByDesignee(forged.key, async () => [await made.exported(made.R)]), undefined);
      // diff3-review 1: counted unchecked without the revoker's key, such a forgery disabled the key.
      assert.equal(await revokedByDesignee(forged.key, async () => []), undefined);
      // A key that names no revoker keeps no revocation another key made.
      const plain = await made.exported(made.R);
      const stranger = await readKey({ binaryKey: await revocation(await made.secretOf(made.T), plain) });
      assert.deepEqual((await mergeKeyCopies(plain, stranger)).added, []);
    });
  });
});
