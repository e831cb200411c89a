import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { childPath } from '../../../src/core/lockfile/paths.ts';

describe('childPath', () => {
  it('is join(dir, name) for every folder and name, plain or not', () => {
    const dirs = [
      '/p/.aam/packages',
      '/p/.aam/packages/',
      '/',
      '.',
      '..',
      '',
      'rel/dir',
      './rel',
      'a//b',
      '/a/./b',
      '/a/b/..',
      'C:\\x',
    ];
    const names = ['aam.yaml', 'acme--tool', 'a..b', '.', '..', '.hidden', 'a/b', '', '-x', 'x.', 'é', 'a b'];
    let checked = 0;
    for (const dir of dirs)
      for (const name of names) {
        assert.equal(childPath(dir, name), join(dir, name), `${JSON.stringify(dir)} + ${JSON.stringify(name)}`);
        // Asked again: the folder's form is remembered.
        assert.equal(childPath(dir, name), join(dir, name));
        checked++;
      }
    assert.equal(checked, dirs.length * names.length);
    // A folder formed by childPath (an installed package's) is known normal through its parent.
    for (const dir of dirs)
      for (const name of names) {
        const child = childPath(dir, name);
        for (const leaf of names) assert.equal(childPath(child, leaf), join(child, leaf), `${child} + ${leaf}`);
      }
  });
});
