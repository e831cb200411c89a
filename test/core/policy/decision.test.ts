import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_POLICY, decide } from '../../../src/core/policy/decision.ts';
import type { Checks, PolicyContext, SecurityPolicy } from '../../../src/core/policy/decision.ts';
import type { GpgSigner, SigstoreSigner } from '../../../src/core/policy/trust-match.ts';

const alice: SigstoreSigner = {
  type: 'sigstore',
  identity: { san: 'alice@example.com', sanType: 'email', issuer: 'https://accounts.example.com' },
  tlog: { logIndex: '7', url: 'http://127.0.0.1/rekor', integratedTime: undefined },
  signedAt: undefined,
};
const mallory: SigstoreSigner = { ...alice, identity: { ...alice.identity, san: 'mallory@evil.io' } };
const gpgKey: GpgSigner = {
  type: 'gpg',
  fingerprint: 'ABCD1234EF567890ABCD1234EF567890ABCD1234',
  signingKeyFingerprint: '1111222233334444555566667777888899990000',
  userIds: ['Alice <alice@example.com>'],
  signedAt: undefined,
};

const ok: Checks['integrity'] = { ok: true };
const signed = (signer: SigstoreSigner | GpgSigner): Checks => ({
  name: 'test-pkg',
  integrity: ok,
  signature: { state: 'valid', signer },
});
const unsigned: Checks = { name: 'test-pkg', integrity: ok, signature: { state: 'none' } };
const badSignature: Checks = {
  name: 'test-pkg',
  integrity: ok,
  signature: {
    state: 'invalid',
    type: 'sigstore',
    code: 'SIGNATURE_INVALID',
    reason: 'signature does not match the artifact',
  },
};

function ctx(overrides: Partial<SecurityPolicy> = {}): PolicyContext {
  const policy = { ...DEFAULT_POLICY, ...overrides };
  return { policy, sourceOf: (key) => (key in overrides ? '/project/.aam/config.yaml' : 'default') };
}

describe('trust decision, row 1: integrity', () => {
  it('fails with CHECKSUM_MISMATCH whatever the policy says, with expected and actual', () => {
    const checks: Checks = {
      name: 'test-pkg',
      integrity: {
        ok: false,
        code: 'CHECKSUM_MISMATCH',
        expected: 'sha256:aa',
        actual: 'sha256:bb',
        detail: 'Archive checksum does not match.',
      },
      signature: { state: 'valid', signer: alice },
    };
    for (const mode of ['ignore', 'warn', 'error'] as const) {
      const v = decide(checks, ctx({ on_signature_failure: mode, trusted_identities: ['alice@example.com'] }));
      assert.equal(v.action, 'fail');
      assert.equal(v.status, 'tampered');
      assert.equal(v.code, 'CHECKSUM_MISMATCH');
      assert.equal(v.expected, 'sha256:aa');
      assert.equal(v.actual, 'sha256:bb');
      assert.ok(v.hint);
    }
  });
  it('fails with FILES_MODIFIED when installed files changed', () => {
    const v = decide(
      {
        name: 'test-pkg',
        integrity: {
          ok: false,
          code: 'FILES_MODIFIED',
          expected: 'abc',
          actual: 'def',
          detail: 'prompt.md was modified',
        },
        signature: { state: 'none' },
      },
      ctx(),
    );
    assert.deepEqual([v.action, v.status, v.code], ['fail', 'tampered', 'FILES_MODIFIED']);
  });
});

describe('trust decision, row 2: on_signature_failure: ignore', () => {
  it('passes as skipped even for a bad signature', () => {
    const v = decide(badSignature, ctx({ on_signature_failure: 'ignore', require_signature: true }));
    assert.deepEqual([v.action, v.status, v.code], ['pass', 'skipped', 'SKIPPED']);
  });
});

describe('trust decision, row 3: no signature', () => {
  it('passes as unsigned when signatures are optional', () => {
    const v = decide(unsigned, ctx());
    assert.deepEqual([v.action, v.status, v.code], ['pass', 'unsigned', 'UNSIGNED']);
  });
  it('fails when require_signature is true, naming the rule and its file', () => {
    const v = decide(unsigned, ctx({ require_signature: true }));
    assert.deepEqual([v.action, v.status, v.code], ['fail', 'unsigned', 'UNSIGNED']);
    assert.deepEqual(v.rule, { key: 'require_signature', source: '/project/.aam/config.yaml' });
  });
  it('fails even when on_signature_failure is warn (a missing signature is not a signature failure)', () => {
    assert.equal(decide(unsigned, ctx({ require_signature: true, on_signature_failure: 'warn' })).action, 'fail');
  });
});

