import { EditMap } from 'micromark-util-edit-map';

/**
 * micromark applies a batch of edits to its list of events (EditMap.consume) by copying the whole list,
 * and its document tokenizer applies one each time a list item or a quote closes: a list of 4,000 items
 * with a sub-item each (60 KB, an ordinary shape) took 17 s to parse, growing as the square of its length.
 * The same algorithm, leaving the events before the first edit where they are, costs only what follows
 * that edit, which is near the end there; its result is the library's (test/core/content/edit-map.test.ts
 * compares the two on random edits, and the trees micromark builds with each).
 */

type Events = Parameters<EditMap['consume']>[0];

/** EditMap.consume without the copy of the events before the first edit. */
export function consumeFromFirstEdit(this: EditMap, events: Events): undefined {
  this.map.sort((a, b) => a[0] - b[0]);
  if (this.map.length === 0) return;
  // From the last edit back: what follows it, then what it adds; the events before the first stay.
  const pieces: Events[] = [];
  for (let index = this.map.length - 1; index >= 0; index--) {
    const [at, remove, add] = this.map[index]!;
    pieces.push(events.slice(at + remove), add);
    events.length = at;
  }
  for (let piece = pieces.pop(); piece; piece = pieces.pop()) {
    for (const event of piece) events.push(event);
  }
  this.map.length = 0;
  this.index.clear();
}

/** Makes every EditMap micromark builds use consumeFromFirstEdit: called before each parse, once is enough. */
export function useLinearEditMap(): void {
  if (EditMap.prototype.consume !== consumeFromFirstEdit) EditMap.prototype.consume = consumeFromFirstEdit;
}
