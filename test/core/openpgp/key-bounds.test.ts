import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readKeys } from 'openpgp';
import { KEY_BOUNDS, keyProblem, MAX_SIGNATURES_PER_FILE } from '../../../src/core/openpgp/bounds.ts';
import { ArmoredKeyring, importPublicKey } from '../../../src/core/openpgp/keyring.ts';
import { verifyDetachedSignature } from '../../../src/core/openpgp/verify.ts';
import {
  armor,
  certifiedUserId,
  dsaKey,
  HASH,
  keyPackets,
  mpiOfBits,
  packet,
  rsaKey,
  signature,
} from '../../helpers/pgp-craft.ts';
import { tempDir } from '../../helpers/temp.ts';

const key = async (bytes: Buffer) => (await readKeys({ binaryKeys: bytes }))[0]!;

/**
 * OpenPGP keys and signatures from someone else are bounded before openpgp.js checks anything in them
 * (pgp-cost-review): it does a signature's arithmetic before its own algorithm and size checks, in BigInt for
 * hashes WebCrypto lacks — an RSA key with a 16,384-bit exponent held the registry's thread 4.5 s a signature,
 * a key of thousands of self-signatures minutes, and an .asc of 400 copies of one signature 4.6 s.
 */
describe('OpenPGP keys and signatures beyond any real one', () => {
  it('a key is within bounds with a real RSA size and exponent, and not with a huge one, DSA prime or count', async () => {
    assert.equal(keyProblem(await key(keyPackets(rsaKey(4096, 17), 'Alice <alice@example.com>'))), undefined);
    assert.match(
      keyProblem(await key(keyPackets(rsaKey(4096, 16_384))))!,
      /^has an RSA exponent of 16384 bits; at most 32/,
    );
    assert.match(
      keyProblem(await key(keyPackets(rsaKey(KEY_BOUNDS.rsaBits + 8, 17))))!,
      /^has an RSA modulus of 16392 bits; at most 16384/,
    );
    assert.match(keyProblem(await key(keyPackets(dsaKey(4096, 256))))!, /^has a DSA prime of 4096 bits; at most 3072/);
    const crafted = rsaKey(2048, 17);
    const users = Array.from({ length: KEY_BOUNDS.userIds + 1 }, (_, i) => packet(13, Buffer.from(`u${i} <u${i}@x>`)));
    assert.match(
      keyProblem(await key(Buffer.concat([keyPackets(crafted), ...users])))!,
      /^has 101 user IDs; at most 100/,
    );
    const certified = certifiedUserId(crafted, 'A <a@x>', HASH.sha256, [mpiOfBits(2040)], KEY_BOUNDS.signatures + 1);
    assert.match(
      keyProblem(await key(Buffer.concat([keyPackets(crafted), certified])))!,
      /^holds 501 signatures of its own; at most 500/,
    );
  });

  it("an upload's key beyond them is refused before its signature is checked, and import refuses it", async () => {
    const data = Buffer.from('an archive');
    const crafted = rsaKey(16_384, 16_384);
    const asc = armor('SIGNATURE', signature(data, crafted, HASH.sha224, [mpiOfBits(16_383)]));
    const keys = new ArmoredKeyring(armor('PUBLIC KEY BLOCK', keyPackets(crafted, 'Eve <eve@example.com>')));
    const check = await verifyDetachedSignature(data, Buffer.from(asc), keys);
    assert.equal(check.state, 'invalid');
    assert.equal(check.state === 'invalid' && check.code, 'SIGNATURE_INVALID');
    assert.match(
      check.state === 'invalid' ? check.reason : '',
      /^it was made by a key that cannot be used: key [0-9A-F]{40} in the key brought with it has an RSA exponent of 16384 bits; at most 32 are read: it is not read/,
    );
    await assert.rejects(
      importPublicKey(
        armor('PUBLIC KEY BLOCK', keyPackets(crafted, 'Eve <eve@example.com>')),
        await tempDir('bounds-'),
      ),
      (error: Error & { code?: string }) =>
        error.code === 'KEY_REFUSED' &&
        /^Nothing was imported: key [0-9A-F]{40} has an RSA exponent of 16384 bits/.test(error.message),
    );
  });

  it(`an .asc of more than ${MAX_SIGNATURES_PER_FILE} signatures is invalid unread`, async () => {
    const data = Buffer.from('an archive');
    const crafted = rsaKey(2048, 17);
    const one = signature(data, crafted, HASH.sha256, [mpiOfBits(2040)]);
    const check = await verifyDetachedSignature(
      data,
      Buffer.from(armor('SIGNATURE', Buffer.concat(Array.from({ length: 400 }, () => one)))),
      new ArmoredKeyring(armor('PUBLIC KEY BLOCK', keyPackets(crafted, 'Eve <eve@example.com>'))),
    );
    assert.deepEqual(check, {
      state: 'invalid',
      type: 'gpg',
      code: 'BUNDLE_INVALID',
      reason: `the .asc file holds 400 signatures; at most ${MAX_SIGNATURES_PER_FILE} are read (each signer adds a file of their own)`,
    });
  });
});
