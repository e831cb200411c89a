/** One piece a renderer drops, by UTF-16 offsets, and its text as a model reads it. */
export interface DroppedHit {
  kind: 'DROPPED_MARKDOWN';
  start: number;
  end: number;
  decoded: string;
}

/**
 * Markdown that GitHub and VS Code read and then drop from what they show,
 * though an agent reads it in the source (hidden-review 4):
 * - a table row's cells past its header's (GFM: "the remainder is ignored");
 * - a footnote definition nothing refers to (GitHub unlinks it).
 * Read line by line outside code, as a GFM renderer finds them; `inCode`
 * says whether an offset is in a code block or span of the parsed document.
 */
export function droppedMarkdown(text: string, inCode: (offset: number) => boolean): DroppedHit[] {
  const lines = [...linesOf(text, 0)];
  return [
    ...tableCells(lines, inCode),
    // A table in a blockquote, as the renderer nests it (diff4-review F4b): its lines with the markers taken
    // off, the rest blank. One in a list item, indented, is read as it is (its rows may be indented).
    ...tableCells(lines.map(within(QUOTED)), inCode),
    ...footnotes(text, lines, inCode),
  ];
}

const QUOTED = /^(?: {0,3}>[ \t]?)+/;

/** A line's text past what `prefix` matches at its start, or a blank line where it does not match. */
const within =
  (prefix: RegExp) =>
  (line: { text: string; start: number }): { text: string; start: number } => {
    const m = prefix.exec(line.text);
    return m
      ? { text: line.text.slice(m[0].length), start: line.start + m[0].length }
      : { text: '', start: line.start };
  };

/** The lines of `text` from offset `from` on, each without its line break (LF or CRLF), and where it starts. */
function* linesOf(text: string, from: number): Generator<{ text: string; start: number }> {
  for (let start = from; start <= text.length;) {
    const end = text.indexOf('\n', start);
    const stop = end < 0 ? text.length : end;
    yield { text: text.slice(start, stop).replace(/\r$/, ''), start };
    start = stop + 1;
  }
}

/**
 * A table's delimiter row (`| --- | :-: |`): only pipes, colons, dashes and blanks, each cell a run of dashes.
 * Tested by its characters, then cell by cell: a pattern with blanks on both sides of an optional pipe
 * backtracked quadratically over a line of spaces (diff4-review F2).
 */
function delimiterRow(line: string): boolean {
  if (!/^ {0,3}[ \t|:-]*$/.test(line) || !line.includes('-') || !line.includes('|')) return false;
  return cells(line).every((cell) => /^[ \t]*:?-+:?[ \t]*$/.test(cell.text));
}

/** A row's cells: split at each `|` that is neither escaped nor in a code span, its outer pipes dropped. */
function cells(line: string): { text: string; start: number }[] {
  const found: { text: string; start: number }[] = [];
  let from = 0;
  let ticks = 0;
  for (let i = 0; i <= line.length; i++) {
    const c = line[i];
    // A backtick opens a code span only where another closes it (GFM): a stray one is a character (diff4-review F4).
    if (c === '`' && (ticks === 1 || line.indexOf('`', i + 1) >= 0)) ticks ^= 1;
    if (i === line.length || (c === '|' && ticks === 0 && line[i - 1] !== '\\')) {
      found.push({ text: line.slice(from, i), start: from });
      from = i + 1;
    }
  }
  if (found.length > 1 && found[0]!.text.trim() === '') found.shift();
  if (found.length > 1 && found.at(-1)!.text.trim() === '') found.pop();
  return found;
}

const BLOCK_START = /^ {0,3}(?:#{1,6}(?:[ \t]|$)|>|<|```|~~~)/;

function* tableCells(lines: { text: string; start: number }[], inCode: (offset: number) => boolean) {
  for (let i = 1; i < lines.length; i++) {
    const [header, delimiter] = [lines[i - 1]!, lines[i]!];
    if (!delimiterRow(delimiter.text) || !header.text.includes('|') || inCode(delimiter.start)) continue;
    const columns = cells(header.text).length;
    if (columns !== cells(delimiter.text).length) continue;
    // A row runs to a blank line or to another block's start: a heading, a quote, HTML, a fence (diff4-review F7).
    for (i++; i < lines.length && lines[i]!.text.trim() !== '' && !BLOCK_START.test(lines[i]!.text); i++) {
      const row = cells(lines[i]!.text);
      if (row.length <= columns) continue;
      const first = row[columns]!;
      const start = lines[i]!.start + first.start;
      const decoded = row
        .slice(columns)
        .map((cell) => cell.text.trim())
        .filter(Boolean)
        .join(' | ');
      if (decoded)
        yield { kind: 'DROPPED_MARKDOWN' as const, start, end: lines[i]!.start + lines[i]!.text.length, decoded };
    }
  }
}

const FOOTNOTE = /^ {0,3}\[\^([^\]\s]+)\]:[ \t]?(.*)$/;

