import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_POLICY, decide } from '../../../src/core/policy/decision.ts';
import type { Checks, DelegationFact, PolicyContext, SecurityPolicy } from '../../../src/core/policy/decision.ts';
import type { Signer, SigstoreSigner } from '../../../src/core/policy/trust-match.ts';

const GOOGLE = 'https://accounts.google.com';
const GITHUB_LOGIN = 'https://github.com/login/oauth';
const ACTIONS = 'https://token.actions.githubusercontent.com';
const person = (san: string, issuer = GOOGLE, sanType: 'email' | 'uri' = 'email'): SigstoreSigner => ({
  type: 'sigstore',
  identity: { san, sanType, issuer },
  tlog: { logIndex: '1', url: undefined, integratedTime: '2026-06-01T00:00:00.000Z' },
  signedAt: '2026-06-01T00:00:00.000Z',
});
const workflow = (owner: string, file = 'release.yml') =>
  person(`https://github.com/${owner}/tool/.github/workflows/${file}@refs/heads/main`, ACTIONS, 'uri');
const pipeline = (group: string) =>
  person(`https://gitlab.com/${group}/tool//.gitlab-ci.yml@refs/heads/main`, 'https://gitlab.com', 'uri');

function checks(signers: Signer[], delegations: DelegationFact[] = []): Checks {
  const signatures = signers.map((signer, i) => ({
    file: `1.0.0.aam.${i + 1}.sigstore.json`,
    check: { state: 'valid' as const, signer },
  }));
  return {
    name: '@acme/tool',
    integrity: { ok: true },
    signature: signatures[0]!.check,
    signatures,
    delegations,
    revocations: [],
  };
}
const ctx = (overrides: Partial<SecurityPolicy>): PolicyContext => ({
  policy: { ...DEFAULT_POLICY, ...overrides },
  sourceOf: () => '/home/.aam/config.yaml',
  now: '2026-07-01T00:00:00.000Z',
});
const delegation = (id: string, by: Signer, to: DelegationFact['delegate']): DelegationFact => ({
  id: `sha256:${id.padEnd(64, '0')}`,
  pattern: '@acme/*',
  delegate: to,
  until: '2027-01-01T00:00:00.000Z',
  issuedAt: '2026-01-01T00:00:00.000Z',
  maxDepth: 0,
  signer: by,
});
const two = (trusted_identities: SecurityPolicy['trusted_identities'], signature_threshold = 2) => ({
  trusted_identities: [...trusted_identities, 'bob@example.com'],
  signature_threshold,
});

