/**
 * A Sigstore bundle whose transparency-log entry records another artifact's
 * digest is not a signature of this archive. In keyless signing the signer
 * picks the key, and with ECDSA one signature (r, s) can be made to verify
 * over two digests e1 = H(X) and e2 = H(Y): pick k, r = x(kG),
 * d = -(e1+e2)/(2r), s = (e1 + r*d)/k. Rekor, which checks the signature over
 * the digest it logs, accepts an entry for the harmless Y; shipped beside X,
 * the bundle's signature verifies over X too. Neither verifier library
 * compares the bundle's message digest with the artifact: we do, on both
 * paths. (ECDSA arithmetic from the signing review's repro.)
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createECDH, createHash, createPrivateKey, createPublicKey, sign, verify } from 'node:crypto';
import { bundleToJSON, toMessageSignatureBundle } from '@sigstore/bundle';
import { RekorWitness } from '@sigstore/sign';
import { verifySigstoreBundle } from '../../../src/core/sigstore/verify.ts';
import { decide, DEFAULT_POLICY } from '../../../src/core/policy/decision.ts';
import type { SignatureCheck } from '../../../src/core/policy/decision.ts';
import { useLocalSigstore } from '../../helpers/sigstore.ts';

const N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
const mod = (a: bigint) => ((a % N) + N) % N;
function inv(a: bigint): bigint {
  let [r0, r1, s0, s1] = [mod(a), N, 1n, 0n];
  while (r1 !== 0n) {
    const q = r0 / r1;
    [r0, r1] = [r1, r0 - q * r1];
    [s0, s1] = [s1, s0 - q * s1];
  }
  return mod(s0);
}
const toBig = (b: Buffer) => BigInt(`0x${b.toString('hex')}`);
const to32 = (n: bigint) => Buffer.from(n.toString(16).padStart(64, '0'), 'hex');
function pointOf(scalar: bigint): { x: Buffer; y: Buffer } {
  const ecdh = createECDH('prime256v1');
  ecdh.setPrivateKey(to32(scalar));
  const pub = ecdh.getPublicKey();
  return { x: pub.subarray(1, 33), y: pub.subarray(33, 65) };
}
function derInt(n: bigint): Buffer {
  let b = Buffer.from(n.toString(16).padStart(64, '0'), 'hex');
  while (b.length > 1 && b[0] === 0 && !(b[1]! & 0x80)) b = b.subarray(1);
  if (b[0]! & 0x80) b = Buffer.concat([Buffer.from([0]), b]);
  return Buffer.concat([Buffer.from([0x02, b.length]), b]);
}

/** An ECDSA P-256 key and one signature that verifies over both `x` and `y` (SHA-256). */
function dualSignature(x: Buffer, y: Buffer) {
  const e1 = mod(toBig(createHash('sha256').update(x).digest()));
  const e2 = mod(toBig(createHash('sha256').update(y).digest()));
  for (;;) {
    const k = mod(toBig(createHash('sha256').update(String(Math.random())).digest()));
    if (k === 0n) continue;
    const r = mod(toBig(pointOf(k).x));
    if (r === 0n) continue;
    const d = mod(-(e1 + e2) * inv(2n * r));
    if (d === 0n) continue;
    let s = mod((e1 + r * d) * inv(k));
    if (s === 0n) continue;
    if (s > N / 2n) s = N - s;
    const Q = pointOf(d);
    const jwk = {
      kty: 'EC',
      crv: 'P-256',
      d: to32(d).toString('base64url'),
      x: Q.x.toString('base64url'),
      y: Q.y.toString('base64url'),
    };
    const privateKey = createPrivateKey({ key: jwk, format: 'jwk' });
    const body = Buffer.concat([derInt(r), derInt(s)]);
    const signature = Buffer.concat([Buffer.from([0x30, body.length]), body]);
    return { privateKey, publicKey: createPublicKey(privateKey), signature };
  }
}

const malicious = Buffer.from('the archive that is installed (never logged)');
const benign = Buffer.from('a harmless archive whose digest is what the log records');
const EMAIL = 'alice@example.com';

