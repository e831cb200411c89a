import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { resolveIn } from '../../../src/core/registry/registry.ts';
import type { PackageMetadata, VersionEntry } from '../../../src/core/registry/metadata.ts';
import { isAamError } from '../../../src/core/errors.ts';

const version = (v: string, more: Partial<VersionEntry> = {}): VersionEntry => ({
  version: v,
  published: '2026-01-01T00:00:00Z',
  checksum: `sha256:${'0'.repeat(64)}`,
  size: 1,
  dependencies: {},
  ...more,
});
const metadata = (dist_tags: Record<string, string>): PackageMetadata => ({
  name: 'tool',
  description: '',
  author: null,
  license: null,
  keywords: [],
  dist_tags,
  versions: [version('1.0.0', { yanked: true }), version('1.1.0'), version('2.0.0', { approval: 'pending' })],
});
const resolved = (dist_tags: Record<string, string>, spec?: string) =>
  resolveIn('corp', 'tool', metadata(dist_tags), spec).entry.version;

/**
 * registry2-review F3: a registry that moves only "latest" when a version is yanked leaves its other tags
 * on it, and `install tool@stable` installed the yanked version with no word (spec §3.3.6: yanked versions
 * are left out of resolution).
 */
describe('resolving a dist-tag', () => {
  it('refuses a tag that names a yanked version, saying so and how to install it anyway', () => {
    assert.throws(
      () => resolved({ latest: '1.1.0', stable: '1.0.0' }, 'stable'),
      (error) =>
        isAamError(error) &&
        error.code === 'VERSION_NOT_FOUND' &&
        /tool@stable names 1\.0\.0, which is yanked/.test(error.message) &&
        /tool@1\.0\.0 installs it anyway/.test(error.hint ?? ''),
    );
    assert.equal(resolved({ latest: '1.1.0', stable: '1.0.0' }, '1.0.0'), '1.0.0', 'named exactly, it installs');
  });

  it('takes "latest" that names a yanked or held version as the highest an install may pick', () => {
    assert.equal(resolved({ latest: '1.0.0' }, 'latest'), '1.1.0');
    assert.equal(resolved({ latest: '2.0.0' }, 'latest'), '1.1.0');
    assert.equal(resolved({ latest: '1.0.0' }), '1.1.0');
  });

  it('reads only the tags the registry set, not what every object has', () => {
    assert.throws(
      () => resolved({ latest: '1.1.0' }, 'constructor'),
      (error) => isAamError(error) && /"constructor" is not a valid version/.test(error.message),
    );
    assert.equal(resolved({ latest: '1.1.0', beta: '1.1.0' }, 'beta'), '1.1.0');
  });
});
