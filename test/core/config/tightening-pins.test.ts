import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mergeConfigFiles } from '../../../src/core/config/load.ts';
import type { ConfigFileState } from '../../../src/core/config/load.ts';
import { decide } from '../../../src/core/policy/decision.ts';
import type { Checks } from '../../../src/core/policy/decision.ts';
import type { SigstoreSigner } from '../../../src/core/policy/trust-match.ts';

/**
 * spec3-review D2: issuer pins a project adds narrow whom a pattern trusts, but one signer counts toward
 * signature_threshold once per issuer it is pinned to, so a project pinning a pattern to two issuers made
 * one person, verified at two issuers, meet a threshold of 2 — in Restricted Mode, with no finding.
 */
const GOOGLE = 'https://accounts.google.com';
const GITHUB = 'https://github.com/login/oauth';

const signer = (san: string, issuer: string): SigstoreSigner => ({
  type: 'sigstore',
  identity: { san, sanType: 'email', issuer },
  tlog: { logIndex: '1', url: undefined, integratedTime: '2026-06-01T00:00:00.000Z' },
  signedAt: '2026-06-01T00:00:00.000Z',
});

/** One person's two signatures on a version: the same address, verified at Google and at GitHub. */
function signedTwiceBy(san: string): Checks {
  return {
    name: '@acme/tool',
    integrity: { ok: true },
    signature: { state: 'valid', signer: signer(san, GOOGLE) },
    signatures: [
      { file: '1.0.0.aam.sigstore.json', check: { state: 'valid', signer: signer(san, GOOGLE) } },
      { file: '1.0.0.aam.2.sigstore.json', check: { state: 'valid', signer: signer(san, GITHUB) } },
    ],
  };
}

function files(global: Record<string, unknown>, project: Record<string, unknown>): ConfigFileState[] {
  const state = (layer: 'global' | 'project', path: string, security: Record<string, unknown>): ConfigFileState => ({
    layer,
    path,
    exists: true,
    diagnostics: [],
    value: { security },
  });
  return [state('global', '/home/u/.aam/config.yaml', global), state('project', '/repo/.aam/config.yaml', project)];
}

const restricted = (global: Record<string, unknown>, project: Record<string, unknown>) =>
  mergeConfigFiles(files(global, project), true, '/home/u', true);

const pinnedTwice = {
  trusted_identities: [
    { identity: '*@example.com', issuer: GOOGLE },
    { identity: '*@example.com', issuer: GITHUB },
  ],
};

describe('issuer pins a project adds, under a signature_threshold above 1', () => {
  for (const [what, global] of [
    ['a global list that trusts the pattern unpinned', { trusted_identities: ['*@example.com'] }],
    ['an open global policy (no trust lists)', {}],
  ] as const) {
    it(`${what}: one person is one signer, and the pins are named`, () => {
      const config = restricted({ ...global, signature_threshold: 2, on_signature_failure: 'error' }, pinnedTwice);
      const verdict = decide(signedTwiceBy('mallory@example.com'), config.policyContext());
      assert.equal(verdict.action, 'fail', verdict.message);
      assert.equal(verdict.code, 'THRESHOLD_NOT_MET');
      assert.equal(config.findings.length, 1, JSON.stringify(config.findings));
      assert.equal(config.findings[0]!.kind, 'weakens');
      assert.match(
        config.findings[0]!.message,
        /pins "\*@example\.com \(issuer https:\/\/accounts\.google\.com\)".*once for each issuer/,
      );
    });
  }

  it('overlapping patterns pinned to one issuer each: still one signer', () => {
    const config = restricted(
      {
        trusted_identities: ['alice@example.com', '*@example.com'],
        signature_threshold: 2,
        on_signature_failure: 'error',
      },
      {
        trusted_identities: [
          { identity: 'alice@example.com', issuer: GOOGLE },
          { identity: '*@example.com', issuer: GITHUB },
        ],
      },
    );
    const verdict = decide(signedTwiceBy('alice@example.com'), config.policyContext());
    assert.equal(verdict.code, 'THRESHOLD_NOT_MET', verdict.message);
    assert.equal(config.findings.length, 1);
  });

  it('two people still meet it through the pins the project kept', () => {
    const config = restricted(
      { trusted_identities: ['*@example.com'], signature_threshold: 2, on_signature_failure: 'error' },
      pinnedTwice,
    );
    const checks: Checks = {
      ...signedTwiceBy('alice@example.com'),
      signatures: [
        { file: '1.0.0.aam.sigstore.json', check: { state: 'valid', signer: signer('alice@example.com', GOOGLE) } },
        { file: '1.0.0.aam.2.sigstore.json', check: { state: 'valid', signer: signer('bob@example.com', GITHUB) } },
      ],
    };
    assert.equal(decide(checks, config.policyContext()).code, 'VERIFIED');
  });
});

describe('issuer pins that change no count are kept, and not named', () => {
  it('a threshold of 1: pinning a pattern to two issuers only narrows it', () => {
    const config = restricted({ trusted_identities: ['*@example.com'] }, pinnedTwice);
    assert.deepEqual(config.findings, []);
    assert.deepEqual(config.policyContext().policy.trusted_identities, pinnedTwice.trusted_identities);
  });

  it('the pins the global policy has', () => {
    const config = restricted({ ...pinnedTwice, signature_threshold: 2 }, pinnedTwice);
    assert.deepEqual(config.findings, []);
  });

  it('two people, each pinned to an issuer of their own (diff10-review P1)', () => {
    const pins = [
      { identity: 'alice@example.com', issuer: GOOGLE },
      { identity: 'bob@example.org', issuer: GITHUB },
    ];
    const config = restricted(
      { trusted_identities: ['alice@example.com', 'bob@example.org'], signature_threshold: 2 },
      { trusted_identities: pins },
    );
    assert.deepEqual(config.findings, []);
    assert.deepEqual(config.policyContext().policy.trusted_identities, pins);
  });

  it('one pin under a threshold of 2', () => {
    const config = restricted(
      { trusted_identities: ['*@example.com'], signature_threshold: 2 },
      { trusted_identities: [{ identity: '*@example.com', issuer: GOOGLE }] },
    );
    assert.deepEqual(config.findings, []);
    assert.deepEqual(config.policyContext().policy.trusted_identities, [{ identity: '*@example.com', issuer: GOOGLE }]);
  });
});