describe('a Sigstore bundle whose Rekor entry is for another artifact', () => {
  const local = useLocalSigstore();
  let bundleBytes: Buffer;
  let loggedDigest: string;

  before(async () => {
    const url = local.instance().url;
    const { privateKey, publicKey, signature } = dualSignature(malicious, benign);
    assert.ok(verify('sha256', malicious, publicKey, signature), 'signature covers the malicious archive');
    assert.ok(verify('sha256', benign, publicKey, signature), 'the same signature covers the benign archive');
    // Fulcio: an ordinary certificate for alice, for our chosen key.
    const token = local.instance().mintToken(EMAIL);
    const response = await fetch(`${url}/api/v2/signingCert`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        credentials: { oidcIdentityToken: token },
        publicKeyRequest: {
          publicKey: { content: publicKey.export({ type: 'spki', format: 'pem' }) },
          proofOfPossession: sign('sha256', Buffer.from(EMAIL), privateKey).toString('base64'),
        },
      }),
    });
    assert.equal(response.status, 201);
    const leafPem = ((await response.json()) as { signedCertificateEmbeddedSct: { chain: { certificates: string[] } } })
      .signedCertificateEmbeddedSct.chain.certificates[0]!;
    const leafDer = Buffer.from(leafPem.replace(/-----[^-]+-----|\s/g, ''), 'base64');
    // Rekor: a hashedrekord entry for the BENIGN digest (the signature verifies over it, as Rekor checks).
    const benignDigest = createHash('sha256').update(benign).digest();
    const bundle = toMessageSignatureBundle({
      digest: benignDigest,
      signature,
      certificate: leafDer,
      certificateChain: false,
    });
    const witness = new RekorWitness({ rekorBaseURL: url, majorApiVersion: 1, fetchOnConflict: false });
    const material = await witness.testify(bundle.content, leafPem);
    bundle.verificationMaterial.tlogEntries = material.tlogEntries ?? [];
    bundle.verificationMaterial.timestampVerificationData = { rfc3161Timestamps: [] };
    bundleBytes = Buffer.from(JSON.stringify(bundleToJSON(bundle)));
    const body = JSON.parse(Buffer.from(bundle.verificationMaterial.tlogEntries[0]!.canonicalizedBody).toString());
    loggedDigest = body.spec.data.hash.value;
  });

  it('the log records only the benign digest, never the malicious archive', () => {
    assert.equal(loggedDigest, createHash('sha256').update(benign).digest('hex'));
    assert.notEqual(loggedDigest, createHash('sha256').update(malicious).digest('hex'));
  });

  for (const referenceOnly of [false, true]) {
    it(`${referenceOnly ? 'reference (@sigstore/verify)' : 'fast'} path: not a signature of the archive the log never saw`, () => {
      const check = verifySigstoreBundle(bundleBytes, malicious, {
        root: local.root(),
        requireTlog: true,
        referenceOnly,
      });
      assert.equal(check.state, 'invalid', JSON.stringify(check));
      assert.equal((check as Extract<SignatureCheck, { state: 'invalid' }>).code, 'SIGNATURE_INVALID');
      assert.match(
        (check as Extract<SignatureCheck, { state: 'invalid' }>).reason,
        /does not match this archive: the bundle's message digest, which its transparency-log entry records/,
      );
      // A digest handed in by the caller is the one compared (it hashed the archive already).
      const given = verifySigstoreBundle(bundleBytes, malicious, {
        root: local.root(),
        requireTlog: true,
        referenceOnly,
        artifactSha256: createHash('sha256').update(malicious).digest(),
      });
      assert.equal(given.state, 'invalid');
    });
  }

  it('the same bundle is a valid signature of the artifact the log records', () => {
    for (const referenceOnly of [false, true]) {
      const check = verifySigstoreBundle(bundleBytes, benign, { root: local.root(), requireTlog: true, referenceOnly });
      assert.equal(check.state, 'valid', JSON.stringify(check));
    }
  });

  it('the trust decision refuses the archive the log never saw', () => {
    const check = verifySigstoreBundle(bundleBytes, malicious, { root: local.root(), requireTlog: true });
    const verdict = decide(
      {
        name: '@acme/tool',
        integrity: { ok: true },
        signature: check,
        signatures: [{ file: '1.0.0.aam.sigstore.json', check }],
      },
      {
        policy: {
          ...DEFAULT_POLICY,
          trusted_identities: [EMAIL],
          require_signature: true,
          on_signature_failure: 'error',
        },
        now: new Date().toISOString(),
      },
    );
    assert.notEqual(verdict.code, 'VERIFIED', verdict.message);
  });
});
