import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createMessage, generateKey, sign } from 'openpgp';
import { ArmoredKeyring } from '../../../src/core/openpgp/keyring.ts';
import { verifyDetachedSignature } from '../../../src/core/openpgp/verify.ts';

/** A new-format packet header for tag 2 (signature) and a body length. */
function header(length: number): Buffer {
  if (length < 192) return Buffer.from([0xc2, length]);
  if (length < 8384) return Buffer.from([0xc2, ((length - 192) >> 8) + 192, (length - 192) & 0xff]);
  const b = Buffer.alloc(6);
  b[0] = 0xc2;
  b[1] = 0xff;
  b.writeUInt32BE(length, 2);
  return b;
}

/** Reads the one signature packet, and replaces its unhashed area. */
function withUnhashed(packet: Uint8Array, unhashed: Buffer): Buffer {
  const p = Buffer.from(packet);
  let offset = 1;
  let length: number;
  if (p[0]! & 0x40) {
    const first = p[offset++]!;
    if (first < 192) length = first;
    else if (first < 224) length = ((first - 192) << 8) + p[offset++]! + 192;
    else {
      length = p.readUInt32BE(offset + 0);
      offset += 4;
    }
  } else throw new Error('expected a new-format packet');
  const body = p.subarray(offset, offset + length);
  const hashedLength = body.readUInt16BE(4);
  const hashedEnd = 6 + hashedLength;
  const unhashedLength = body.readUInt16BE(hashedEnd);
  const rest = body.subarray(hashedEnd + 2 + unhashedLength);
  const size = Buffer.alloc(2);
  size.writeUInt16BE(unhashed.length);
  const newBody = Buffer.concat([body.subarray(0, hashedEnd), size, unhashed, rest]);
  return Buffer.concat([header(newBody.length), newBody]);
}

/**
 * keys2-review F6: a signature by an unknown key named, in its KEY_UNKNOWN verdict and its "Fetch key …", the
 * fingerprint its unchecked subpacket claims, not the key id looked up: a signature by Mallory's key claiming
 * Alice's told the user that Alice's trusted key, there all along, was missing, and sent them to fetch it.
 */
describe('a signature by a key not in the keyring', () => {
  it('names the key id looked up, and a fingerprint it claims only when that fingerprint ends with it', async () => {
    const alice = await generateKey({ userIDs: [{ name: 'Alice', email: 'alice@example.com' }], format: 'object' });
    const mallory = await generateKey({ userIDs: [{ name: 'Mallory', email: 'm@evil.io' }], format: 'object' });
    const T = alice.publicKey.getFingerprint().toUpperCase();
    const M = mallory.publicKey.getKeyID().toHex().toUpperCase();
    const data = new TextEncoder().encode('archive');
    const signature = (await sign({
      message: await createMessage({ binary: data }),
      signingKeys: mallory.privateKey,
      detached: true,
      format: 'binary',
    })) as Uint8Array;
    const keyring = new ArmoredKeyring(alice.publicKey.armor());
    const honest = await verifyDetachedSignature(data, signature, keyring);
    assert.deepEqual(honest.state === 'invalid' && [honest.code, honest.key], [
      'KEY_UNKNOWN',
      mallory.publicKey.getFingerprint().toUpperCase(),
    ]);
    // Unhashed: an issuer fingerprint of T, then the issuer key id of M, as gpg orders them.
    const claimed = Buffer.concat([Buffer.from([22, 33, 4]), Buffer.from(T, 'hex')]);
    const issuer = Buffer.concat([Buffer.from([9, 16]), Buffer.from(M, 'hex')]);
    const crafted = await verifyDetachedSignature(
      data,
      withUnhashed(signature, Buffer.concat([claimed, issuer])),
      keyring,
    );
    assert.equal(crafted.state, 'invalid');
    if (crafted.state !== 'invalid') return;
    assert.deepEqual([crafted.code, crafted.key], ['KEY_UNKNOWN', M]);
    assert.equal(
      crafted.reason,
      `it was made by key id ${M} (it also claims fingerprint ${T}), which is not in your keyring (~/.aam/keys or GnuPG)`,
    );
  });

  it('of a v6 key: names its fingerprint, which its key id starts (diff3-review 5)', async () => {
    const { privateKey } = await generateKey({
      type: 'curve25519',
      userIDs: [{ email: 'v6@example.com' }],
      format: 'object',
      config: { v6Keys: true },
    });
    const data = Buffer.from('archive');
    const signature = (await sign({
      message: await createMessage({ binary: data }),
      signingKeys: privateKey,
      detached: true,
      format: 'binary',
    })) as Uint8Array;
    const check = await verifyDetachedSignature(data, signature, new ArmoredKeyring(''));
    assert.deepEqual(check.state === 'invalid' && [check.code, check.key], [
      'KEY_UNKNOWN',
      privateKey.getFingerprint().toUpperCase(),
    ]);
  });
});
