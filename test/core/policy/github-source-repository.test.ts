import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { trustOptionsFor } from '../../../src/core/config/trust-entries.ts';
import { decide } from '../../../src/core/policy/decision.ts';
import type { Checks } from '../../../src/core/policy/decision.ts';
import { DEFAULT_POLICY } from '../../../src/core/policy/policy.ts';
import type { SecurityPolicy } from '../../../src/core/policy/policy.ts';
import { GITHUB_ACTIONS_ISSUER, GITLAB_ISSUER } from '../../../src/core/policy/identity.ts';
import { join } from 'node:path';
import { describeSigner, findTrust } from '../../../src/core/policy/trust-match.ts';
import { verifySigstoreBundle } from '../../../src/core/sigstore/verify.ts';
import { readTrustRecord, recordedSignatureOf, writeTrustRecord } from '../../../src/core/record/trust-record.ts';
import type { RecordedPackage } from '../../../src/core/record/trust-record.ts';
import { continuityChanges } from '../../../src/core/record/continuity.ts';
import { signerOfRecord } from '../../../src/core/workflows/diff/recorded.ts';
import { tempDir } from '../../helpers/temp.ts';
import { SigstoreWorld } from '../../helpers/sigstore-world.ts';
import type { LeafIdentity } from '../../helpers/sigstore-world.ts';

/**
 * spec3-review B: `github:OWNER/REPO` means GitHub Actions runs of that repository (SPEC §2), but it was
 * matched on the SAN, which for a reusable workflow names the repository that holds the workflow file. Any
 * repository calling victim's public reusable workflow was trusted by `github:victim`, and a repository
 * releasing through a shared builder never matched its own pattern. Fulcio's Source Repository URI
 * (1.3.6.1.4.1.57264.1.12) names whose run it was; both verifiers read it from the certificate.
 */
const world = new SigstoreWorld();
const root = world.trustedRoot();
const artifact = Buffer.from('a package archive');
const TEMPLATE = 'https://github.com/victim/ci-templates/.github/workflows/release.yml@refs/heads/main';

/** A package signed under a certificate for `identity`, checked by both verifiers (which must agree). */
function signedAs(identity: LeafIdentity): Checks {
  const bundle = world.bundle(artifact, { identity });
  const options = { root, requireTlog: true };
  const fast = verifySigstoreBundle(bundle, artifact, options);
  assert.deepEqual(verifySigstoreBundle(bundle, artifact, { ...options, referenceOnly: true }), fast);
  assert.equal(fast.state, 'valid', JSON.stringify(fast));
  return { name: '@victim/tool', integrity: { ok: true }, signature: fast };
}

const trusting = (...patterns: string[]): { policy: SecurityPolicy; now: string; sourceOf: () => string } => ({
  policy: { ...DEFAULT_POLICY, trusted_identities: patterns, on_signature_failure: 'error' },
  now: new Date().toISOString(),
  sourceOf: () => 'test',
});

