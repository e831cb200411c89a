import { entryEnd, entryShape } from './entry-shape.ts';

/**
 * A fast reader for the YAML that AAM files are made of: block mappings of
 * scalars and sequences of scalars (`- item`), as the `yaml` library and
 * PyYAML write lock files, trust records, indexes and metadata. It gives exactly what the `yaml` library would (YAML 1.2 core
 * schema) or, for anything beyond that subset — sequences, anchors, tags,
 * flow collections, block or multi-line scalars, escapes, comments after a
 * value, duplicate keys — undefined, and the caller uses the full parser.
 * A differential test holds it to that.
 *
 * Why: the full parser costs a third of a millisecond per lock-file entry,
 * more than re-checking an unchanged package.
 */
export function parseBlockMapping(text: string): Record<string, unknown> | undefined {
  return scan(text, 0)?.root;
}

/**
 * A block mapping whose mapping under `key` (a lock file's or trust record's
 * `packages`) holds its entries unbuilt: the whole text is read as
 * `parseBlockMapping` reads it (so anything it would not read, anywhere, is
 * still undefined here), but an entry that is a mapping is only kept as where
 * it is, and built when asked for — by reading those lines again, alone,
 * which gives what the whole reading gives (every line of an entry is deeper
 * than its key, and the reading of a line depends only on the lines above it
 * within the entry). One package of a thousand then costs one entry built.
 */
export function parseBlockMappingLazily(text: string, key: string): LazyMapping | undefined {
  const read = scan(text, 0, key);
  if (!read) return undefined;
  const { root, spans, entryIndent } = read;
  const entries = root[key];
  return {
    root,
    entry(name) {
      if (!entries || typeof entries !== 'object' || !Object.hasOwn(entries, name)) return undefined;
      const value = (entries as Record<string, unknown>)[name];
      if (value !== UNBUILT) return value;
      const [start, end] = spans.get(name)!;
      const again = scan(text.slice(start, end), entryIndent)?.root;
      if (!again || !Object.hasOwn(again, name)) throw new Error(`the entry ${name} does not read alone`);
      return again[name];
    },
  };
}

/** A mapping read by `parseBlockMappingLazily`: in `root`, its entries that are mappings stand as UNBUILT. */
export interface LazyMapping {
  root: Record<string, unknown>;
  /** The entry `name` of the mapping under the key, as the whole reading gives it (undefined when there is none). */
  entry(name: string): unknown;
}

/** Stands, in a lazily read mapping, for an entry that is a mapping not built yet. */
export const UNBUILT: unique symbol = Symbol('unbuilt');

/** How many entries lazy readings took by their shape (see entryShape), not line by line: for tests. */
export const shapesReused = { count: 0 };

