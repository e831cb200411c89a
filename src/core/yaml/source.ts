import { LineCounter, YAMLParseError, isMap, isPair, isScalar, isSeq, parseDocument, visit } from 'yaml';
import type { Document, Node, Pair } from 'yaml';

/** A 0-based position in a text document (as the editor counts). */
export interface Position {
  line: number;
  character: number;
}
export interface Range {
  start: Position;
  end: Position;
}
export type YamlPath = readonly (string | number)[];

/** Aliases beyond this are refused: a "billion laughs" document expands exponentially. */
export const MAX_ALIAS_COUNT = 64;
/** Config and lock files larger than this are refused before parsing. */
export const MAX_YAML_BYTES = 8 * 1024 * 1024;

/** Where paths are in a YAML text: what diagnostics need (YamlSource, or the fast config reader). */
export interface YamlRanges {
  position(offset: number): Position;
  rangeOf(start: number, end: number): Range;
  /** The range of the value at `path`, or of the closest existing ancestor. */
  valueRange(path: YamlPath): Range;
  /** The range of the key that holds `path` (or of the item, inside a list). */
  keyRange(path: YamlPath): Range;
}

/** A parsed YAML text that can answer "where is this path?". */
export class YamlSource implements YamlRanges {
  readonly text: string;
  readonly doc: Document.Parsed;
  private readonly lines: LineCounter;

  constructor(text: string) {
    this.text = text;
    this.lines = new LineCounter();
    this.doc = parseDocument(text, {
      lineCounter: this.lines,
      prettyErrors: false,
      // The library's own duplicate-key check compares each key with every earlier one; see reportDuplicateKeys.
      uniqueKeys: false,
      strict: true,
      stringKeys: false,
      // Problems become diagnostics; the library must not also print process warnings (a collection as a key).
      logLevel: 'error',
    });
    reportDuplicateKeys(this.doc);
    reportYaml11Breaks(text, this.doc);
  }

  position(offset: number): Position {
    const { line, col } = this.lines.linePos(Math.max(0, Math.min(offset, this.text.length)));
    return { line: line - 1, character: col - 1 };
  }

  offset(position: Position): number {
    const starts = this.lines.lineStarts;
    const start = starts[position.line] ?? this.text.length;
    return Math.min(start + position.character, this.text.length);
  }

  rangeOf(start: number, end: number): Range {
    return { start: this.position(start), end: this.position(Math.max(start, end)) };
  }

  /** The range of the value at `path`, or of the closest existing ancestor. */
  valueRange(path: YamlPath): Range {
    const found = this.locate(path);
    const node =
      found.pair && found.complete ? ((found.pair.value as Node | null) ?? (found.pair.key as Node)) : found.node;
    return this.nodeRange(node ?? (found.pair?.key as Node | undefined));
  }

  /** The range of the key that holds `path` (or of the item, inside a list). */
  keyRange(path: YamlPath): Range {
    const found = this.locate(path);
    if (found.complete && found.pair) return this.nodeRange(found.pair.key as Node);
    return this.valueRange(path);
  }

  /** The key/value pair or list item at `path`; `complete` is false when the path stops early. */
  locate(path: YamlPath): { node: Node | undefined; pair: Pair | undefined; complete: boolean } {
    let node = this.doc.contents as Node | null | undefined;
    let pair: Pair | undefined;
    for (const segment of path) {
      if (isMap(node)) {
        const match = pairIndex(node).get(String(segment));
        if (!match) return { node, pair, complete: false };
        pair = match;
        node = match.value as Node | null;
      } else if (isSeq(node) && typeof segment === 'number' && node.items[segment] !== undefined) {
        pair = undefined;
        node = node.items[segment] as Node;
      } else {
        return { node: node ?? undefined, pair, complete: false };
      }
    }
    return { node: node ?? undefined, pair, complete: true };
  }

  /**
   * The path at a text offset, and whether the offset is on a key. Positions
   * between nodes resolve to the innermost collection that contains them.
   */
  pathAt(offset: number): { path: (string | number)[]; onKey: boolean; node: Node | undefined } {
    const path: (string | number)[] = [];
    let node = this.doc.contents as Node | null | undefined;
    let onKey = false;
    for (;;) {
      if (isMap(node)) {
        const pair = node.items.find((p) => isPair(p) && containsOffset(p, offset));
        if (!pair) return { path, onKey: false, node };
        const key = pair.key as Node | null;
        path.push(keyText(key) ?? '');
        if (key?.range && offset >= key.range[0] && offset <= key.range[1]) return { path, onKey: true, node: key };
        node = pair.value as Node | null;
        onKey = false;
      } else if (isSeq(node)) {
        const index = node.items.findIndex(
          (item) => (item as Node).range && offset >= (item as Node).range![0] && offset <= (item as Node).range![1],
        );
        if (index < 0) return { path, onKey, node };
        path.push(index);
        node = node.items[index] as Node;
      } else {
        return { path, onKey, node: node ?? undefined };
      }
    }
  }