describe('github: patterns match the repository whose run signed', () => {
  const reusedByAttacker = {
    uri: TEMPLATE,
    issuer: GITHUB_ACTIONS_ISSUER,
    sourceRepository: 'https://github.com/attacker/app',
  };

  it("a run of another repository through victim's reusable workflow is not victim's", () => {
    const checks = signedAs(reusedByAttacker);
    for (const pattern of ['github:victim', 'github:victim/ci-templates'])
      assert.equal(decide(checks, trusting(pattern)).code, 'UNTRUSTED_SIGNER', pattern);
    assert.equal(decide(checks, trusting('github:attacker/app')).code, 'VERIFIED');
    // The workflow file itself can still be pinned, by its exact URI.
    assert.equal(decide(checks, trusting(TEMPLATE)).code, 'VERIFIED');
  });

  it('a repository releasing through a shared builder matches its own pattern', () => {
    const checks = signedAs({
      uri: 'https://github.com/builders/generic/.github/workflows/builder.yml@refs/tags/v2.0.0',
      issuer: GITHUB_ACTIONS_ISSUER,
      sourceRepository: 'https://github.com/Victim/App',
    });
    assert.equal(decide(checks, trusting('github:victim/app')).code, 'VERIFIED');
  });

  it('a run of its own workflow matches as before, with or without the extension', () => {
    const uri = 'https://github.com/victim/app/.github/workflows/release.yml@refs/tags/v1.0.0';
    for (const identity of [
      { uri, issuer: GITHUB_ACTIONS_ISSUER },
      { uri, issuer: GITHUB_ACTIONS_ISSUER, sourceRepository: 'https://github.com/victim/app' },
    ])
      assert.equal(decide(signedAs(identity), trusting('github:victim/app')).code, 'VERIFIED');
  });

  it('gitlab: patterns likewise match the project whose pipeline ran', () => {
    const checks = signedAs({
      uri: 'https://gitlab.com/victim/templates//release.yml@refs/heads/main',
      issuer: GITLAB_ISSUER,
      sourceRepository: 'https://gitlab.com/attacker/app',
    });
    assert.equal(decide(checks, trusting('gitlab:victim')).code, 'UNTRUSTED_SIGNER');
    assert.equal(decide(checks, trusting('gitlab:attacker/app')).code, 'VERIFIED');
  });

  it('Trust this signer offers the repository that ran, and the signer is shown with it', () => {
    const checks = signedAs(reusedByAttacker);
    const signer = checks.signature.state === 'valid' ? checks.signature.signer : assert.fail('not valid');
    assert.ok(trustOptionsFor(signer).some((o) => o.value === 'github:attacker/app'));
    assert.ok(!trustOptionsFor(signer).some((o) => String(o.value).startsWith('github:victim')));
    assert.match(describeSigner(signer), /ci-templates.*\(run by https:\/\/github\.com\/attacker\/app\)/);
  });

  it('toward a threshold, two repositories are two signers through one reusable workflow, and one is one', () => {
    const run = (repository: string, uri = TEMPLATE) =>
      signedAs({ uri, issuer: GITHUB_ACTIONS_ISSUER, sourceRepository: `https://github.com/${repository}` }).signature;
    const both = (first: Checks['signature'], second: Checks['signature']): Checks => ({
      name: '@victim/tool',
      integrity: { ok: true },
      signature: first,
      signatures: [
        { file: '1.0.0.aam.sigstore.json', check: first },
        { file: '1.0.0.aam.2.sigstore.json', check: second },
      ],
    });
    const context = trusting('github:org');
    context.policy.signature_threshold = 2;
    assert.equal(decide(both(run('org/a'), run('org/b')), context).code, 'VERIFIED');
    const own = 'https://github.com/org/a/.github/workflows/release.yml@refs/heads/main';
    assert.equal(decide(both(run('org/a'), run('org/a', own)), context).code, 'THRESHOLD_NOT_MET');
  });

  it('the trust record keeps the source repository, so what is judged from it agrees (diff10-review S1)', async () => {
    const checks = signedAs(reusedByAttacker);
    const signer = checks.signature.state === 'valid' ? checks.signature.signer : assert.fail('not valid');
    const path = join(await tempDir('aam-record-'), 'trust-record.yaml');
    const recorded = { version: '1.0.0', checksum: `sha256:${'1'.repeat(64)}`, source: 'team', recorded_at: '' };
    await writeTrustRecord(path, {
      record_version: 1,
      packages: { '@victim/tool': { ...recorded, signature: recordedSignatureOf(signer, `sha256:${'2'.repeat(64)}`) } },
    });
    const read = (await readTrustRecord(path)).packages['@victim/tool']!.signature!;
    const lists = (pattern: string) => ({ trusted_identities: [pattern], trusted_keys: [] });
    assert.ok(findTrust(signerOfRecord(read), lists('github:attacker/app')));
    assert.equal(findTrust(signerOfRecord(read), lists('github:victim')), undefined);
  });

  it('on_signer_change: another repository running the same reusable workflow is a change of signer (diff10-review S2)', () => {
    const run = (repository?: string) =>
      signedAs({
        uri: TEMPLATE,
        issuer: GITHUB_ACTIONS_ISSUER,
        ...(repository ? { sourceRepository: repository } : {}),
      });
    const signerOf = (checks: Checks) =>
      checks.signature.state === 'valid' ? checks.signature.signer : assert.fail('not valid');
    const recordOf = (checks: Checks, keepRepository = true): RecordedPackage => {
      const signature = recordedSignatureOf(signerOf(checks), `sha256:${'2'.repeat(64)}`);
      if (!keepRepository && signature.type === 'sigstore') delete signature.source_repository;
      return { version: '1.0.0', checksum: `sha256:${'1'.repeat(64)}`, source: 'team', signature, recorded_at: '' };
    };
    const victim = run('https://github.com/victim/app');
    const attacker = run('https://github.com/attacker/app');
    assert.deepEqual(continuityChanges(recordOf(victim), '1.0.1', victim), []);
    const [changed, ...more] = continuityChanges(recordOf(victim), '1.0.1', attacker);
    assert.equal(more.length, 0);
    assert.equal(changed?.code, 'SIGNER_CHANGED');
    assert.match(
      changed!.message,
      /run by https:\/\/github\.com\/victim\/app.* to .*run by https:\/\/github\.com\/attacker\/app/,
    );
    // A certificate without the repository is not the recorded run either.
    assert.equal(continuityChanges(recordOf(victim), '1.0.1', run())[0]?.code, 'SIGNER_CHANGED');
    // A record written before the repository was kept does not know it: not held to it.
    assert.deepEqual(continuityChanges(recordOf(victim, false), '1.0.1', attacker), []);
  });

  it('a source repository that is not strict text makes the certificate invalid', () => {
    const bundle = world.bundle(artifact, {
      identity: {
        uri: TEMPLATE,
        issuer: GITHUB_ACTIONS_ISSUER,
        sourceRepository: 'https://github.com/victim/app\u202e',
      },
    });
    const check = verifySigstoreBundle(bundle, artifact, { root, requireTlog: true });
    assert.equal(check.state, 'invalid');
  });
});
