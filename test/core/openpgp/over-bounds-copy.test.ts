import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  armor,
  config as pgpConfig,
  enums,
  PacketList,
  readKeys,
  readPrivateKey,
  revokeKey,
  SignaturePacket,
} from 'openpgp';
import type { PrivateKey } from 'openpgp';
import { exportPublicKey, runGpg } from '../../../src/core/openpgp/gnupg.ts';
import { importPublicKey } from '../../../src/core/openpgp/keyring.ts';
import { installedSignedBy } from '../../helpers/gpg.ts';
import { stopGnupgAtExit } from '../../helpers/temp.ts';
import { makeWorld } from '../../helpers/workspace.ts';

/** A package signed by a trusted key T in GnuPG, installed, and T's secret key (stolen: that is why it is revoked). */
async function signedWorld() {
  const w = await makeWorld();
  const gnupg = join(w.home, '.aam', 'gnupg');
  await mkdir(gnupg, { mode: 0o700 });
  stopGnupgAtExit(gnupg);
  const hourAgo = `${Math.floor(Date.now() / 1000) - 3600}`;
  const gen = await runGpg(
    ['--faked-system-time', hourAgo, '--pinentry-mode', 'loopback', '--passphrase', '', '--quick-gen-key'].concat([
      'Release <release@example.com>',
      'ed25519',
      'sign',
      'never',
    ]),
    { gpgHome: gnupg },
  );
  assert.equal(gen.code, 0, gen.stderr);
  const listed = await runGpg(['--with-colons', '--list-keys', 'release@example.com'], { gpgHome: gnupg });
  const T = /^fpr:+([0-9A-F]{40}):/m.exec(listed.stdout.toString())![1]!;
  const verdict = await installedSignedBy(w, T);
  const secret = await readPrivateKey({
    armoredKey: (await runGpg(['--armor', '--export-secret-keys', '--', T], { gpgHome: gnupg })).stdout.toString(),
  });
  return { w, gnupg, T, secret, verdict, keysDir: join(w.home, '.aam', 'keys') };
}

/** T with `count` more self-certifications of its user ID, made with the stolen key (no revocation among them). */
async function flooded(secret: PrivateKey, count: number): Promise<Uint8Array> {
  const user = secret.users[0]!;
  const packets = new PacketList();
  packets.push(secret.toPublic().keyPacket, user.userID!, ...user.selfCertifications);
  for (let i = 0; i < count; i++) {
    const sig = new SignaturePacket();
    sig.signatureType = enums.signature.certPositive;
    sig.publicKeyAlgorithm = secret.keyPacket.algorithm;
    sig.hashAlgorithm = enums.hash.sha256;
    // openpgp.js's own packet API, wider than its typings say (its key generation signs this way).
    const raw = sig as unknown as { keyFlags: number[]; sign(...args: unknown[]): Promise<void> };
    raw.keyFlags = [enums.keyFlags.certifyKeys | enums.keyFlags.signData];
    const at = new Date(Date.now() - (i + 1) * 1000);
    await raw.sign(secret.keyPacket, { key: secret.keyPacket, userID: user.userID }, at, false, pgpConfig);
    packets.push(sig);
  }
  return packets.write();
}

/**
 * keys2-review F2 and F3: a copy of a trusted key over the bounds (more self-signatures than any real key holds)
 * was left out of its keyring without a word, and another copy, without the key's revocation, decided alone.
 * Whoever stole the key could flood it on a keyserver; the user's `gpg --refresh-keys` or `keys fetch` brought it.
 */
describe('a copy of a key over the bounds', () => {
  it('in GnuPG, beside the revocation: the key is not read, and the package fails, saying why', async () => {
    const { gnupg, T, secret, verdict, keysDir } = await signedWorld();
    await importPublicKey(await exportPublicKey(gnupg, T), keysDir); // a copy without the revocation, from before
    const revocation = await readFile(join(gnupg, 'openpgp-revocs.d', `${T}.rev`), 'utf8');
    assert.equal(
      (await runGpg(['--import'], { gpgHome: gnupg, input: revocation.replace(':-----BEGIN', '-----BEGIN') })).code,
      0,
    );
    assert.equal((await verdict()).action, 'fail', 'the revocation in GnuPG counts');
    const imported = await runGpg(['--import'], { gpgHome: gnupg, input: await flooded(secret, 501) });
    assert.equal(imported.code, 0, imported.stderr);
    assert.match((await runGpg(['--with-colons', '--list-keys', T], { gpgHome: gnupg })).stdout.toString(), /^pub:r:/m);
    const v = await verdict();
    assert.equal(v.action, 'fail', JSON.stringify(v));
    assert.match(
      JSON.stringify(v),
      new RegExp(
        `cannot be used: key ${T} in GnuPG \\(.*\\) holds 50[0-9] signatures of its own; at most 500 are read: it is not read`,
      ),
    );
  });

  it('from keys fetch or import, merged into a stored copy: refused, and the stored file stays as it was', async () => {
    const { T, secret, verdict, keysDir } = await signedWorld();
    const { publicKey: revoked } = await revokeKey({
      key: secret,
      reasonForRevocation: { flag: enums.reasonForRevocation.keyCompromised },
      format: 'armored',
    });
    await importPublicKey(revoked, keysDir);
    const before = await readFile(join(keysDir, `${T}.asc`), 'utf8');
    assert.equal((await verdict()).action, 'fail', 'the revocation in ~/.aam/keys counts');
    await assert.rejects(
      importPublicKey(armor(enums.armor.publicKey, await flooded(secret, 499)), keysDir),
      (error: Error & { code?: string }) =>
        error.code === 'KEY_REFUSED' &&
        new RegExp(`^Nothing was imported: with the copy in .*${T}\\.asc, key ${T} holds 50[0-9] signatures`).test(
          error.message,
        ),
    );
    assert.equal(await readFile(join(keysDir, `${T}.asc`), 'utf8'), before);
    const [stored] = await readKeys({ armoredKeys: before });
    assert.equal(stored!.revocationSignatures.length, 1);
    assert.equal((await verdict()).action, 'fail');
  });
});
