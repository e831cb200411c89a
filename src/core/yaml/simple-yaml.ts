import { CONTROL, NOT_SIMPLE, NON_STRING, PLAIN_KEY, scalarValue } from './block-mapping.ts';
import type { Position, Range, YamlPath, YamlRanges } from './source.ts';

/**
 * A fast reader for the YAML of config files — block mappings and sequences,
 * one-line scalars, one-line flow sequences of scalars, comments — that
 * keeps where every key and value is, as the `yaml` library's node ranges
 * do. For anything else (anchors, tags, block or multi-line scalars,
 * escapes, tabs, CRLF, nested flow collections, duplicate keys) it returns
 * undefined and the caller uses the full parser. A differential test holds
 * values and ranges to the `yaml` library's.
 *
 * Why: the full parser takes about 60 ms for a 5,000-line config, and
 * validation runs on every keystroke.
 */
export function parseSimpleYaml(text: string): SimpleYamlSource | undefined {
  if (CONTROL.test(text) || text.includes('\r') || text.includes('\t')) return undefined;
  try {
    return new Reader(text).read();
  } catch (error) {
    if (error === BAIL) return undefined;
    throw error;
  }
}

type SimpleNode = SimpleScalar | SimpleMap | SimpleSeq;
/** `start` and `end` are the yaml library's range[0] and range[1]; `after` is its range[2] (trailing space, comment, newline). */
interface SimpleScalar {
  kind: 'scalar';
  start: number;
  end: number;
  after: number;
  value: unknown;
}
interface SimplePair {
  key: string;
  start: number;
  end: number;
  value: SimpleNode;
}
interface SimpleMap {
  kind: 'map';
  start: number;
  end: number;
  after: number;
  pairs: SimplePair[];
  value: Record<string, unknown>;
}
interface SimpleSeq {
  kind: 'seq';
  start: number;
  end: number;
  after: number;
  items: SimpleNode[];
  value: unknown[];
}

/** Ranges in the text, answered as YamlSource answers them. */
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

const BAIL = Symbol('bail');
function bail(): never {
  throw BAIL;
}

interface Frame {
  node: SimpleMap | SimpleSeq;
  indent: number;
}

/** A key (or a dash) whose value is on the following lines, or nowhere. */
type Pending =
  | { kind: 'key'; map: SimpleMap; key: string; start: number; end: number; indent: number; after: number }
  | { kind: 'item'; seq: SimpleSeq; indent: number; after: number };

class Reader {
  private readonly text: string;
  private readonly frames: Frame[] = [];
  private root: SimpleMap | undefined;
  private pending: Pending | undefined;
  /** Indentations of the comment lines since the last content line. */
  private comments: number[] = [];

  constructor(text: string) {
    this.text = text;
  }

  read(): SimpleYamlSource {
    const { text } = this;
    for (let start = 0; start < text.length;) {
      let end = text.indexOf('\n', start);
      if (end < 0) end = text.length;
      this.line(start, end);
      start = end + 1;
    }
    // A comment after the last content belongs to some node's trailing range: left to the full parser.
    if (this.comments.length > 0) bail();
    this.settlePending(-1, false, text.length);
    while (this.frames.length > 0) this.close();
    return new SimpleYamlSource(text, this.root);
  }

  private line(start: number, end: number): void {
    const { text } = this;
    let indent = 0;
    while (text.charCodeAt(start + indent) === 32) indent++;
    const at = start + indent;
    if (at === end) return;
    if (text[at] === '#') {
      this.comments.push(indent);
      return;
    }
    // Only comments that lead the next line at its own indentation leave every range as it is.
    if (
      this.comments.some((i) => i !== indent) ||
      (this.comments.length > 0 &&
        this.pending &&
        !(
          indent > this.pending.indent ||
          (indent === this.pending.indent && this.pending.kind === 'key' && text[at] === '-')
        ))
    )
      bail();
    this.comments = [];
    if (indent === 0 && (text.startsWith('---', at) || text.startsWith('...', at) || text[at] === '%')) bail();
    const dash = text[at] === '-' && (at + 1 === end || text[at + 1] === ' ');
    this.settlePending(indent, dash, at);
    while (this.frames.length > 0) {
      const top = this.frames[this.frames.length - 1]!;
      const below = this.frames[this.frames.length - 2];
      // A sequence at its parent key's indentation ("key:\n- item") ends at the next key of that parent.
      if (top.indent > indent || (top.node.kind === 'seq' && !dash && below?.indent === indent)) this.close();
      else break;
    }
    if (this.frames.length === 0) {
      if (this.root || indent !== 0 || dash) bail();
      this.root = map(at);
      this.frames.push({ node: this.root, indent: 0 });
    }
    const top = this.frames[this.frames.length - 1]!;
    if (top.indent !== indent) bail();
    if (top.node.kind === 'seq') {
      if (!dash) bail();
      this.item(top.node, indent, at + 1, end, start);
    } else {
      if (dash) bail();
      this.entry(top.node, indent, at, end);
    }
  }

