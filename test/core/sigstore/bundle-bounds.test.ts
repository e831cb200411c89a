import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { signWithSigstore } from '../../../src/core/sigstore/sign.ts';
import { MAX_CHAIN_CERTIFICATES, MAX_TLOG_ENTRIES, verifySigstoreBundle } from '../../../src/core/sigstore/verify.ts';
import { staticToken } from '../../../src/core/sigstore/identity/providers.ts';
import { useLocalSigstore } from '../../helpers/sigstore.ts';

const artifact = Buffer.from('the bytes of an .aam archive');

/**
 * Each transparency-log entry of a bundle is a certificate chain and a log proof checked, on the registry's
 * thread for every upload: a 1 MB bundle could repeat one entry hundreds of times (amplify2-review, estimated
 * 0.1–0.5 s a request). A bundle holds at most 8 entries and 10 chain certificates; a signature needs one of each.
 */
describe('Sigstore bundles beyond what a signature needs', () => {
  const local = useLocalSigstore();

  it('are invalid before any entry is checked, saying why, on both verification paths', async () => {
    const signed = await signWithSigstore(artifact, {
      endpoints: local.endpoints(false),
      identityProvider: staticToken(local.instance().mintToken('alice@example.com')),
    });
    const withEntries = (n: number) => {
      const json = JSON.parse(signed.bytes.toString());
      const [entry] = json.verificationMaterial.tlogEntries;
      json.verificationMaterial.tlogEntries = Array.from({ length: n }, () => entry);
      return Buffer.from(JSON.stringify(json));
    };
    for (const referenceOnly of [false, true]) {
      const verify = (bytes: Buffer) =>
        verifySigstoreBundle(bytes, artifact, { root: local.root(), requireTlog: true, referenceOnly });
      assert.equal(verify(signed.bytes).state, 'valid');
      const many = verify(withEntries(MAX_TLOG_ENTRIES + 1));
      assert.deepEqual(many, {
        state: 'invalid',
        type: 'sigstore',
        code: 'BUNDLE_INVALID',
        reason: `the bundle holds ${MAX_TLOG_ENTRIES + 1} transparency-log entries; at most ${MAX_TLOG_ENTRIES} are read`,
      });
      const json = JSON.parse(signed.bytes.toString());
      const cert = json.verificationMaterial.certificate;
      delete json.verificationMaterial.certificate;
      json.verificationMaterial.x509CertificateChain = {
        certificates: Array.from({ length: MAX_CHAIN_CERTIFICATES + 1 }, () => cert),
      };
      json.mediaType = 'application/vnd.dev.sigstore.bundle+json;version=0.2';
      const chain = verify(Buffer.from(JSON.stringify(json)));
      assert.equal(chain.state, 'invalid');
      assert.match(
        chain.state === 'invalid' ? chain.reason : '',
        /certificate chain holds 11 certificates; at most 10/,
      );
    }
  });
});
