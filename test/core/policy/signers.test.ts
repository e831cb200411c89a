import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_POLICY, decide } from '../../../src/core/policy/decision.ts';
import type {
  Checks,
  DelegationFact,
  PolicyContext,
  RevocationFact,
  SecurityPolicy,
} from '../../../src/core/policy/decision.ts';
import { thresholdFor } from '../../../src/core/policy/name-pattern.ts';
import type { GpgSigner, Signer, SigstoreSigner } from '../../../src/core/policy/trust-match.ts';

const ISSUER = 'https://accounts.example.com';
const person = (san: string, signedAt = '2026-06-01T00:00:00.000Z'): SigstoreSigner => ({
  type: 'sigstore',
  identity: { san, sanType: 'email', issuer: ISSUER },
  tlog: { logIndex: '1', url: undefined, integratedTime: signedAt },
  signedAt,
});
const alice = person('alice@example.com');
const bob = person('bob@partner.io');
const carol = person('carol@partner.io');
const mallory = person('mallory@evil.io');
const gpg = (fingerprint: string, signedAt = '2026-06-01T00:00:00.000Z'): GpgSigner => ({
  type: 'gpg',
  fingerprint,
  signingKeyFingerprint: fingerprint,
  userIds: [],
  signedAt,
});

const valid = (signer: Signer, file = 'x') => ({ file, check: { state: 'valid' as const, signer } });
function checks(
  name: string,
  signers: Signer[],
  delegations: DelegationFact[] = [],
  revocations: RevocationFact[] = [],
): Checks {
  const signatures = signers.map((s, i) => valid(s, `1.0.0.aam.${i}`));
  return { name, integrity: { ok: true }, signature: signatures[0]!.check, signatures, delegations, revocations };
}
function ctx(overrides: Partial<SecurityPolicy>, now = '2026-07-01T00:00:00.000Z'): PolicyContext {
  return { policy: { ...DEFAULT_POLICY, ...overrides }, sourceOf: () => '/home/.aam/config.yaml', now };
}
const delegation = (
  id: string,
  by: Signer,
  to: DelegationFact['delegate'],
  pattern = '@acme/*',
  extra: Partial<DelegationFact> = {},
): DelegationFact => ({
  id: `sha256:${id.padEnd(64, '0')}`,
  pattern,
  delegate: to,
  until: '2027-01-01T00:00:00.000Z',
  issuedAt: '2026-01-01T00:00:00.000Z',
  maxDepth: 0,
  signer: by,
  ...extra,
});
const trustAlice = { trusted_identities: ['alice@example.com'], on_signature_failure: 'error' as const };