  /** `- value`, `-` (value below or null), or `- key: value` (a mapping in the sequence). */
  private item(seq: SimpleSeq, indent: number, afterDash: number, end: number, lineStart: number): void {
    const { text } = this;
    let at = afterDash;
    while (text.charCodeAt(at) === 32) at++;
    if (at === end) {
      this.pending = { kind: 'item', seq, indent, after: at };
      return;
    }
    if (text[at] === '#' || text[at] === '-') bail();
    if (looksLikeKey(text, at, end)) {
      const inner = map(at);
      add(seq, inner);
      this.frames.push({ node: inner, indent: at - lineStart });
      this.entry(inner, at - lineStart, at, end);
      return;
    }
    add(seq, this.inline(at, end));
  }

  /** `key: value` or `key:` (value below or null). */
  private entry(target: SimpleMap, indent: number, at: number, end: number): void {
    const { text } = this;
    const key = readKey(text, at, end);
    if (key.value === '__proto__' || Object.hasOwn(target.value, key.value)) bail();
    let value = key.end + 1;
    while (text.charCodeAt(value) === 32) value++;
    if (value === end) {
      // A null value sits after any trailing spaces, as the full parser places it.
      this.pending = { kind: 'key', map: target, key: key.value, start: at, end: key.end, indent, after: value };
      return;
    }
    if (value === key.end + 1 || text[value] === '#') bail();
    set(target, key.value, at, key.end, this.inline(value, end));
  }

  /** Settles a pending key or dash by the next content line (at `at`, indented `indent`; -1 at the end). */
  private settlePending(indent: number, dash: boolean, at: number): void {
    const pending = this.pending;
    if (!pending) return;
    this.pending = undefined;
    if (pending.kind === 'item') {
      if (indent > pending.indent) bail();
      add(pending.seq, scalar(pending.after, pending.after, null, pending.after));
      return;
    }
    if (indent > pending.indent || (indent === pending.indent && dash)) {
      const child = dash ? seq(at) : map(at);
      set(pending.map, pending.key, pending.start, pending.end, child);
      this.frames.push({ node: child, indent });
    } else
      set(
        pending.map,
        pending.key,
        pending.start,
        pending.end,
        scalar(pending.after, pending.after, null, pending.after),
      );
  }

  /** A block collection ends where its last value's trailing range ends. */
  private close(): void {
    const { node } = this.frames.pop()!;
    const last = node.kind === 'map' ? node.pairs[node.pairs.length - 1]?.value : node.items[node.items.length - 1];
    node.end = node.after = last?.after ?? node.start;
  }

  /** A value on one line: quoted or plain scalar, `[a, b]`, `[]` or `{}`; then only a comment. */
  private inline(at: number, end: number): SimpleNode {
    const { text } = this;
    const first = text[at];
    const lineAfter = end < text.length ? end + 1 : end;
    let node: SimpleNode;
    let after: number;
    if (first === '"' || first === "'") {
      const quoted = readQuoted(text, at, end);
      node = scalar(at, quoted.end, quoted.value, lineAfter);
      after = quoted.end;
    } else if (first === '[' || first === '{') {
      node = readFlow(text, at, end);
      node.after = lineAfter;
      after = node.end;
    } else {
      // A comment on this line only: searching the rest of the file for one made every plain value O(file).
      let stop = at;
      while (stop < end && !(text.charCodeAt(stop) === 32 && text.charCodeAt(stop + 1) === 35)) stop++;
      while (stop > at && text.charCodeAt(stop - 1) === 32) stop--;
      const value = scalarValue(text.slice(at, stop));
      if (value === NOT_SIMPLE || typeof value === 'object') bail();
      return scalar(at, stop, value, lineAfter);
    }
    trailing(text, after, end);
    return node;
  }
}

function map(start: number): SimpleMap {
  return { kind: 'map', start, end: start, after: start, pairs: [], value: {} };
}

function seq(start: number): SimpleSeq {
  return { kind: 'seq', start, end: start, after: start, items: [], value: [] };
}