  private nodeRange(node: Node | undefined): Range {
    if (!node?.range) return this.rangeOf(0, firstLineEnd(this.text));
    return this.rangeOf(node.range[0], node.range[1]);
  }
}

function containsOffset(pair: Pair, offset: number): boolean {
  const key = pair.key as Node | null;
  const value = pair.value as Node | null;
  const start = key?.range?.[0] ?? value?.range?.[0];
  const end = value?.range?.[2] ?? key?.range?.[2];
  return start !== undefined && end !== undefined && offset >= start && offset <= end;
}

export function keyText(key: unknown): string | undefined {
  if (isScalar(key)) return String(key.value);
  if (typeof key === 'string') return key;
  return undefined;
}

function firstLineEnd(text: string): number {
  const end = text.indexOf('\n');
  return end < 0 ? text.length : end;
}

const pairIndexes = new WeakMap<object, Map<string, Pair>>();

/** A map's pairs by key text (the first of duplicates), built once: looking keys up one by one made many diagnostics quadratic. */
function pairIndex(map: { items: unknown[] }): Map<string, Pair> {
  let index = pairIndexes.get(map);
  if (!index) {
    index = new Map();
    for (const item of map.items) {
      if (!isPair(item)) continue;
      const key = keyText(item.key);
      if (key !== undefined && !index.has(key)) index.set(key, item);
    }
    pairIndexes.set(map, index);
  }
  return index;
}

/** Each repeated key of a mapping as a parse error, as the library reports them, found with one set per mapping. */
/**
 * A raw U+0085, U+2028 or U+2029 ends a line for aam (PyYAML reads YAML 1.1) and not for this reader (YAML 1.2):
 * after one in a comment or a plain value, `aam` reads keys this reader takes for comment text or one string.
 * Inside a quoted string both read the text between the quotes (PyYAML writes one there raw: `safe_dump` with
 * `allow_unicode`); anywhere else it is refused where it is, not read one way here and another there.
 */
function reportYaml11Breaks(text: string, doc: Document.Parsed): void {
  if (!/[\u0085\u2028\u2029]/.test(text)) return;
  const quoted: [number, number][] = [];
  visit(doc, {
    Scalar(_, node) {
      if ((node.type === 'QUOTE_SINGLE' || node.type === 'QUOTE_DOUBLE') && node.range)
        quoted.push([node.range[0], node.range[1]]);
    },
  });
  const breaks = /[\u0085\u2028\u2029]/g;
  for (let found = breaks.exec(text); found; found = breaks.exec(text)) {
    const at = found.index;
    if (quoted.some(([start, end]) => start < at && at < end)) continue;
    const code = `U+${text.charCodeAt(at).toString(16).toUpperCase().padStart(4, '0')}`;
    // First: another error the break causes (a comment's text read as a key) is its consequence.
    doc.errors.unshift(
      new YAMLParseError(
        [at, at + 1],
        'UNEXPECTED_TOKEN',
        `${code} outside quotes is a line break to aam (YAML 1.1) and not to AAM Trust (YAML 1.2), so the two would read this file differently: remove it, or write it inside a quoted string`,
      ),
    );
    return;
  }
}

function reportDuplicateKeys(doc: Document.Parsed): void {
  visit(doc, {
    Map(_, map) {
      const seen = new Set<string>();
      for (const pair of map.items) {
        if (!isScalar(pair.key)) continue;
        // Keys are compared as the plain object they become: `1000:` and `'1000':` (or `1.0:` and `'1':`) are one key.
        const value = pair.key.value;
        const id = value === null ? '' : String(value);
        if (seen.has(id)) {
          const start = pair.key.range?.[0] ?? 0;
          doc.errors.push(new YAMLParseError([start, start + 1], 'DUPLICATE_KEY', 'Map keys must be unique'));
        } else seen.add(id);
      }
    },
  });
}
