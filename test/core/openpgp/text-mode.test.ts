import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as openpgp from 'openpgp';
import { ArmoredKeyring } from '../../../src/core/openpgp/keyring.ts';
import { verifyDetachedSignature } from '../../../src/core/openpgp/verify.ts';

/**
 * A text-mode OpenPGP signature (type 0x01, `gpg --textmode`) signs the data
 * with its line ends made canonical, so bytes that differ by CR LF for LF
 * verify under it too. AAM signs archives, delegations and approvals as
 * binary documents (0x00): a text-mode signature is refused, whatever bytes
 * it is checked against; a binary one of the same key still verifies.
 */
describe('an OpenPGP signature that is not of a binary document', () => {
  const signed = Buffer.from('line one\nline two\n');
  let keyring: ArmoredKeyring;
  let privateKey: openpgp.PrivateKey;

  before(async () => {
    ({ privateKey } = await openpgp.generateKey({ userIDs: [{ email: 'release@acme.example' }], format: 'object' }));
    keyring = new ArmoredKeyring(privateKey.toPublic().armor());
  });

  it('is refused, for the bytes signed and for bytes with other line ends', async () => {
    const message = await openpgp.createMessage({ text: signed.toString() });
    const signature = await openpgp.sign({ message, signingKeys: privateKey, detached: true, format: 'binary' });
    assert.equal((await openpgp.readSignature({ binarySignature: signature })).packets[0]!.signatureType, 0x01);
    for (const data of [signed, Buffer.from('line one\r\nline two\r\n')]) {
      const check = await verifyDetachedSignature(data, signature, keyring);
      assert.equal(check.state, 'invalid', JSON.stringify(check));
      assert.match(check.state === 'invalid' ? check.reason : '', /not of a binary document/);
    }
  });

  it('a binary signature by the same key verifies its bytes, and only them', async () => {
    const message = await openpgp.createMessage({ binary: signed });
    const signature = await openpgp.sign({ message, signingKeys: privateKey, detached: true, format: 'binary' });
    assert.equal((await verifyDetachedSignature(signed, signature, keyring)).state, 'valid');
    const other = await verifyDetachedSignature(Buffer.from('line one\r\nline two\r\n'), signature, keyring);
    assert.equal(other.state, 'invalid');
  });
});
