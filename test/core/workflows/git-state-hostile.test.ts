import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gitState, isRevision } from '../../../src/core/workflows/diff/state.ts';
import { hostileRepository } from '../../helpers/hostile-git.ts';
import { tempDir } from '../../helpers/temp.ts';

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

  it('refuses a short commit id that a pushed branch of the same name would take over', async () => {
    const dir = await tempDir('short-id-');
    const git = (...args: string[]) =>
      execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], {
        cwd: dir,
        encoding: 'utf8',
      }).trim();
    git('init', '-q', '-b', 'main');
    mkdirSync(join(dir, '.aam'));
    writeFileSync(join(dir, '.aam', 'config.yaml'), 'security:\n  require_signature: true\n');
    git('add', '.');
    git('commit', '-qm', 'base');
    const base = git('rev-parse', '--short=12', 'HEAD');
    assert.match((await gitState(dir, base)).configText, /require_signature: true/, 'control: the commit itself');
    git('checkout', '-qb', 'pr');
    writeFileSync(join(dir, '.aam', 'config.yaml'), 'security:\n  require_signature: false\n');
    git('commit', '-qam', 'weaken');
    git('branch', base, 'pr');
    await assert.rejects(
      gitState(dir, base),
      new RegExp(`"${base}" is ambiguous .*refs/heads/${base}, the object ${base}`),
    );
  });
});
