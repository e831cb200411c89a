import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_POLICY, decide } from '../../../src/core/policy/decision.ts';
import type { Checks, DelegationFact, PolicyContext, SecurityPolicy } from '../../../src/core/policy/decision.ts';
import type { GpgSigner, Signer, SigstoreSigner } from '../../../src/core/policy/trust-match.ts';

const GOOGLE = 'https://accounts.google.com';
const REFUSED = 'https://issuer.not-allowed.example';
const person = (san: string, issuer: string): SigstoreSigner => ({
  type: 'sigstore',
  identity: { san, sanType: 'email', issuer },
  tlog: { logIndex: '1', url: undefined, integratedTime: '2026-06-01T00:00:00.000Z' },
  signedAt: '2026-06-01T00:00:00.000Z',
});
const key = (fingerprint: string): GpgSigner => ({
  type: 'gpg',
  fingerprint,
  signingKeyFingerprint: fingerprint,
  userIds: [],
  signedAt: '2026-06-01T00:00:00.000Z',
});
function checks(signer: Signer, delegations: DelegationFact[]): Checks {
  const check = { state: 'valid' as const, signer };
  return {
    name: '@acme/tool',
    integrity: { ok: true },
    signature: check,
    signatures: [{ file: '1.0.0.aam.sigstore.json', check }],
    delegations,
    revocations: [],
  };
}
const delegation = (id: string, by: Signer, to: DelegationFact['delegate'], maxDepth = 0): DelegationFact => ({
  id: `sha256:${id.padEnd(64, '0')}`,
  pattern: '@acme/*',
  delegate: to,
  until: '2027-01-01T00:00:00.000Z',
  issuedAt: '2026-01-01T00:00:00.000Z',
  maxDepth,
  signer: by,
});
const ctx = (overrides: Partial<SecurityPolicy>): PolicyContext => ({
  policy: { ...DEFAULT_POLICY, ...overrides },
  sourceOf: () => '/home/.aam/config.yaml',
  now: '2026-07-01T00:00:00.000Z',
});

describe('allowed_issuers along a delegation chain', () => {
  const policy = {
    trusted_identities: ['alice@example.com'],
    allowed_issuers: [GOOGLE],
    on_signature_failure: 'error' as const,
  };
  const alice = person('alice@example.com', GOOGLE);
  const carol = person('carol@partner.io', GOOGLE);
  // alice may let bob@partner.io (at any issuer: the delegation pins none) delegate one level further.
  const aliceToBob = delegation('a1', alice, { identity: 'bob@partner.io' }, 1);

  it('when a middle delegator comes from an issuer not in allowed_issuers, the chain is refused, naming the link and the issuer', () => {
    const bobToCarol = delegation('b1', person('bob@partner.io', REFUSED), { identity: 'carol@partner.io' });
    const v = decide(checks(carol, [aliceToBob, bobToCarol]), ctx(policy));
    assert.equal(v.action, 'fail');
    assert.equal(v.code, 'DELEGATION_REFUSED');
    assert.match(
      v.message,
      /delegation b10000000000 \(for @acme\/\*\) is signed by bob@partner\.io, whose issuer https:\/\/issuer\.not-allowed\.example is not in allowed_issuers/,
    );
  });

  it('the same chain through an allowed issuer is trusted', () => {
    const bobToCarol = delegation('b1', person('bob@partner.io', GOOGLE), { identity: 'carol@partner.io' });
    const v = decide(checks(carol, [aliceToBob, bobToCarol]), ctx(policy));
    assert.equal(v.code, 'VERIFIED', v.message);
  });

  it('without allowed_issuers, any issuer may stand in the chain', () => {
    const bobToCarol = delegation('b1', person('bob@partner.io', REFUSED), { identity: 'carol@partner.io' });
    const v = decide(checks(carol, [aliceToBob, bobToCarol]), ctx({ ...policy, allowed_issuers: [] }));
    assert.equal(v.code, 'VERIFIED', v.message);
  });

  it("a delegation by a trusted address's account at a refused issuer is refused for its issuer", () => {
    const byAliceElsewhere = delegation('c1', person('alice@example.com', REFUSED), { identity: 'carol@partner.io' });
    const v = decide(checks(carol, [byAliceElsewhere]), ctx(policy));
    assert.equal(v.code, 'DELEGATION_REFUSED');
    assert.match(
      v.message,
      /delegation c10000000000 \(for @acme\/\*\) is signed by alice@example\.com, whose issuer https:\/\/issuer\.not-allowed\.example is not in allowed_issuers/,
    );
  });

  it('an OpenPGP delegator is not judged by allowed_issuers (a key has no OIDC issuer)', () => {
    const fpr = 'A'.repeat(40);
    const byKey = delegation('d1', key(fpr), { identity: 'carol@partner.io' });
    const v = decide(checks(carol, [byKey]), ctx({ ...policy, trusted_keys: [fpr] }));
    assert.equal(v.code, 'VERIFIED', v.message);
  });
});