describe('trust decision, row 4: invalid signature', () => {
  it('warns under warn', () => {
    const v = decide(badSignature, ctx({ on_signature_failure: 'warn' }));
    assert.deepEqual([v.action, v.status, v.code], ['warn', 'invalid', 'SIGNATURE_INVALID']);
  });
  it('fails under error', () => {
    assert.equal(decide(badSignature, ctx({ on_signature_failure: 'error' })).action, 'fail');
  });
  it('treats a missing transparency-log proof as invalid and names verify_transparency_log', () => {
    const v = decide(
      {
        name: 'test-pkg',
        integrity: ok,
        signature: { state: 'invalid', type: 'sigstore', code: 'TLOG_MISSING', reason: 'no tlog entry' },
      },
      ctx({ on_signature_failure: 'error' }),
    );
    assert.deepEqual([v.action, v.code, v.rule?.key], ['fail', 'TLOG_MISSING', 'verify_transparency_log']);
  });
  it('treats an issuer outside allowed_issuers as invalid', () => {
    const v = decide(
      signed(alice),
      ctx({
        allowed_issuers: ['https://github.com/login/oauth'],
        trusted_identities: ['alice@example.com'],
        on_signature_failure: 'error',
      }),
    );
    assert.deepEqual([v.action, v.status, v.code], ['fail', 'invalid', 'ISSUER_NOT_ALLOWED']);
    assert.equal(v.actual, 'https://accounts.example.com');
  });
  it('accepts an issuer that is in allowed_issuers', () => {
    const v = decide(
      signed(alice),
      ctx({ allowed_issuers: ['https://accounts.example.com'], trusted_identities: ['alice@example.com'] }),
    );
    assert.equal(v.status, 'verified');
  });
});

describe('trust decision, row 5: trusted signer', () => {
  it('passes as verified, naming the pattern and its source', () => {
    const v = decide(signed(alice), ctx({ trusted_identities: ['*@example.com'] }));
    assert.deepEqual([v.action, v.status, v.code], ['pass', 'verified', 'VERIFIED']);
    assert.equal(v.trustedBy?.pattern, '*@example.com');
    assert.equal(v.trustedBy?.source, '/project/.aam/config.yaml');
  });
  it('trusts an OpenPGP signer by primary or signing-subkey fingerprint, spaces and case aside', () => {
    assert.equal(
      decide(signed(gpgKey), ctx({ trusted_keys: ['abcd 1234 ef56 7890 abcd 1234 ef56 7890 abcd 1234'] })).status,
      'verified',
    );
    assert.equal(
      decide(signed(gpgKey), ctx({ trusted_keys: ['1111222233334444555566667777888899990000'] })).status,
      'verified',
    );
  });
  it('never trusts by a short key id', () => {
    assert.notEqual(decide(signed(gpgKey), ctx({ trusted_keys: ['EF567890ABCD1234'] })).status, 'verified');
  });
});

describe('trust decision, row 6: valid but untrusted signer', () => {
  it('passes as signed (no trust policy) when both lists are empty and signatures are optional', () => {
    const v = decide(signed(mallory), ctx());
    assert.deepEqual([v.action, v.status, v.code], ['pass', 'signed-no-policy', 'SIGNED_NO_POLICY']);
  });
  it('applies on_signature_failure when a trust list is set', () => {
    const warn = decide(signed(mallory), ctx({ trusted_identities: ['alice@example.com'] }));
    assert.deepEqual([warn.action, warn.status, warn.code], ['warn', 'signed-untrusted', 'UNTRUSTED_SIGNER']);
    assert.equal(warn.actual, 'mallory@evil.io');
    assert.match(warn.expected ?? '', /alice@example.com/);
    const error = decide(
      signed(mallory),
      ctx({ trusted_identities: ['alice@example.com'], on_signature_failure: 'error' }),
    );
    assert.equal(error.action, 'fail');
  });
  it('applies on_signature_failure when lists are empty but signatures are required', () => {
    const v = decide(signed(mallory), ctx({ require_signature: true, on_signature_failure: 'error' }));
    assert.deepEqual([v.action, v.code], ['fail', 'UNTRUSTED_SIGNER']);
  });
  it('does not let an OpenPGP key list trust a Sigstore signer', () => {
    const v = decide(signed(alice), ctx({ trusted_keys: [gpgKey.fingerprint] }));
    assert.equal(v.code, 'UNTRUSTED_SIGNER');
  });
  it('ignores invalid trust entries rather than matching loosely', () => {
    const v = decide(signed(mallory), ctx({ trusted_identities: ['*', '.*', 'mallory@*'] }));
    assert.equal(v.code, 'UNTRUSTED_SIGNER');
  });
});