function scan(
  text: string,
  baseIndent: number,
  lazyKey?: string,
): { root: Record<string, unknown>; spans: Map<string, [number, number]>; entryIndent: number } | undefined {
  if (CONTROL.test(text)) return undefined;
  const root: Record<string, unknown> = {};
  const frames: { indent: number; map: Record<string, unknown> }[] = [{ indent: baseIndent, map: root }];
  /** With a lazy key: the mapping under it, the column of its keys, and where each of its entries is (from its key's line). */
  let lazy: Record<string, unknown> | undefined;
  let entryIndent = -1;
  const spans = new Map<string, [number, number]>();
  let open: [number, number] | undefined;
  /** With a lazy key: the shapes of entries read in full that were mappings, and the entry being read (its key, where its lines end, its shape). */
  const shapes = lazyKey === undefined ? undefined : new Set<string>();
  let reading: { key: string; end: number; shape: string } | undefined;
  /** A key whose value is on the following lines (a nested mapping), or nowhere (null). */
  let pending: { map: Record<string, unknown>; key: string; indent: number } | undefined;
  /** Set after a scalar value: a deeper line would continue it (a multi-line scalar). */
  let scalarIndent = -1;
  /** A block sequence being read: its dashes' column, its items, and the column of the key that holds it. */
  let sequence: { indent: number; items: unknown[]; keyIndent: number } | undefined;
  const length = text.length;
  const keyLines = new Map<string, KeyLine | null>();
  let position = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  while (position < length) {
    let end = text.indexOf('\n', position);
    if (end < 0) end = length;
    const lineStart = position;
    let line = text.slice(position, end);
    position = end + 1;
    if (line.endsWith('\r')) line = line.slice(0, -1);
    let indent = 0;
    while (line.charCodeAt(indent) === 32) indent++;
    if (indent === line.length) continue;
    const first = line.charCodeAt(indent);
    if (first === 0x23 /* # */) continue;
    if (first === 0x09 /* tab */) return undefined;
    // A document marker (`---`, `...`) is only one at the start of a line.
    if (indent === 0 && (first === 0x2d || first === 0x2e) && (line.startsWith('---') || line.startsWith('...')))
      return undefined;
    const dash = first === 0x2d /* - */ && (indent + 1 === line.length || line.charCodeAt(indent + 1) === 32);
    if (pending && dash && indent >= pending.indent) {
      // `key:` then `- item` lines, at its column (as AAM writes them) or deeper.
      const items: unknown[] = [];
      pending.map[pending.key] = items;
      sequence = { indent, items, keyIndent: pending.indent };
      pending = undefined;
    }
    if (sequence) {
      if (indent === sequence.indent && dash) {
        // Only one-line scalars: `- ` alone (null), nested collections and `- a: b` go to the full parser.
        const item = trimWhite(line.slice(indent + 2));
        if (item === '') return undefined;
        const value = scalarValue(item);
        if (value === NOT_SIMPLE) return undefined;
        sequence.items.push(value);
        scalarIndent = indent;
        continue;
      }
      // A deeper line continues an item; a key at the dashes' column, deeper than the sequence's key, is an error.
      if (indent > sequence.indent || (indent === sequence.indent && indent > sequence.keyIndent)) return undefined;
      sequence = undefined;
      scalarIndent = -1;
    }
    if (pending) {
      if (indent > pending.indent) {
        const child: Record<string, unknown> = {};
        // An entry of the lazy mapping is read in full (to know it reads) but kept only as where it is.
        pending.map[pending.key] = lazy !== undefined && pending.map === lazy ? UNBUILT : child;
        if (lazyKey !== undefined && pending.map === root && pending.key === lazyKey) {
          lazy = child;
          entryIndent = indent;
        }
        frames.push({ indent, map: child });
      } else pending.map[pending.key] = null;
      pending = undefined;
    } else if (scalarIndent >= 0 && indent > scalarIndent) return undefined;
    while (frames.length > 1 && frames[frames.length - 1]!.indent > indent) frames.pop();
    const frame = frames[frames.length - 1]!;
    if (frame.indent !== indent) return undefined;
    // A line at an entry's column or to the left ends the entry before it.
    if (open && indent <= entryIndent) {
      open[1] = lineStart;
      open = undefined;
      if (reading && reading.end === lineStart && lazy![reading.key] === UNBUILT) shapes!.add(reading.shape);
      reading = undefined;
    }
    const keyed = keyLine(line, indent, keyLines);
    if (!keyed) return undefined;
    const { key, value } = keyed;
    if (key === '__proto__' || Object.hasOwn(frame.map, key)) return undefined;
    if (lazy !== undefined && frame.map === lazy) spans.set(key, (open = [lineStart, length]));
    if (value === PENDING) {
      pending = { map: frame.map, key, indent };
      scalarIndent = -1;
      if (shapes && frame.map === lazy) {
        // An entry of a shape read before reads as that one did: a mapping, which is not built here anyway.
        const end = entryEnd(text, position, indent);
        const shape = end > position ? entryShape(text, position, end) : undefined;
        if (shape !== undefined && shapes.has(shape)) {
          frame.map[key] = UNBUILT;
          pending = undefined;
          position = end;
          shapesReused.count++;
        } else if (shape !== undefined) reading = { key, end, shape };
      }
      continue;
    }
    if (value === NOT_SIMPLE) return undefined;
    frame.map[key] = value === EMPTY_MAP ? {} : value === EMPTY_SEQ ? [] : value;
    scalarIndent = indent;
  }
  if (pending) pending.map[pending.key] = null;
  return { root, spans, entryIndent };
}

export const NOT_SIMPLE = Symbol('not simple');

/**
 * The longest key, quotes included, the fast readers take: YAML refuses an implicit key over 1,024
 * characters (so do the `yaml` library and PyYAML), and a key anywhere near that is left to the full parser.
 */
export const MAX_KEY = 1000;

/**
 * A value without the white space YAML strips around it: spaces and tabs only. (`String.prototype.trim`
 * also strips U+00A0, U+3000 and other Unicode spaces, which YAML keeps as content.)
 */
