import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as openpgp from 'openpgp';
import { DirectoryKeyring, importPublicKey } from '../../../src/core/openpgp/keyring.ts';
import { verifyDetachedSignature } from '../../../src/core/openpgp/verify.ts';
import { tempDir } from '../../helpers/temp.ts';

/**
 * A key from a keyserver or WKD answer can carry another key's signing
 * subkey, bound by its own primary key but without the subkey's signature
 * back (which only the subkey's holder can make). Such a subkey is not stored
 * when the key is imported; and a key that holds one already (stored before)
 * does not hide the key that made a signature: it still verifies, as that
 * key's.
 */
describe('a key that claims another key’s signing subkey', () => {
  const archive = Buffer.from('@acme/tool 1.0.0');
  let trusted: openpgp.PrivateKey;
  let signature: Uint8Array;
  let borrowing: string;
  let borrowedFingerprint: string;

  before(async () => {
    ({ privateKey: trusted } = await openpgp.generateKey({
      userIDs: [{ name: 'Trusted', email: 'release@acme.example' }],
      subkeys: [{ sign: true }],
      format: 'object',
    }));
    signature = (await openpgp.sign({
      message: await openpgp.createMessage({ binary: archive }),
      signingKeys: trusted,
      detached: true,
      format: 'binary',
    })) as Uint8Array;
    const { privateKey: mallory } = await openpgp.generateKey({
      userIDs: [{ name: 'Mallory', email: 'keys@acme.example' }],
      format: 'object',
    });
    const borrowed = trusted.toPublic().subkeys[0]!;
    borrowedFingerprint = borrowed.getFingerprint();
    const binding = new openpgp.SignaturePacket();
    binding.signatureType = openpgp.enums.signature.subkeyBinding;
    binding.publicKeyAlgorithm = mallory.keyPacket.algorithm;
    binding.hashAlgorithm = openpgp.enums.hash.sha512;
    binding.keyFlags = new Uint8Array([openpgp.enums.keyFlags.signData]);
    binding.issuerKeyID = mallory.keyPacket.getKeyID();
    binding.issuerFingerprint = mallory.keyPacket.getFingerprintBytes();
    // openpgp.js's own binding code passes its config as a fifth argument, which the typings leave out.
    const signBinding = binding.sign.bind(binding) as (...args: unknown[]) => Promise<void>;
    await signBinding(
      mallory.keyPacket,
      { key: mallory.keyPacket, bind: borrowed.keyPacket },
      new Date(),
      false,
      openpgp.config,
    );
    const list = new openpgp.PacketList();
    list.push(...mallory.toPublic().toPacketList(), borrowed.keyPacket, binding);
    borrowing = (await openpgp.readKey({ binaryKey: list.write() })).armor();
  });

  it('is imported without the subkey it cannot sign back for', async () => {
    const dir = await tempDir('aam-keys-');
    const [stored] = await importPublicKey(borrowing, dir);
    const key = await openpgp.readKey({ armoredKey: await readFile(stored!.path, 'utf8') });
    assert.ok(!key.subkeys.some((s) => s.getFingerprint() === borrowedFingerprint), 'the borrowed subkey was stored');
  });

  it('stored beside the key that made a signature, does not hide it', async () => {
    const dir = await tempDir('aam-keys-');
    // As a keyring written before bindings were checked holds it: both files, the borrowing one first.
    await writeFile(join(dir, '0-borrowing.asc'), borrowing);
    await writeFile(join(dir, '1-trusted.asc'), trusted.toPublic().armor());
    const check = await verifyDetachedSignature(archive, signature, new DirectoryKeyring(dir));
    assert.equal(check.state, 'valid', JSON.stringify(check));
    assert.equal(
      check.state === 'valid' && check.signer.type === 'gpg' && check.signer.fingerprint,
      trusted.getFingerprint().toUpperCase(),
    );
  });
});