describe('signature_threshold', () => {
  const policy = {
    trusted_identities: ['alice@example.com', 'bob@partner.io', 'carol@partner.io'],
    signature_threshold: 2,
  };
  it('a 2-of-3 threshold passes with two trusted signers', () => {
    const v = decide(checks('@acme/tool', [alice, bob]), ctx(policy));
    assert.equal(v.action, 'pass');
    assert.equal(v.code, 'VERIFIED');
    assert.match(
      v.message,
      /Signed by alice@example\.com and bob@partner\.io: 2 trusted signers \(signature_threshold 2\)/,
    );
    assert.deepEqual(
      v.signatures.map((s) => s.standing.state),
      ['trusted', 'trusted'],
    );
  });
  it('fails with one trusted plus one untrusted signer, naming both, whatever on_signature_failure says', () => {
    for (const mode of ['warn', 'error'] as const) {
      const v = decide(checks('@acme/tool', [alice, mallory]), ctx({ ...policy, on_signature_failure: mode }));
      assert.equal(v.action, 'fail');
      assert.equal(v.code, 'THRESHOLD_NOT_MET');
      assert.equal(v.rule?.key, 'signature_threshold');
      assert.match(
        v.message,
        /^1 of 2 required trusted signers: alice@example\.com \(trusted by "alice@example\.com"\); not counted: mallory@evil\.io \(not trusted\)\./,
      );
      assert.equal(v.expected, '2 distinct trusted signers');
      assert.equal(v.actual, '1: alice@example.com');
    }
  });
  it('counts a signer once, however many signatures it made', () => {
    const again = { ...alice, tlog: { logIndex: '2', url: undefined, integratedTime: alice.signedAt } };
    const v = decide(checks('@acme/tool', [alice, again]), ctx(policy));
    assert.equal(v.code, 'THRESHOLD_NOT_MET');
    assert.match(v.message, /^1 of 2/);
  });
  it('a bad extra signature neither counts nor hides a trusted one, and is judged on its own', () => {
    const c = checks('@acme/tool', [alice]);
    c.signatures!.push({
      file: '1.0.0.aam.2.asc',
      check: {
        state: 'invalid',
        type: 'gpg',
        code: 'SIGNATURE_INVALID',
        reason: 'the signature does not match this archive',
      },
    });
    const one = decide(c, ctx({ trusted_identities: ['alice@example.com'] }));
    assert.equal(one.code, 'VERIFIED');
    assert.deepEqual(
      one.signatures.map((s) => s.standing.state),
      ['trusted', 'invalid'],
    );
    const two = decide(c, ctx(policy));
    assert.equal(two.code, 'THRESHOLD_NOT_MET');
    assert.match(two.message, /an invalid gpg signature \(the signature does not match this archive\)/);
  });
  it('per name pattern: the most specific pattern applies, else 1', () => {
    const setting = { '*': 1, '@acme/*': 2, '@acme/special': 3 };
    assert.deepEqual(thresholdFor(setting, '@acme/special'), { value: 3, pattern: '@acme/special' });
    assert.deepEqual(thresholdFor(setting, '@acme/tool'), { value: 2, pattern: '@acme/*' });
    assert.deepEqual(thresholdFor(setting, '@other/tool'), { value: 1, pattern: '*' });
    assert.deepEqual(thresholdFor({ '@acme/*': 2 }, 'tool'), { value: 1 });
    const v = decide(checks('@acme/tool', [alice]), ctx({ ...policy, signature_threshold: { '@acme/*': 2 } }));
    assert.equal(v.code, 'THRESHOLD_NOT_MET');
    assert.match(v.message, /\(signature_threshold for @acme\/\*\)/);
    assert.equal(
      decide(checks('other', [alice]), ctx({ ...policy, signature_threshold: { '@acme/*': 2 } })).code,
      'VERIFIED',
    );
  });
  it('one signature under the default threshold decides as before', () => {
    const v = decide(checks('@acme/tool', [alice]), ctx({ trusted_identities: ['alice@example.com'] }));
    assert.equal(
      v.message,
      'Signed by alice@example.com (issuer https://accounts.example.com), trusted by "alice@example.com".',
    );
    const u = decide(checks('@acme/tool', [mallory]), ctx({ trusted_identities: ['alice@example.com'] }));
    assert.equal(u.code, 'UNTRUSTED_SIGNER');
    assert.equal(u.action, 'warn');
  });
});

