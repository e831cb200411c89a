/**
 * What a lazily read mapping's entry looks like to the block-mapping reader
 * (`parseBlockMappingLazily`), without its values: entries of the same shape
 * read the same way, so an entry whose shape was read before is not read
 * again line by line (a lock file of a thousand entries repeats a handful of shapes).
 *
 * The shape is the entry's text with each value that the reader takes as a
 * plain string replaced by NUL (which no text it reads holds: see CONTROL),
 * and only such values: on a `key: value` line whose key starts as a plain key
 * does, a single- or double-quoted scalar with no quote (or backslash) inside,
 * or a plain one that cannot be anything but a string — it contains `:`, `/`,
 * `@` or `_` (no number, boolean or null does) and does not end with `:`, or
 * it is a version of three numbers (two dots: no number). Everything else —
 * keys, indentation, comments, sequences, the line ends — is kept as it is, and
 * what the reader does with a line depends on nothing else: the key, where it
 * is, and whether its value is a string (kept in the entry, which is not built).
 */
const VALUE =
  /^( +[A-Za-z0-9_./][^:\r\n]*: )(?:'[^'\r\n]*'|"[^"\\\r\n]*"|(?=[\w./:@+=~%-]*[:/@_])[A-Za-z0-9][\w./:@+=~%-]*[\w./@+=~%-]|[0-9]+\.[0-9]+\.[0-9]+[A-Za-z0-9.+-]*)(?=\r?$)/gm;

/** The shape of the text between `start` and `end` (an entry's lines after its key's). */
export function entryShape(text: string, start: number, end: number): string {
  return text.slice(start, end).replace(VALUE, '$1\u0000');
}

/**
 * Where the entry whose lines start at `start` ends: the start of the first
 * line after it that is neither blank nor a comment and is no deeper than
 * `indent` (its key's column), or the text's end.
 */
export function entryEnd(text: string, start: number, indent: number): number {
  const boundary =
    boundaries.get(indent) ?? boundaries.set(indent, new RegExp(`\\n {0,${indent}}(?=[^ #\\r\\n])`, 'g')).get(indent)!;
  // The line at `start` itself is looked at too (as if after a line end).
  boundary.lastIndex = start - 1;
  const found = start > 0 && text.charCodeAt(start - 1) === 10 ? boundary.exec(text) : null;
  return found ? found.index + 1 : text.length;
}

const boundaries = new Map<number, RegExp>();