describe('signature_threshold counts a signer once, as trust matching tells signers apart', () => {
  it('when one email signs in two letter cases, it is one signer (matching ignores ASCII case)', () => {
    const v = decide(
      checks([person('alice@example.com'), person('Alice@Example.COM')]),
      ctx(two(['alice@example.com'])),
    );
    assert.equal(v.code, 'THRESHOLD_NOT_MET', v.message);
    assert.match(v.message, /^1 of 2 required trusted signers/);
  });

  it('when one GitHub repository signs with its owner in two letter cases, it is one signer', () => {
    const v = decide(checks([workflow('acme'), workflow('ACME')]), ctx(two(['github:acme/tool'])));
    assert.equal(v.code, 'THRESHOLD_NOT_MET', v.message);
  });

  it('when one GitLab project signs with its path in two letter cases, it is one signer', () => {
    const v = decide(checks([pipeline('acme'), pipeline('Acme')]), ctx(two(['gitlab:acme/tool'])));
    assert.equal(v.code, 'THRESHOLD_NOT_MET', v.message);
  });

  it('two workflows, or two refs, of one repository are one signer: push access to it runs either', () => {
    const twoWorkflows = decide(checks([workflow('acme'), workflow('acme', 'other.yml')]), ctx(two(['github:acme'])));
    assert.equal(twoWorkflows.code, 'THRESHOLD_NOT_MET', twoWorkflows.message);
    const branch = person('https://github.com/acme/tool/.github/workflows/release.yml@refs/heads/mine', ACTIONS, 'uri');
    const twoRefs = decide(checks([workflow('acme'), branch]), ctx(two(['github:acme/tool'])));
    assert.equal(twoRefs.code, 'THRESHOLD_NOT_MET', twoRefs.message);
    const exact = decide(
      checks([workflow('acme'), branch]),
      ctx(two([workflow('acme').identity.san, branch.identity.san])),
    );
    assert.equal(exact.code, 'THRESHOLD_NOT_MET', 'exact workflow entries of one repository are one signer too');
    const pipelines = decide(
      checks([
        pipeline('acme'),
        person('https://gitlab.com/acme/tool//ci/other.yml@refs/tags/v1', 'https://gitlab.com', 'uri'),
      ]),
      ctx(two(['gitlab:acme/tool'])),
    );
    assert.equal(pipelines.code, 'THRESHOLD_NOT_MET', pipelines.message);
  });

  it('two repositories are two signers, and a repository and a person are two', () => {
    const repos = decide(
      checks([
        workflow('acme'),
        person('https://github.com/acme/other/.github/workflows/release.yml@refs/heads/main', ACTIONS, 'uri'),
      ]),
      ctx(two(['github:acme'])),
    );
    assert.equal(repos.code, 'VERIFIED', repos.message);
    const mixed = decide(checks([workflow('acme'), person('bob@example.com')]), ctx(two(['github:acme/tool'])));
    assert.equal(mixed.code, 'VERIFIED', mixed.message);
  });

  it('when one address signs through two issuers and only an unpinned entry trusts it, it is one signer', () => {
    const v = decide(
      checks([person('alice@example.com', GOOGLE), person('alice@example.com', GITHUB_LOGIN)]),
      ctx(two(['alice@example.com'])),
    );
    assert.equal(v.code, 'THRESHOLD_NOT_MET', v.message);
  });

  it('when each issuer is pinned by its own entry, the two accounts are two signers', () => {
    const v = decide(
      checks([person('alice@example.com', GOOGLE), person('Alice@example.com', GITHUB_LOGIN)]),
      ctx(
        two([
          { identity: 'alice@example.com', issuer: GOOGLE },
          { identity: 'alice@example.com', issuer: GITHUB_LOGIN },
        ]),
      ),
    );
    assert.equal(v.code, 'VERIFIED', v.message);
  });

  it('when only one of the two issuers is pinned, the address is one signer', () => {
    const v = decide(
      checks([person('alice@example.com', GOOGLE), person('alice@example.com', GITHUB_LOGIN)]),
      ctx(two(['alice@example.com', { identity: 'alice@example.com', issuer: GOOGLE }])),
    );
    assert.equal(v.code, 'THRESHOLD_NOT_MET', v.message);
  });

  it('delegates count for the account at the top of their chains: once per issuer its entries pin', () => {
    const atGoogle = person('alice@example.com', GOOGLE);
    const atGithub = person('alice@example.com', GITHUB_LOGIN);
    const delegations = [
      delegation('a1', atGoogle, { identity: 'bob@partner.io' }),
      delegation('a2', atGithub, { identity: 'carol@partner.io' }),
    ];
    const signers = [person('bob@partner.io'), person('carol@partner.io')];
    const pinned = ctx({
      trusted_identities: [
        { identity: 'alice@example.com', issuer: GOOGLE },
        { identity: 'alice@example.com', issuer: GITHUB_LOGIN },
      ],
      signature_threshold: 2,
    });
    assert.equal(decide(checks(signers, delegations), pinned).code, 'VERIFIED');
    const unpinned = ctx({ trusted_identities: ['alice@example.com'], signature_threshold: 2 });
    const v = decide(checks(signers, delegations), unpinned);
    assert.equal(v.code, 'THRESHOLD_NOT_MET', v.message);
    // However many issuers a delegation pins the delegate to, the delegate adds nobody beside its delegator.
    const toBobTwice = [
      delegation('b1', atGoogle, { identity: 'bob@partner.io', issuer: GOOGLE }),
      delegation('b2', atGoogle, { identity: 'bob@partner.io', issuer: GITHUB_LOGIN }),
    ];
    const bobs = [person('bob@partner.io', GOOGLE), person('bob@partner.io', GITHUB_LOGIN)];
    assert.equal(decide(checks(bobs, toBobTwice), unpinned).code, 'THRESHOLD_NOT_MET');
  });

  it('a delegate two trusted signers vouch for is one signer, however many signatures it makes', () => {
    const alice = person('alice@example.com');
    const bob = person('bob@example.com');
    const policy = ctx(two(['alice@example.com']));
    const toMallory = [
      delegation('a1', alice, { identity: 'mallory@evil.example' }),
      delegation('b1', bob, { identity: 'mallory@evil.example' }),
    ];
    const twice = decide(checks([person('mallory@evil.example'), person('mallory@evil.example')], toMallory), policy);
    assert.equal(twice.code, 'THRESHOLD_NOT_MET', twice.message);
    // Two delegates, one of each trusted signer's: two signers.
    const both = [...toMallory, delegation('b2', bob, { identity: 'carol@partner.io' })];
    const two_ = decide(checks([person('mallory@evil.example'), person('carol@partner.io')], both), policy);
    assert.equal(two_.code, 'VERIFIED', two_.message);
    // OpenPGP: one delegate key, two signatures (each salted, so not byte-identical), two delegators.
    const gpg = (fingerprint: string): Signer => ({
      type: 'gpg',
      fingerprint,
      signingKeyFingerprint: fingerprint,
      userIds: [],
      signedAt: '2026-06-01T00:00:00.000Z',
    });
    const [a, b, m] = ['A', 'B', 'C'].map((c) => c.repeat(40));
    const byKeys = ctx({ trusted_keys: [a!, b!], signature_threshold: 2 });
    const keyDelegations = [
      delegation('a1', gpg(a!), { fingerprint: m! }),
      delegation('b1', gpg(b!), { fingerprint: m! }),
    ];
    const key = decide(checks([gpg(m!), gpg(m!)], keyDelegations), byKeys);
    assert.equal(key.code, 'THRESHOLD_NOT_MET', key.message);
  });

  it('without a trust policy, two letter cases of one address are still one signer', () => {
    const v = decide(
      checks([person('alice@example.com'), person('ALICE@example.com')]),
      ctx({ signature_threshold: 2 }),
    );
    assert.equal(v.code, 'THRESHOLD_NOT_MET', v.message);
  });
});

