import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { createMessage, enums, generateKey, PacketList, readKey, revokeKey, sign } from 'openpgp';
import type { PublicKey } from 'openpgp';
import { runGpg } from '../../../src/core/openpgp/gnupg.ts';
import { combineKeyrings, DirectoryKeyring, GnupgKeyring, importPublicKey } from '../../../src/core/openpgp/keyring.ts';
import { verifyDetachedSignature } from '../../../src/core/openpgp/verify.ts';
import { verifierFromSettings } from '../../../src/core/signature/verifier.ts';
import { stopGnupgAtExit, tempDir } from '../../helpers/temp.ts';

const data = Buffer.from('an archive signed with a key its owner has since revoked\n');

/** A key with a signing subkey, its signature over `data` (made by the subkey), and the key once revoked. */
async function signer(name: string) {
  const { privateKey } = await generateKey({
    userIDs: [{ name, email: `${name.toLowerCase()}@example.com` }],
    subkeys: [{ sign: true }],
    format: 'object',
  });
  const signature = Buffer.from(
    (await sign({
      message: await createMessage({ binary: data }),
      signingKeys: privateKey,
      detached: true,
      format: 'binary',
    })) as Uint8Array,
  );
  const { publicKey: revoked } = await revokeKey({
    key: privateKey,
    reasonForRevocation: { flag: enums.reasonForRevocation.keyCompromised },
    format: 'object',
  });
  return { privateKey, stale: privateKey.toPublic(), revoked, signature };
}

/** The key without its subkeys: an older copy, from before the signing subkey was added. */
async function withoutSubkeys(key: PublicKey): Promise<string> {
  const list = new PacketList();
  list.push(key.keyPacket, ...key.revocationSignatures);
  for (const user of key.users) list.push(user.userID!, ...user.selfCertifications);
  return (await readKey({ binaryKey: list.write() })).armor();
}

async function gnupgHome(...armored: string[]): Promise<string> {
  const home = await tempDir('aam-gnupg-');
  stopGnupgAtExit(home);
  for (const key of armored) {
    const result = await runGpg(['--import'], { gpgHome: home, input: key });
    assert.equal(result.code, 0, result.stderr);
  }
  return home;
}

async function keysDir(...armored: string[]): Promise<string> {
  const dir = await tempDir('aam-keys-');
  for (const key of armored) await importPublicKey(key, dir);
  return dir;
}

describe('the AAM keyring and GnuPG hold copies of one key: the copies are merged', () => {
  let alice: Awaited<ReturnType<typeof signer>>;
  before(async () => void (alice = await signer('Alice')));

  /** The verdict of the verifier a run builds, and what each OpenPGP path says on the combined keyrings. */
  async function verdicts(keys: string, gpgHome: string) {
    const verifier = verifierFromSettings({ rootPath: undefined, requireTlog: false, keysDir: keys, gpgHome });
    const combined = combineKeyrings(new DirectoryKeyring(keys), new GnupgKeyring(gpgHome));
    const subkeyId = alice.privateKey.subkeys[0]!.getKeyID().toHex();
    return {
      run: (await verifier.verify('gpg', alice.signature, data)).state,
      reference: (await verifyDetachedSignature(data, alice.signature, combined, { referenceOnly: true })).state,
      // What the fast path (and every verification thread, which asks this) is told of the signing key.
      lean: (await verifier.leanKey(subkeyId, new Date()))?.valid,
    };
  }

  it('a revocation imported into GnuPG counts, though ~/.aam/keys holds the copy from before it', async () => {
    const verdict = await verdicts(await keysDir(alice.stale.armor()), await gnupgHome(alice.revoked.armor()));
    assert.deepEqual(verdict, { run: 'invalid', reference: 'invalid', lean: false });
  });

  it('a revocation in ~/.aam/keys counts, though GnuPG holds the copy from before it', async () => {
    const verdict = await verdicts(await keysDir(alice.revoked.armor()), await gnupgHome(alice.stale.armor()));
    assert.deepEqual(verdict, { run: 'invalid', reference: 'invalid', lean: false });
  });

  it('a revocation counts though its copy lacks the subkey that signed, which only the other copy has', async () => {
    const verdict = await verdicts(
      await keysDir(await withoutSubkeys(alice.revoked)),
      await gnupgHome(alice.stale.armor()),
    );
    assert.deepEqual(verdict, { run: 'invalid', reference: 'invalid', lean: false });
  });

  it('copies that agree verify as either alone, on both paths, with the same signer', async () => {
    const keys = await keysDir(await withoutSubkeys(alice.stale));
    const home = await gnupgHome(alice.stale.armor());
    const verifier = verifierFromSettings({ rootPath: undefined, requireTlog: false, keysDir: keys, gpgHome: home });
    const lean = await verifier.verify('gpg', alice.signature, data);
    const reference = await verifyDetachedSignature(
      data,
      alice.signature,
      combineKeyrings(new DirectoryKeyring(keys), new GnupgKeyring(home)),
      { referenceOnly: true },
    );
    assert.equal(lean.state, 'valid');
    assert.deepEqual(lean, reference);
  });
});

/** The `gpg --export` calls made while verifying each signer's signature twice, after a run's prefetch. */
async function exportsWhileVerifying(signers: Awaited<ReturnType<typeof signer>>[], keys: string, gpgHome: string) {
  // A gpg first on PATH that notes each call, then runs the real one.
  const bin = await tempDir('aam-gpg-shim-');
  const calls = join(bin, 'calls');
  await writeFile(calls, '');
  const path = process.env.PATH ?? '';
  await writeFile(join(bin, 'gpg'), `#!/bin/sh\necho "$@" >> '${calls}'\nPATH='${path}'\nexec gpg "$@"\n`);
  await chmod(join(bin, 'gpg'), 0o755);
  process.env.PATH = `${bin}${delimiter}${path}`;
  try {
    const verifier = verifierFromSettings({ rootPath: undefined, requireTlog: false, keysDir: keys, gpgHome });
    verifier.prefetchKeys(signers.map((s) => s.stale.getFingerprint()));
    for (const s of [...signers, ...signers])
      assert.equal((await verifier.verify('gpg', s.signature, data)).state, 'valid');
  } finally {
    process.env.PATH = path;
  }
  return (await readFile(calls, 'utf8')).split('\n').filter((line) => line.includes('--export'));
}

describe('GnuPG is asked once for the keys of a run', () => {
  it('one gpg --export for every key a run prefetches and every signing subkey it then verifies with', async () => {
    const inGnupg = await Promise.all(['Bob', 'Carol', 'Dan'].map(signer));
    const inAam = await signer('Erin');
    const home = await gnupgHome(...inGnupg.map((s) => s.stale.armor()));
    const exports = await exportsWhileVerifying([...inGnupg, inAam], await keysDir(inAam.stale.armor()), home);
    assert.equal(exports.length, 1, exports.join('\n'));
  });

  it('none when the GnuPG home has no keyring, and the keys are in ~/.aam/keys', async () => {
    const signers = await Promise.all(['Fay', 'Gus'].map(signer));
    const home = await tempDir('aam-empty-gnupg-');
    const exports = await exportsWhileVerifying(signers, await keysDir(...signers.map((s) => s.stale.armor())), home);
    assert.deepEqual(exports, []);
  });
});