function trimWhite(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && (text.charCodeAt(start) === 32 || text.charCodeAt(start) === 9)) start++;
  while (end > start && (text.charCodeAt(end - 1) === 32 || text.charCodeAt(end - 1) === 9)) end--;
  return text.slice(start, end);
}
/** Characters the full parser may reject or treat specially. */
export const CONTROL =
  // oxlint-disable-next-line no-control-regex -- control characters are exactly what this finds
  /\r(?!\n)|[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * A plain key the core schema reads as a string, written without quotes. A `#` starts a comment only after
 * a blank: PyYAML (the real aam) writes a file `C#.md` as a plain key (diff5-review F7).
 */
export const PLAIN_KEY = /^[A-Za-z0-9_./](?:[^:#\t]|(?<! )#)*(?<! )$/;
/** Plain scalars the core schema reads as something other than a string. */
export const NON_STRING =
  /^(?:~|null|Null|NULL|true|True|TRUE|false|False|FALSE)$|^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$|^[-+]?\.(?:inf|Inf|INF)$|^\.(?:nan|NaN|NAN)$|^0o[0-7]+$|^0x[0-9a-fA-F]+$/;

/**
 * A `key: value` line read: its key, and its value (PENDING when it is on the
 * lines below, NOT_SIMPLE when the fast reader leaves it). A lock file or
 * trust record repeats most of its lines word for word from entry to entry
 * (`    source: team`, `      type: sigstore`), so a line is read once per
 * text and remembered; an empty mapping or sequence is made anew each time.
 */
interface KeyLine {
  key: string;
  value: unknown;
}
const PENDING = Symbol('pending');
const EMPTY_MAP = Symbol('{}');
const EMPTY_SEQ = Symbol('[]');

function keyLine(line: string, indent: number, seen: Map<string, KeyLine | null>): KeyLine | null {
  let known = seen.get(line);
  if (known !== undefined) return known;
  const parsed = readKey(line, indent);
  known = null;
  if (parsed) {
    const { key, rest } = parsed;
    const trimmed = trimWhite(rest);
    let value: unknown = PENDING;
    if (trimmed !== '') value = rest.charCodeAt(0) !== 32 ? NOT_SIMPLE : scalarValue(trimmed);
    if (value !== null && typeof value === 'object') value = Array.isArray(value) ? EMPTY_SEQ : EMPTY_MAP;
    known = { key, value };
  }
  if (seen.size < 4096) seen.set(line, known);
  return known;
}

function readKey(line: string, indent: number): { key: string; rest: string } | undefined {
  const quote = line[indent];
  if (quote === '"' || quote === "'") {
    const close = line.indexOf(quote, indent + 1);
    if (close < 0 || line[close + 1] !== ':' || close + 1 - indent > MAX_KEY) return undefined;
    const key = line.slice(indent + 1, close);
    // Escapes (and a doubled single quote, which ends the search above early) are left to the full parser.
    if (key.includes('\\')) return undefined;
    return { key, rest: line.slice(close + 2) };
  }
  const colon = line.indexOf(':', indent);
  if (colon < 0 || colon - indent > MAX_KEY) return undefined;
  const key = line.slice(indent, colon);
  if (!PLAIN_KEY.test(key) || NON_STRING.test(key)) return undefined;
  return { key, rest: line.slice(colon + 1) };
}

/** The value of a one-line scalar or empty collection (`{}`, `[]`) as the core schema reads it, or NOT_SIMPLE. */
export function scalarValue(value: string): unknown {
  const first = value[0]!;
  if (first === '"') {
    if (value.length < 2 || !value.endsWith('"')) return NOT_SIMPLE;
    const inner = value.slice(1, -1);
    return inner.includes('"') || inner.includes('\\') ? NOT_SIMPLE : inner;
  }
  if (first === "'") {
    if (value.length < 2 || !value.endsWith("'")) return NOT_SIMPLE;
    const inner = value.slice(1, -1);
    return inner.includes("'") ? NOT_SIMPLE : inner;
  }
  if (value === '{}') return {};
  if (value === '[]') return [];
  // Indicators that start something else: collections, anchors, aliases, tags, block scalars, directives, reserved.
  if ('[]{}&*!|>%@`#,?:'.includes(first) || (first === '-' && (value.length === 1 || value[1] === ' ')))
    return NOT_SIMPLE;
  // A comment, a nested mapping, or a key at the end: not a plain scalar of one line.
  if (value.includes(' #') || value.includes(': ') || value.endsWith(':') || value.includes('\t')) return NOT_SIMPLE;
  if (!NON_STRING.test(value)) return value;
  if (value === '~' || value === 'null' || value === 'Null' || value === 'NULL') return null;
  if (value === 'true' || value === 'True' || value === 'TRUE') return true;
  if (value === 'false' || value === 'False' || value === 'FALSE') return false;
  // Integers and decimals that read the same in every YAML and JavaScript; the rest goes to the full parser.
  if (/^-?(?:0|[1-9][0-9]{0,14})$/.test(value)) return Number(value);
  return NOT_SIMPLE;
}
