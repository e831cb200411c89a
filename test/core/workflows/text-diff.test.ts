import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { lineChanges, unifiedDiff } from '../../../src/core/workflows/review/text-diff.ts';

const bytes = (lines: string[]) => new TextEncoder().encode(`${lines.join('\n')}\n`);

/**
 * A diff's cost grows with a file's length times its edits: an update that rewrites a 10,000-line file the agents
 * load took 12 s per diff, twice per deployed copy, and held a CI diff job until its time ran out. Past 2,000 line
 * edits a change is told by its line counts instead.
 */
describe('text diffs of a wholly rewritten file', () => {
  const before = bytes(Array.from({ length: 10_000 }, (_, i) => `old line ${i}`));
  const after = bytes(Array.from({ length: 9_000 }, (_, i) => `new line ${i}`));

  it('say the change is too large to show, with both line counts', () => {
    assert.equal(
      unifiedDiff({ path: 'p.md', before, after }),
      '--- a/p.md\n+++ b/p.md\n@@ more than 2000 lines changed (10000 lines → 9000): too many to show; compare the files themselves @@\n',
    );
    assert.deepEqual(lineChanges({ path: 'p.md', before, after }), { added: 9000, removed: 10000, firstLine: 1 });
  });

  it('still show a change within the bound line by line', () => {
    const edited = bytes(Array.from({ length: 10_000 }, (_, i) => (i === 4_999 ? 'changed' : `old line ${i}`)));
    assert.deepEqual(lineChanges({ path: 'p.md', before, after: edited }), { added: 1, removed: 1, firstLine: 5000 });
    assert.match(unifiedDiff({ path: 'p.md', before, after: edited }), /^@@ -4997,7 \+4997,7 @@\n old line 4996\n/m);
  });
});
