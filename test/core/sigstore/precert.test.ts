import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { X509Certificate } from '@sigstore/core';
import { createLocalCA } from '../../../dev/local-sigstore/ca.ts';
import { parseCertificate, precertTbs } from '../../../src/core/sigstore/fast/certificate.ts';

/** @sigstore/verify's way: drop the SCT extension from a parsed copy and re-encode the TBS. */
function referencePrecert(der: Buffer): Buffer {
  const clone = X509Certificate.parse(Buffer.from(der)).clone();
  const at = clone.extensions.findIndex((e) => e.subs[0]!.toOID() === '1.3.6.1.4.1.11129.2.4.2');
  clone.extensions.splice(at, 1);
  return Buffer.from(clone.tbsCertificate.toDER());
}

/**
 * A P-256 key whose SPKI ends with bytes that read as an [3] wrapper header
 * reaching exactly to the real extension list — what a byte scan for the
 * wrapper mistook for it (about one certificate in 500 did this).
 */
function decoyKey(): Buffer {
  for (;;) {
    const spki = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'der', type: 'spki' });
    for (let p = spki.length - 40; p < spki.length - 1; p++) {
      // From p to the extension list: the rest of the SPKI, the real wrapper header (4 bytes), the list header (4).
      const distance = spki.length - p + 4;
      if (spki[p] === 0xa3 && spki[p + 1] === (0x80 | (distance - 2))) return spki;
    }
  }
}

describe('the precertificate a CT log signed', () => {
  it('is rebuilt from the certificate structure, not by scanning its bytes', async () => {
    const ca = await createLocalCA();
    const keys = [
      decoyKey(),
      ...Array.from({ length: 20 }, () =>
        generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'der', type: 'spki' }),
      ),
    ];
    for (const publicKey of keys) {
      const der = await ca.issue({
        publicKey,
        san: { type: 'email', value: 'a@example.com' },
        issuer: 'https://issuer.example',
      });
      assert.deepEqual(precertTbs(parseCertificate(der)).toString('hex'), referencePrecert(der).toString('hex'));
    }
  });
});
