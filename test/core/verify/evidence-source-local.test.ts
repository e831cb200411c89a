import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { evidenceSource } from '../../../src/core/verify/evidence/sources.ts';
import type { LockedPackage } from '../../../src/core/lockfile/lockfile.ts';

/**
 * `source: local` in a lock entry is what aam writes for a .aam file, and also the name of a registry called
 * "local" (aam's own example for `registry add`). On a runner without that registry the problem said only
 * "a local .aam file", and its fix was the wrong one (newuser-review 3): it names both now.
 */
describe('a lock entry from source "local" with no registry of that name', () => {
  it('names both things it may be, and how to give verification each', () => {
    const entry = { version: '1.0.0', source: 'local', checksum: `sha256:${'a'.repeat(64)}` } as LockedPackage;
    const { registryProblem } = evidenceSource(entry, [], '/tmp/cache', false);
    assert.match(
      registryProblem ?? '',
      /a local \.aam file .* or a registry named "local" that is not configured here/,
    );
    assert.match(registryProblem ?? '', /configure that registry, or run "aam-trust install FILE\.aam --force"/);
    // Configured, it is that registry.
    const configured = evidenceSource(
      entry,
      [{ name: 'local', url: 'file:///r', type: 'local' } as never],
      '/c',
      false,
    );
    assert.equal(configured.registryProblem, undefined);
  });
});
