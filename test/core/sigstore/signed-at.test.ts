import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { bundleFromJSON } from '@sigstore/bundle';
import { RFC3161Timestamp } from '@sigstore/core';
import { signWithSigstore } from '../../../src/core/sigstore/sign.ts';
import { verifySigstoreBundle } from '../../../src/core/sigstore/verify.ts';
import { staticToken } from '../../../src/core/sigstore/identity/providers.ts';
import { decide, DEFAULT_POLICY } from '../../../src/core/policy/decision.ts';
import type { DelegationFact, SignatureCheck } from '../../../src/core/policy/decision.ts';
import type { SigstoreSigner } from '../../../src/core/policy/trust-match.ts';
import type { TrustRootSource } from '../../../src/core/sigstore/trusted-root.ts';
import { useLocalSigstore } from '../../helpers/sigstore.ts';
import { SigstoreWorld } from '../../helpers/sigstore-world.ts';

/**
 * A Sigstore signature is judged at its signing time (a delegation must not
 * have expired by then), and that time is recorded and shown. Only a time a
 * third party signed may be it: the integrated time under a log's SET, or an
 * RFC 3161 stamp. A bundle's top-level `integratedTime` and `logIndex` are
 * plain JSON its author can rewrite once the SET is dropped (an inclusion
 * proof covers the entry's body only).
 */

const artifact = Buffer.from('a package archive');
const FORGED_TIME = '1700000000'; // 2023-11-14, years before the certificate

/** Both verifiers' checks, which must each be valid; returns the one signer they agree on. */
function signerOnBothPaths(bytes: Buffer, root: TrustRootSource): SigstoreSigner {
  const options = { root, requireTlog: true };
  const fast = verifySigstoreBundle(bytes, artifact, options);
  const reference = verifySigstoreBundle(bytes, artifact, { ...options, referenceOnly: true });
  assert.deepEqual(fast, reference);
  assert.equal(fast.state, 'valid', JSON.stringify(fast));
  return (fast as Extract<SignatureCheck, { state: 'valid' }>).signer as SigstoreSigner;
}

describe('the signing time of a Sigstore signature is one a third party vouches for', () => {
  describe('a TSA-stamped bundle whose SET was dropped and whose time and index were rewritten', () => {
    const local = useLocalSigstore();
    let original: Buffer;
    let tampered: Buffer;
    let stampedAt: string;
    let provenIndex: string;

    before(async () => {
      const signed = await signWithSigstore(artifact, {
        endpoints: local.endpoints(true),
        identityProvider: staticToken(local.instance().mintToken('bob@example.com')),
      });
      original = Buffer.from(signed.bytes);
      const json = JSON.parse(original.toString());
      const stamp = json.verificationMaterial.timestampVerificationData.rfc3161Timestamps[0].signedTimestamp;
      stampedAt = RFC3161Timestamp.parse(Buffer.from(stamp, 'base64')).signingTime.toISOString();
      const entry = json.verificationMaterial.tlogEntries[0];
      provenIndex = bundleFromJSON(json).verificationMaterial.tlogEntries[0]!.inclusionProof!.logIndex;
      delete entry.inclusionPromise;
      entry.integratedTime = FORGED_TIME;
      entry.logIndex = '31337';
      tampered = Buffer.from(JSON.stringify(json));
    });

    it('still verifies, signed at the TSA time, logged at the index its inclusion proof authenticates', () => {
      const signer = signerOnBothPaths(tampered, local.root());
      assert.equal(signer.signedAt, stampedAt);
      assert.deepEqual(signer.tlog, { logIndex: provenIndex, url: local.instance().url, integratedTime: undefined });
    });

    it('does not honour a delegation that expired before the signature was made', () => {
      const alice: SigstoreSigner = {
        type: 'sigstore',
        identity: { san: 'alice@example.com', sanType: 'email', issuer: local.instance().oidcIssuer },
        tlog: undefined,
        signedAt: '2023-01-01T00:00:00.000Z',
      };
      const delegation: DelegationFact = {
        id: `sha256:${'d'.repeat(64)}`,
        pattern: '@acme/*',
        delegate: { identity: 'bob@example.com' },
        until: '2024-01-01T00:00:00.000Z',
        issuedAt: '2023-01-01T00:00:00.000Z',
        maxDepth: 0,
        signer: alice,
      };
      const policy = {
        ...DEFAULT_POLICY,
        trusted_identities: ['alice@example.com'],
        require_signature: true,
        on_signature_failure: 'error' as const,
      };
      const verdictFor = (bundle: Buffer) =>
        decide(
          {
            name: '@acme/tool',
            integrity: { ok: true },
            signature: verifySigstoreBundle(bundle, artifact, { root: local.root(), requireTlog: true }),
            delegations: [delegation],
          },
          { policy, now: new Date().toISOString() },
        );
      assert.deepEqual([verdictFor(original).action, verdictFor(original).code], ['fail', 'DELEGATION_REFUSED']);
      const forged = verdictFor(tampered);
      assert.deepEqual([forged.action, forged.code], ['fail', 'DELEGATION_REFUSED'], forged.message);
      assert.match(forged.message, /expired on 2024-01-01T00:00:00.000Z, before the signature was made/);
    });
  });

  describe('entries of a synthetic world (no TSA)', () => {
    const world = new SigstoreWorld();
    const root = world.trustedRoot();
    const now = Math.floor(Date.now() / 1000);

    it("ignores a proof-only entry's rewritten time and index, and takes the other log's SET-covered entry", () => {
      const bundle = world.bundle(artifact, {
        entries: ({ body }) => [
          world.entry(body, { promise: false, integratedTime: FORGED_TIME, logIndex: 31337 }),
          world.entry(body, { log: 2, integratedTime: now, logIndex: 12 }),
        ],
      });
      const signer = signerOnBothPaths(bundle, root);
      const signedAt = new Date(now * 1000).toISOString();
      assert.equal(signer.signedAt, signedAt);
      assert.deepEqual(signer.tlog, { logIndex: '12', url: world.logUrl(2), integratedTime: signedAt });
    });

    it('takes the latest of several vouched-for times, so that no one log can backdate the signature', () => {
      const bundle = world.bundle(artifact, {
        entries: ({ body }) => [
          world.entry(body, { integratedTime: now - 30, logIndex: 5 }),
          world.entry(body, { log: 2, integratedTime: now, logIndex: 12 }),
        ],
      });
      const signer = signerOnBothPaths(bundle, root);
      assert.equal(signer.signedAt, new Date(now * 1000).toISOString());
      // The log entry shown is the first one whose index a SET covers.
      assert.deepEqual(signer.tlog, {
        logIndex: '5',
        url: world.logUrl(1),
        integratedTime: new Date((now - 30) * 1000).toISOString(),
      });
    });
  });
});
