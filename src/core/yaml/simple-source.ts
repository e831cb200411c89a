import type { Position, Range, YamlPath, YamlRanges } from './source.ts';
import type { SimpleMap, SimpleNode, SimplePair } from './simple-nodes.ts';

/**
 * Ranges in the text, answered as YamlSource answers them, from the nodes
 * the fast reader (simple-yaml.ts) built: what diagnostics underline.
 */
export class SimpleYamlSource implements YamlRanges {
  readonly text: string;
  readonly root: SimpleMap | undefined;
  private readonly lineStarts: number[];

  constructor(text: string, root: SimpleMap | undefined) {
    this.text = text;
    this.root = root;
    this.lineStarts = [0];
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) this.lineStarts.push(i + 1);
  }

  /** The document's value: null for an empty document, as the full parser gives it. */
  get value(): Record<string, unknown> | null {
    return this.root?.value ?? null;
  }

  position(offset: number): Position {
    const at = Math.max(0, Math.min(offset, this.text.length));
    let low = 0;
    let high = this.lineStarts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (this.lineStarts[mid]! <= at) low = mid;
      else high = mid - 1;
    }
    return { line: low, character: at - this.lineStarts[low]! };
  }

  rangeOf(start: number, end: number): Range {
    return { start: this.position(start), end: this.position(Math.max(start, end)) };
  }

  valueRange(path: YamlPath): Range {
    const found = this.locate(path);
    const node = found.pair && found.complete ? found.pair.value : found.node;
    return node ? this.rangeOf(node.start, node.end) : this.firstLine();
  }

  keyRange(path: YamlPath): Range {
    const found = this.locate(path);
    if (found.complete && found.pair) return this.rangeOf(found.pair.start, found.pair.end);
    return this.valueRange(path);
  }

  private locate(path: YamlPath): { node: SimpleNode | undefined; pair: SimplePair | undefined; complete: boolean } {
    let node: SimpleNode | undefined = this.root;
    let pair: SimplePair | undefined;
    for (const segment of path) {
      if (node?.kind === 'map') {
        const match: SimplePair | undefined = pairIndex(node).get(String(segment));
        if (!match) return { node, pair, complete: false };
        pair = match;
        node = match.value;
      } else if (node?.kind === 'seq' && typeof segment === 'number' && node.items[segment] !== undefined) {
        pair = undefined;
        node = node.items[segment];
      } else {
        return { node, pair, complete: false };
      }
    }
    return { node, pair, complete: true };
  }

  private firstLine(): Range {
    const end = this.text.indexOf('\n');
    return this.rangeOf(0, end < 0 ? this.text.length : end);
  }
}

const pairIndexes = new WeakMap<SimpleMap, Map<string, SimplePair>>();

/** A map's pairs by key (the first of duplicates), built once: looking keys up one by one made many diagnostics quadratic. */
function pairIndex(map: SimpleMap): Map<string, SimplePair> {
  let index = pairIndexes.get(map);
  if (!index) {
    index = new Map();
    for (const pair of map.pairs) if (!index.has(pair.key)) index.set(pair.key, pair);
    pairIndexes.set(map, index);
  }
  return index;
}
