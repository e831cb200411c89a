import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sameNames, withRunListings } from '../../../src/core/scan/name-groups.ts';
import { tempDir } from '../../helpers/temp.ts';

describe("a folder's names, listed once a verification run", () => {
  it('serves every package of a run from one listing, and the next run, or a check outside one, lists again', async () => {
    const dir = await tempDir('aam-names-');
    const copy = join(dir, 'CLAUDE.md');
    writeFileSync(copy, 'x');
    assert.deepEqual(sameNames(copy), ['CLAUDE.md']);
    withRunListings('run-1', () => {
      assert.deepEqual(sameNames(copy), ['CLAUDE.md']);
      writeFileSync(join(dir, 'Claude.md'), 'y');
      // Another package of the same run: the names as the run first listed them.
      assert.deepEqual(sameNames(copy), ['CLAUDE.md']);
    });
    assert.deepEqual(sameNames(copy), ['CLAUDE.md', 'Claude.md'], 'outside a run, the folder as it is');
    withRunListings('run-2', () => assert.deepEqual(sameNames(copy), ['CLAUDE.md', 'Claude.md']));
    // And a run's listing ends with its check: the run's id alone does not hold it for others.
    withRunListings(undefined, () => assert.deepEqual(sameNames(copy), ['CLAUDE.md', 'Claude.md']));
  });
});