describe('delegation', () => {
  const toBob = delegation('a1', alice, { identity: 'bob@partner.io' });
  it("trusts a delegate's signature through a valid delegation by a trusted signer, and says so", () => {
    const v = decide(checks('@acme/tool', [bob], [toBob]), ctx(trustAlice));
    assert.equal(v.action, 'pass');
    assert.equal(v.code, 'VERIFIED');
    assert.equal(
      v.message,
      'Signed by bob@partner.io (issuer https://accounts.example.com) — delegated by alice@example.com for @acme/* until 2027-01-01, trusted by "alice@example.com".',
    );
    const standing = v.signatures[0]!.standing;
    assert.equal(standing.state, 'delegated');
  });
  it('refuses a delegation for another pattern, naming the pattern and the package', () => {
    const v = decide(checks('@other/tool', [bob], [toBob]), ctx(trustAlice));
    assert.equal(v.action, 'fail');
    assert.equal(v.code, 'DELEGATION_REFUSED');
    assert.match(v.message, /delegation a10000000000 is for @acme\/\*, not @other\/tool/);
  });
  it('refuses a revoked delegation, naming who revoked it and when', () => {
    const revoked: RevocationFact = {
      id: 'sha256:r',
      delegation: toBob.id,
      signer: alice,
      at: '2026-05-01T00:00:00.000Z',
      reason: 'key lost',
    };
    const v = decide(checks('@acme/tool', [bob], [toBob], [revoked]), ctx(trustAlice));
    assert.equal(v.code, 'DELEGATION_REFUSED');
    assert.match(v.message, /was revoked by alice@example\.com \(issuer .*\) on 2026-05-01T00:00:00\.000Z: key lost/);
  });
  it('ignores a revocation by someone who is neither the delegator nor trusted', () => {
    const forged: RevocationFact = {
      id: 'sha256:f',
      delegation: toBob.id,
      signer: mallory,
      at: '2026-05-01',
      reason: '',
    };
    assert.equal(decide(checks('@acme/tool', [bob], [toBob], [forged]), ctx(trustAlice)).code, 'VERIFIED');
  });
  it('refuses a delegation that expired before the signature was made', () => {
    const expired = delegation('e1', alice, { identity: 'bob@partner.io' }, '@acme/*', {
      until: '2026-03-01T00:00:00.000Z',
    });
    const v = decide(checks('@acme/tool', [bob], [expired]), ctx(trustAlice));
    assert.equal(v.code, 'DELEGATION_REFUSED');
    assert.match(
      v.message,
      /expired on 2026-03-01T00:00:00\.000Z, before the signature was made \(2026-06-01T00:00:00\.000Z\)/,
    );
    // A Sigstore signature made (by the log's clock) while the delegation held still counts after it expires.
    const later = decide(
      checks('@acme/tool', [bob], [{ ...expired, until: '2026-06-02T00:00:00.000Z' }]),
      ctx(trustAlice),
    );
    assert.equal(later.code, 'VERIFIED');
  });
  it("an OpenPGP delegate's signature counts only while the delegation holds now: its date is its own claim", () => {
    const key = 'B'.repeat(40);
    const toKey = delegation('k1', alice, { fingerprint: key }, '@acme/*', { until: '2026-06-15T00:00:00.000Z' });
    assert.equal(
      decide(checks('@acme/tool', [gpg(key)], [toKey]), ctx(trustAlice, '2026-06-10T00:00:00.000Z')).code,
      'VERIFIED',
    );
    const v = decide(checks('@acme/tool', [gpg(key)], [toKey]), ctx(trustAlice, '2026-07-01T00:00:00.000Z'));
    assert.equal(v.code, 'DELEGATION_REFUSED');
    assert.match(v.message, /expired on 2026-06-15T00:00:00\.000Z; an OpenPGP signature's own date cannot show/);
  });
  it('refuses a delegation signed by a key the policy does not trust', () => {
    const byMallory = delegation('m1', mallory, { identity: 'bob@partner.io' });
    const v = decide(checks('@acme/tool', [bob], [byMallory]), ctx(trustAlice));
    assert.equal(v.code, 'DELEGATION_REFUSED');
    assert.match(
      v.message,
      /delegation m10000000000 is signed by mallory@evil\.io \(issuer .*\), who is not in your trust lists/,
    );
  });
  it('refuses a delegation whose own signature did not verify', () => {
    const broken = { ...toBob, signer: undefined, problem: 'the signature does not match this document' };
    const v = decide(checks('@acme/tool', [bob], [broken]), ctx(trustAlice));
    assert.equal(v.code, 'DELEGATION_REFUSED');
    assert.match(v.message, /is not validly signed \(the signature does not match this document\)/);
  });
  it('refuses every delegation when allow_delegation is false', () => {
    const v = decide(checks('@acme/tool', [bob], [toBob]), ctx({ ...trustAlice, allow_delegation: false }));
    assert.equal(v.code, 'DELEGATION_REFUSED');
    assert.equal(v.rule?.key, 'allow_delegation');
    assert.match(v.message, /allow_delegation is false/);
  });
  it('re-delegation only where the delegation allows it, and no deeper', () => {
    const bobToCarol = delegation('b1', bob, { identity: 'carol@partner.io' });
    const terminating = decide(checks('@acme/tool', [carol], [toBob, bobToCarol]), ctx(trustAlice));
    assert.equal(terminating.code, 'DELEGATION_REFUSED');
    assert.match(
      terminating.message,
      /delegation a10000000000 \(by alice@example\.com .*\) does not allow re-delegation/,
    );
    const open = { ...toBob, maxDepth: 1 };
    const v = decide(checks('@acme/tool', [carol], [open, bobToCarol]), ctx(trustAlice));
    assert.equal(v.code, 'VERIFIED');
    assert.match(
      v.message,
      /delegated by bob@partner\.io for @acme\/\* until 2027-01-01, via a delegation by alice@example\.com/,
    );
  });
  it('refuses a loop of delegations among untrusted signers', () => {
    const aToB = delegation('l1', carol, { identity: 'bob@partner.io' }, '@acme/*', { maxDepth: 2 });
    const bToA = delegation('l2', bob, { identity: 'carol@partner.io' }, '@acme/*', { maxDepth: 2 });
    const v = decide(checks('@acme/tool', [bob], [aToB, bToA]), ctx(trustAlice));
    assert.equal(v.code, 'DELEGATION_REFUSED');
    assert.match(v.message, /a delegation loop: carol@partner\.io .* → bob@partner\.io .* signs for itself/);
  });
  describe('toward a threshold, a delegate counts for the trusted signer at the top of its chain', () => {
    const dave = person('dave@example.com');
    const trustTwo = {
      trusted_identities: ['alice@example.com', 'dave@example.com'],
      on_signature_failure: 'error' as const,
      signature_threshold: 2,
    };
    it('one trusted signer and a second identity she delegated to are one signer', () => {
      const sock = delegation('s1', alice, { identity: 'mallory@evil.io' });
      const v = decide(checks('@acme/tool', [alice, mallory], [sock]), ctx(trustTwo));
      assert.equal(v.code, 'THRESHOLD_NOT_MET', v.message);
      assert.match(
        v.message,
        /^1 of 2 required trusted signers: alice@example\.com \(trusted by "alice@example\.com"\)/,
      );
      assert.match(
        v.message,
        /not counted: mallory@evil\.io \(delegated by alice@example\.com .*; counts as alice@example\.com, who counted already\)/,
      );
      // Alone, the delegate still counts as Alice's: the one signature is trusted, the threshold of 1 met.
      assert.equal(decide(checks('@acme/tool', [mallory], [sock]), ctx(trustAlice)).code, 'VERIFIED');
    });
    it("another trusted signer's delegate is a second signer", () => {
      const daveToBob = delegation('d1', dave, { identity: 'bob@partner.io' });
      const v = decide(checks('@acme/tool', [alice, bob], [daveToBob]), ctx(trustTwo));
      assert.equal(v.code, 'VERIFIED', v.message);
      assert.match(v.message, /2 trusted signers/);
    });
    it('a delegate of two trusted signers counts for whichever is free, in any order of the signatures', () => {
      const fromAlice = delegation('c1', alice, { identity: 'carol@partner.io' });
      const fromDave = delegation('c2', dave, { identity: 'carol@partner.io' });
      const aliceToBob = delegation('b2', alice, { identity: 'bob@partner.io' });
      const delegations = [fromAlice, fromDave, aliceToBob];
      for (const signers of [
        [alice, carol],
        [carol, alice],
        [carol, bob],
        [bob, carol],
      ])
        assert.equal(decide(checks('@acme/tool', signers, delegations), ctx(trustTwo)).code, 'VERIFIED');
      // Two delegates of Alice alone are still one signer.
      const v = decide(checks('@acme/tool', [bob, carol], [fromAlice, aliceToBob]), ctx(trustTwo));
      assert.equal(v.code, 'THRESHOLD_NOT_MET', v.message);
    });
    it('a re-delegated signer and its delegator count once, for the signer at the top', () => {
      const open = { ...toBob, maxDepth: 1 };
      const bobToCarol = delegation('b1', bob, { identity: 'carol@partner.io' });
      const v = decide(checks('@acme/tool', [bob, carol], [open, bobToCarol]), ctx(trustTwo));
      assert.equal(v.code, 'THRESHOLD_NOT_MET', v.message);
      assert.equal(
        decide(checks('@acme/tool', [bob, carol, dave], [open, bobToCarol]), ctx(trustTwo)).code,
        'VERIFIED',
      );
    });
  });
});
