import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { trustDiff } from '../../../src/core/workflows/diff/trust-diff.ts';
import type { ProjectState } from '../../../src/core/workflows/diff/state.ts';
import type { RecordedPackage } from '../../../src/core/record/trust-record.ts';

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
