import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { trustDiff } from '../../../src/core/workflows/diff/trust-diff.ts';
import type { ProjectState } from '../../../src/core/workflows/diff/state.ts';
import type { RecordedPackage } from '../../../src/core/record/trust-record.ts';
import { decide } from '../../../src/core/policy/decision.ts';
import type { Checks } from '../../../src/core/policy/decision.ts';
import { DEFAULT_POLICY } from '../../../src/core/policy/policy.ts';
import type { Signer } from '../../../src/core/policy/trust-match.ts';

/**
 * diff12-review S2: signer continuity tells apart two repositories running one shared reusable workflow (one
 * SAN), but the Trust Diff keyed signers by SAN and issuer alone: a pull request moving a package to a release
 * run by another repository, lock file and trust record updated, showed no change of signer.
 */
const NAME = '@acme/app';
const ISSUER = 'https://token.actions.githubusercontent.com';
const SHARED = 'https://github.com/org/shared/.github/workflows/release.yml@refs/heads/main';
const sum = (c: string) => `sha256:${c.repeat(64)}`;

function state(label: string, version: string, checksum: string, san: string, repository?: string): ProjectState {
  const record: RecordedPackage = {
    version,
    checksum,
    source: 'team',
    signature: {
      type: 'sigstore',
      digest: sum('d'),
      identity: san,
      issuer: ISSUER,
      ...(repository ? { source_repository: repository } : {}),
    },
    recorded_at: '2026-01-01T00:00:00Z',
  };
  return {
    label,
    lock: {
      lockfile_version: 1,
      resolved_at: '',
      packages: { [NAME]: { version, source: 'team', checksum, dependencies: {} } },
    },
    lockText: '',
    record: { record_version: 1, packages: { [NAME]: record } },
    configText: `security:\n  trusted_identities: ["${SHARED}"]\n`,
  };
}
const options = {
  globalConfig: { layer: 'global' as const, path: '~/.aam/config.yaml', exists: false, diagnostics: [], value: {} },
  homeDir: '/home/x',
};

describe('the Trust Diff and the repository that ran', () => {
  it('another repository through one reusable workflow is a change of signer, named', () => {
    const diff = trustDiff(
      state('main', '1.0.0', sum('1'), SHARED, 'https://github.com/victim/app'),
      state('pr', '1.0.1', sum('2'), SHARED, 'https://github.com/attacker/app'),
      options,
    );
    const change = diff.packages.find((p) => p.name === NAME)!;
    assert.equal(change.change, 'upgraded');
    assert.deepEqual(
      change.problems.map((p) => p.code),
      ['SIGNER_CHANGED'],
    );
    assert.match(change.after!.signer!, /run by https:\/\/github\.com\/attacker\/app/);
  });

  it('a base that does not know the repository (an older record, a lock file) is not held to it (diff13-review T1)', () => {
    const ran = 'https://github.com/org/app';
    const signer: Signer = {
      type: 'sigstore',
      identity: { san: SHARED, sanType: 'uri', issuer: ISSUER, sourceRepository: ran },
      tlog: { logIndex: '1', url: undefined, integratedTime: undefined },
      signedAt: undefined,
    };
    const checks: Checks = { name: NAME, integrity: { ok: true }, signature: { state: 'valid', signer } };
    const verdict = decide(checks, { policy: { ...DEFAULT_POLICY, trusted_identities: [SHARED] }, now: '2026-12-07' });
    for (const withRecord of [true, false]) {
      const main = state('main', '1.0.0', sum('1'), SHARED);
      const lock = main.lock.packages[NAME] as Record<string, unknown>;
      lock.signature = { type: 'sigstore', identity: SHARED, issuer: ISSUER, bundle_digest: sum('d') };
      if (!withRecord) main.record.packages = {};
      const diff = trustDiff(
        main,
        { ...main, label: 'working tree' },
        { ...options, headVerdicts: new Map([[NAME, verdict]]) },
      );
      assert.deepEqual(diff.packages.find((p) => p.name === NAME)!.problems, [], withRecord ? 'record' : 'lock file');
    }
    // A head that names another repository than a base that kept one is still a change.
    const kept = state('main', '1.0.0', sum('1'), SHARED, 'https://github.com/victim/app');
    const diff = trustDiff(
      kept,
      { ...kept, label: 'working tree' },
      { ...options, headVerdicts: new Map([[NAME, verdict]]) },
    );
    assert.deepEqual(
      diff.packages.find((p) => p.name === NAME)!.problems.map((p) => p.code),
      ['SIGNER_CHANGED'],
    );
  });

  it("a repository's own workflow is the same signer, whether or not the record kept the repository", () => {
    const own = 'https://github.com/victim/app/.github/workflows/release.yml@refs/tags/v1';
    const diff = trustDiff(
      state('main', '1.0.0', sum('1'), own),
      state('pr', '1.0.1', sum('2'), own, 'https://github.com/Victim/App'),
      options,
    );
    assert.deepEqual(diff.packages.find((p) => p.name === NAME)!.problems, []);
  });
});
