import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { EditMap } from 'micromark-util-edit-map';
import { fromMarkdown } from 'mdast-util-from-markdown';
import { consumeFromFirstEdit, useLinearEditMap } from '../../../src/core/content/edit-map.ts';

/**
 * The edit map micromark applies its edits with, without the copy of the whole list of events each time a
 * list item or a quote closes (17 s for 60 KB of nested list): its results must be the library's own.
 */
const libraryConsume = EditMap.prototype.consume;
type Events = Parameters<EditMap['consume']>[0];

/** A deterministic generator, so a failure names a seed that replays it. */
function random(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 32;
  };
}

describe('consumeFromFirstEdit', () => {
  it('is not yet the library method (the comparison below compares two things)', () => {
    assert.notEqual(libraryConsume, consumeFromFirstEdit);
  });

  it('gives the library result on 2,000 random batches of edits', () => {
    for (let seed = 1; seed <= 2_000; seed++) {
      const next = random(seed);
      const length = Math.floor(next() * 40);
      const events = Array.from({ length }, (_, i) => ['enter', { type: `e${i}` }, {}]) as unknown as Events;
      const edits: [boolean, number, number, Events][] = [];
      for (let n = Math.floor(next() * 6); n > 0; n--) {
        const at = Math.floor(next() * (length + 1));
        const remove = Math.min(Math.floor(next() * 3), length - at);
        const add = Array.from({ length: Math.floor(next() * 3) }, (_, i) => [
          'exit',
          { type: `a${seed}-${n}-${i}` },
          {},
        ]) as unknown as Events;
        edits.push([next() < 0.3, at, remove, add]);
      }
      const apply = (consume: typeof libraryConsume) => {
        const map = new EditMap();
        for (const [before, at, remove, add] of edits) {
          if (before) map.addBefore(at, remove, [...add]);
          else map.add(at, remove, [...add]);
        }
        const copy = [...events];
        consume.call(map, copy);
        assert.equal(map.map.length, 0);
        assert.equal(map.index.size, 0);
        return copy.map((event) => event[1].type);
      };
      assert.deepEqual(apply(consumeFromFirstEdit), apply(libraryConsume), `seed ${seed}`);
    }
  });

  it('is the edit map micromark itself builds (one copy of the library, not two)', () => {
    const resolve = (name: string, from?: string) =>
      from ? createRequire(from).resolve(name) : fileURLToPath(import.meta.resolve(name));
    const mdast = resolve('mdast-util-from-markdown');
    const micromark = resolve('micromark', mdast);
    const commonmark = resolve('micromark-core-commonmark', micromark);
    const ours = resolve('micromark-util-edit-map');
    assert.equal(resolve('micromark-util-edit-map', micromark), ours);
    assert.equal(resolve('micromark-util-edit-map', commonmark), ours);
  });

  it('makes micromark build the same trees', () => {
    const documents = [
      '<!-- a -->\n' + '- item\n  - sub\n'.repeat(200),
      '> - item\n>   - sub\n>     > quote\n'.repeat(50),
      '- a\nlazy line\n  - b\n> quote\nlazy\n\n1. one\n   2. two\nlazy\n',
      'Heading\n=======\n\n> quoted\nsetext\n---\n\n* x\n\n  <!-- c -->\n* y\n  ```\n  code\n  ```\n',
      '[a]: /url "title"\n\n- [b]\n  [b]: /x\n\n> <div hidden>\n> text\n> </div>\n',
    ];
    const trees = (options: object) => documents.map((text) => JSON.stringify(fromMarkdown(text, options)));
    const library = trees({});
    useLinearEditMap();
    assert.equal(EditMap.prototype.consume, consumeFromFirstEdit);
    assert.deepEqual(trees({}), library);
  });
});
