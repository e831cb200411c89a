import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { gitState, isRevision } from '../../../src/core/workflows/diff/state.ts';
import { hostileRepository } from '../../helpers/hostile-git.ts';

/**
 * Trust Diff reads a project's AAM files at a git revision in a repository
 * the project wrote: the reading runs none of the programs the repository's
 * own settings name (a textconv on a diff, an fsmonitor, a signature
 * program), and a path that is not a file at that revision reads as empty.
 */
describe('reading a base revision from a hostile repository', () => {
  it('runs no program its .git/config names, and a gitlink in place of the lock file reads as no lock file', async () => {
    const { dir, marker } = await hostileRepository();
    assert.equal(await isRevision(dir, 'HEAD'), true);
    const state = await gitState(dir, 'HEAD');
    assert.equal(existsSync(marker), false, 'a program of the repository ran');
    assert.equal(state.lockText, '');
    assert.deepEqual(Object.keys(state.lock.packages), []);
  });
});