function* footnotes(text: string, lines: { text: string; start: number }[], inCode: (offset: number) => boolean) {
  const definitions: { label: string; first: number; last: number; marker: number; said: string }[] = [];
  for (let i = 0; i < lines.length; i++) {
    const match = FOOTNOTE.exec(lines[i]!.text);
    if (!match || inCode(lines[i]!.start)) continue;
    // Its continuation: the lines indented under it, and blank lines between them.
    let last = i;
    for (let j = i + 1; j < lines.length && (/^( {4}|\t)/.test(lines[j]!.text) || lines[j]!.text.trim() === ''); j++)
      if (lines[j]!.text.trim() !== '') last = j;
    const marker = lines[i]!.start + lines[i]!.text.indexOf('[^');
    definitions.push({ label: match[1]!.toLowerCase(), first: i, last, marker, said: match[2]! });
    i = last;
  }
  if (definitions.length === 0) return;
  // Every reference, found once: a label written anywhere but at a definition's own marker.
  const markers = new Set(definitions.map((d) => d.marker));
  const used = new Set<string>();
  // A label stops at the next "[": each match is tried only up to it (diff4-review F1: "[^[^[^…" was quadratic).
  // A reference in code is text, not a reference (diff4-review F6).
  for (const m of text.matchAll(/\[\^([^\][\s]{1,999})\]/g))
    if (!markers.has(m.index) && !inCode(m.index)) used.add(m[1]!.toLowerCase());
  for (const d of definitions) {
    if (used.has(d.label)) continue;
    const decoded = [d.said, ...lines.slice(d.first + 1, d.last + 1).map((l) => l.text)]
      .map((l) => l.trim())
      .filter(Boolean)
      .join(' ');
    const end = lines[d.last]!.start + lines[d.last]!.text.length;
    yield { kind: 'DROPPED_MARKDOWN' as const, start: lines[d.first]!.start, end, decoded };
  }
}

/** The front matter a document opens with (`---` to `---` or `...`), as lines, or undefined. */
function frontMatter(text: string): { text: string; start: number }[] | undefined {
  const open = /^\ufeff?---[ \t]*\r?\n/.exec(text);
  if (!open) return undefined;
  const lines: { text: string; start: number }[] = [];
  for (const line of linesOf(text, open[0].length)) {
    if (/^(?:---|\.\.\.)[ \t]*$/.test(line.text)) return lines;
    lines.push(line);
  }
  return undefined; // not closed: no front matter, a thematic break
}

/** Whether a document's front matter could hold a comment (a `#` in it): the scan's fast path asks (plain-text.ts). */
export function frontMatterMayComment(text: string): boolean {
  return text.startsWith('---') || text.startsWith('\ufeff---')
    ? (frontMatter(text)?.some((l) => l.text.includes('#')) ?? false)
    : false;
}

/**
 * YAML comments in a document's front matter (SKILL.md, `.mdc`, `.prompt.md`):
 * VS Code's preview hides front matter and GitHub shows it as a table of its
 * values, comments gone; an agent reads them (hidden-review 5). A block
 * scalar's lines (after `|` or `>`) are a value, not comments, and a schema
 * directive for the YAML language server is the editor's.
 */
export function frontMatterComments(text: string): DroppedHit[] {
  const lines = frontMatter(text);
  if (!lines) return [];
  const hits: DroppedHit[] = [];
  let scalar: number | undefined; // the indent a block scalar's lines are deeper than
  for (const line of lines) {
    const indent = /^[ \t]*/.exec(line.text)![0].length;
    if (scalar !== undefined && (line.text.trim() === '' || indent > scalar)) continue;
    scalar = /(?::|^[ \t]*-)[ \t]*[|>][0-9+-]*[ \t]*(?:#.*)?$/.test(line.text) ? indent : undefined;
    const at = commentAt(line.text);
    if (at === undefined) continue;
    const said = line.text.slice(at + 1).trim();
    if (!said || /^yaml-language-server:\s*\$schema=\S+$/.test(said)) continue;
    const start = line.start + at;
    hits.push({ kind: 'DROPPED_MARKDOWN', start, end: line.start + line.text.length, decoded: said });
  }
  return hits;
}

/**
 * Where a YAML line's comment starts, or undefined: a `#` that opens the line
 * or follows a blank, outside a quoted value. A value is quoted only when it
 * starts with a quote (`Don't` is plain text): a quote anywhere in the line
 * hid a comment after it (diff4-review F5).
 */
function commentAt(line: string): number | undefined {
  const value = /^[ \t]*(?:-[ \t]+)*(?:[^\s#'"][^:#]*:(?=[ \t]|$)[ \t]*)?(?:-[ \t]+)*/.exec(line)![0].length;
  let from = value;
  const quote = line[value];
  if (quote === '"' || quote === "'") {
    const close = quote === '"' ? /(?<!\\)"/g : /'(?!')/g;
    close.lastIndex = value + 1;
    const end = close.exec(line);
    if (!end) return undefined; // a quoted value that goes on to the next line: no comment on this one
    from = end.index + 1;
  }
  if (line[from] === '#' && (from === 0 || /\s/.test(line[from - 1]!))) return from;
  const hash = /[ \t]#/.exec(line.slice(from));
  return hash ? from + hash.index + 1 : line.trimStart().startsWith('#') ? line.indexOf('#') : undefined;
}