/**
 * spec-review 1: a threshold above 1 was consulted only for signed packages. With one trusted signature
 * of two a package failed; with its signature removed (a registry that leaves the files out, a pull
 * request's new lock entry) it passed as unsigned.
 */
describe('a threshold above 1 asks an unsigned package for its signers too', () => {
  const unsigned: Checks = { name: '@acme/tool', integrity: { ok: true }, signature: { state: 'none' } };
  const cases: [string, Partial<SecurityPolicy>][] = [
    ['a number, with trust lists', two(['alice@example.com'])],
    ['a number, with no trust list', { signature_threshold: 2 }],
    ['a map covering the name', { trusted_keys: ['A'.repeat(40)], signature_threshold: { '@acme/*': 3 } }],
  ];
  for (const [what, policy] of cases)
    it(`fails it: ${what}`, () => {
      const v = decide(unsigned, ctx(policy));
      assert.equal(v.action, 'fail', v.message);
      assert.equal(v.code, 'THRESHOLD_NOT_MET');
      assert.equal(v.status, 'unsigned');
      assert.equal(v.rule?.key, 'signature_threshold');
      assert.match(v.message, /not signed.*signature_threshold/);
    });

  it('a map that does not cover the name leaves it to require_signature', () => {
    const v = decide(unsigned, ctx({ signature_threshold: { '@other/*': 2 } }));
    assert.equal(v.action, 'pass');
    assert.equal(v.code, 'UNSIGNED');
  });

  it('one trusted signer of two still fails as before', () => {
    assert.equal(
      decide(checks([person('alice@example.com')]), ctx(two(['alice@example.com']))).code,
      'THRESHOLD_NOT_MET',
    );
  });
});
