import { CONTROL } from './block-mapping.ts';
import { readInline, looksLikeKey, readKey } from './simple-inline.ts';
import { add, BAIL, bail, map, scalar, seq, set } from './simple-nodes.ts';
import type { SimpleMap, SimpleSeq } from './simple-nodes.ts';
import { SimpleYamlSource } from './simple-source.ts';

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
    add(seq, readInline(this.text, at, end));
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
    set(target, key.value, at, key.end, readInline(this.text, value, end));
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
}
