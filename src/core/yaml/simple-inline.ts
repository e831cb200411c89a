/**
 * What the fast YAML reader (simple-yaml.ts) reads within one line: a key,
 * a value (quoted or plain scalar, `[a, b]`, `[]`, `{}`) and what may follow
 * it. Every search stops at the line's end: unbounded ones made big files
 * quadratic.
 */
import { MAX_KEY, NOT_SIMPLE, NON_STRING, PLAIN_KEY, scalarValue } from './block-mapping.ts';
import { add, bail, map, scalar, seq } from './simple-nodes.ts';
import type { SimpleNode, SimpleScalar } from './simple-nodes.ts';

/** A value on one line: quoted or plain scalar, `[a, b]`, `[]` or `{}`; then only a comment. */
export function readInline(text: string, at: number, end: number): SimpleNode {
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

/** The first `char` in text[from, end), or -1: a search never runs past its line (unbounded ones made big files quadratic). */
function indexWithin(text: string, char: string, from: number, end: number): number {
  const code = char.charCodeAt(0);
  for (let i = from; i < end; i++) if (text.charCodeAt(i) === code) return i;
  return -1;
}

export function looksLikeKey(text: string, at: number, end: number): boolean {
  if (text[at] === '"' || text[at] === "'") {
    const close = indexWithin(text, text[at]!, at + 1, end);
    return close > 0 && close < end && text[close + 1] === ':';
  }
  const colon = indexWithin(text, ':', at, end);
  return (
    colon > 0 && colon < end && (colon + 1 === end || text[colon + 1] === ' ') && !text.slice(at, colon).includes(' #')
  );
}

export function readKey(text: string, at: number, end: number): { value: string; end: number } {
  const first = text[at];
  if (first === '"' || first === "'") {
    const quoted = readQuoted(text, at, end);
    if (text[quoted.end] !== ':' || (quoted.end + 1 < end && text[quoted.end + 1] !== ' ')) bail();
    if (quoted.end - at > MAX_KEY) bail();
    return { value: String(quoted.value), end: quoted.end };
  }
  const colon = indexWithin(text, ':', at, end);
  if (colon < 0 || (colon + 1 < end && text[colon + 1] !== ' ') || colon - at > MAX_KEY) bail();
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