function scalar(start: number, end: number, value: unknown, after = end): SimpleScalar {
  return { kind: 'scalar', start, end, after, value };
}

function set(target: SimpleMap, key: string, start: number, end: number, value: SimpleNode): void {
  target.pairs.push({ key, start, end, value });
  target.value[key] = value.value;
}

function add(target: SimpleSeq, value: SimpleNode): void {
  target.items.push(value);
  target.value.push(value.value);
}

/** The first `char` in text[from, end), or -1: a search never runs past its line (unbounded ones made big files quadratic). */
function indexWithin(text: string, char: string, from: number, end: number): number {
  const code = char.charCodeAt(0);
  for (let i = from; i < end; i++) if (text.charCodeAt(i) === code) return i;
  return -1;
}

function looksLikeKey(text: string, at: number, end: number): boolean {
  if (text[at] === '"' || text[at] === "'") {
    const close = indexWithin(text, text[at]!, at + 1, end);
    return close > 0 && close < end && text[close + 1] === ':';
  }
  const colon = indexWithin(text, ':', at, end);
  return (
    colon > 0 && colon < end && (colon + 1 === end || text[colon + 1] === ' ') && !text.slice(at, colon).includes(' #')
  );
}

function readKey(text: string, at: number, end: number): { value: string; end: number } {
  const first = text[at];
  if (first === '"' || first === "'") {
    const quoted = readQuoted(text, at, end);
    if (text[quoted.end] !== ':' || (quoted.end + 1 < end && text[quoted.end + 1] !== ' ')) bail();
    return { value: String(quoted.value), end: quoted.end };
  }
  const colon = indexWithin(text, ':', at, end);
  if (colon < 0 || (colon + 1 < end && text[colon + 1] !== ' ')) bail();
  const key = text.slice(at, colon);
  if (!PLAIN_KEY.test(key) || NON_STRING.test(key)) bail();
  return { value: key, end: colon };
}

/** A double-quoted scalar without escapes, or a single-quoted one ('' is a quote). */
function readQuoted(text: string, at: number, end: number): { value: string; end: number } {
  const quote = text[at]!;
  if (quote === '"') {
    const close = indexWithin(text, '"', at + 1, end);
    if (close < 0) bail();
    const value = text.slice(at + 1, close);
    if (value.includes('\\')) bail();
    return { value, end: close + 1 };
  }
  let value = '';
  for (let i = at + 1; i < end; i++) {
    if (text[i] !== "'") {
      value += text[i];
      continue;
    }
    if (text[i + 1] === "'") {
      value += "'";
      i++;
      continue;
    }
    return { value, end: i + 1 };
  }
  return bail();
}

/** `[]`, `{}`, or `[a, "b", 'c']` with one-line scalars, all on one line. */
function readFlow(text: string, at: number, end: number): SimpleNode {
  const open = text[at]!;
  const closeChar = open === '[' ? ']' : '}';
  let i = at + 1;
  while (text.charCodeAt(i) === 32) i++;
  if (text[i] === closeChar) {
    return open === '[' ? { ...seq(at), end: i + 1 } : { ...map(at), end: i + 1 };
  }
  if (open === '{') bail();
  const list = seq(at);
  for (;;) {
    while (text.charCodeAt(i) === 32) i++;
    if (i >= end) bail();
    let item: SimpleScalar;
    if (text[i] === '"' || text[i] === "'") {
      const quoted = readQuoted(text, i, end);
      item = scalar(i, quoted.end, quoted.value);
      i = quoted.end;
    } else {
      let stop = i;
      while (stop < end && text[stop] !== ',' && text[stop] !== ']') stop++;
      let last = stop;
      while (last > i && text.charCodeAt(last - 1) === 32) last--;
      const raw = text.slice(i, last);
      if (raw === '' || /[[\]{}#"'&*!|>%@`?]|:(?: |$)/.test(raw) || raw.startsWith('-')) bail();
      const value = scalarValue(raw);
      if (value === NOT_SIMPLE || typeof value === 'object') bail();
      item = scalar(i, last, value);
      i = stop;
    }
    add(list, item);
    while (text.charCodeAt(i) === 32) i++;
    if (text[i] === ']') {
      list.end = i + 1;
      return list;
    }
    if (text[i] !== ',') bail();
    i++;
  }
}

/** After a value: nothing, or spaces and a comment. */
function trailing(text: string, at: number, end: number): void {
  let i = at;
  while (text.charCodeAt(i) === 32) i++;
  if (i === end) return;
  if (text[i] !== '#' || i === at) bail();
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
