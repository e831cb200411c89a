import { characterHits } from './characters.ts';
import { deployedText, fieldName, rangeOfValue } from './deployed-text.ts';
import type { CopiedValue } from './deployed-text.ts';
import { decodeFile, readAs } from './file-text.ts';
import type { FileText } from './file-text.ts';
import { markdownHits } from './markdown.ts';
import { mixedScriptWords } from './scripts.ts';
import { OFFSCREEN_COLUMN, plainText } from './plain-text.ts';
import { offscreen } from './offscreen.ts';

/** The text of a file as agents read it (file-text.ts); the review and the diff show and scan it. */
export { textOf } from './file-text.ts';
export { LONG_LINE, PADDING } from './offscreen.ts';

/**
 * Hidden content: what a reviewer does not see in a file an agent loads, but
 * the model reads. One scan per text; every hit has its exact range (0-based
 * line, UTF-16 character, as editors and SARIF count) and the text made visible.
 */
export type HiddenKind =
  | 'TAG_CHARACTERS'
  | 'BIDI_CONTROL'
  | 'INVISIBLE_CHARACTER'
  | 'VARIATION_SELECTORS'
  | 'MIXED_SCRIPT'
  | 'HTML_COMMENT'
  | 'HIDDEN_REFERENCE'
  | 'HIDDEN_HTML'
  | 'DROPPED_MARKDOWN'
  | 'OFFSCREEN_TEXT'
  | 'NOT_UTF8';

export interface Position {
  line: number;
  character: number;
}

export interface HiddenItem {
  kind: HiddenKind;
  start: Position;
  end: Position;
  /** What the hidden text says (decoded), or '' when the characters say nothing themselves. */
  decoded: string;
  /** The characters involved, named ("U+200D ZERO WIDTH JOINER"), or the letters of another script. */
  characters: string[];
  /** The visible text on either side, so a reader can find it: "ig|nore". */
  context: string;
  /** For a value a transform copies from YAML (the range is its scalar's): the field, and the files that hold it. */
  deployed?: { field: string; into: string[] };
  /** Found in the file's name (its path in the package), not its text: agents read names too, and list them. */
  inName?: true;
}

const MARKDOWN = /\.(?:md|mdc|markdown|mdx)$/i;
/** Prose an agent reads; data and code files may carry long lines for other reasons. */
const PROSE = /\.(?:md|mdc|markdown|mdx|txt|prompt)$|(?:^|\/)[^./]+$/i;

/** Scans one text: its characters, its words, its lines, and (for Markdown) what a preview would hide. */
export function scanText(text: string, path: string): HiddenItem[] {
  return scanRead({ text, invalid: [], strict: true, binary: false }, path);
}

/** scanText, and the bytes that were not UTF-8 where the file's decoding put U+FFFD for them. */
function scanRead({ text, invalid }: FileText, path: string): HiddenItem[] {
  if (invalid.length === 0 && plainText(text, MARKDOWN.test(path))) return [];
  const lines = lineStarts(text);
  const at = (offset: number) => positionOf(lines, offset);
  const items: HiddenItem[] = [];
  const add = (kind: HiddenKind, start: number, end: number, decoded: string, characters: string[]) =>
    items.push({ kind, start: at(start), end: at(end), decoded, characters, context: contextOf(text, start, end) });
  for (const run of invalid) add('NOT_UTF8', run.start, run.end, ...notUtf8(text, run.start, run.end, run.bytes));
  for (const hit of characterHits(text)) add(hit.kind, hit.start, hit.end, hit.decoded, hit.names);
  for (const word of mixedScriptWords(text))
    add('MIXED_SCRIPT', word.start, word.end, `"${word.word}" mixes ${word.scripts.join(' and ')}`, word.odd);
  if (MARKDOWN.test(path))
    for (const hit of markdownHits(text)) add(hit.kind, hit.start, hit.end, hit.decoded, hit.names ?? []);
  for (const hit of offscreen(text, lines, PROSE.test(path)))
    add('OFFSCREEN_TEXT', hit.start, hit.end, hit.decoded, []);
  return items.sort((a, b) => a.start.line - b.start.line || a.start.character - b.start.character);
}

/**
 * The hidden content of one file's bytes, read as verification reads a package's files (scanFiles): what an
 * update review and a diff report of a deployed file, so that they say what verify says. They scanned its
 * decoded text, which drops the bytes that are not UTF-8, and a Markdown file of binary data not at all
 * (hidden-review 9).
 */
export function scanBytes(data: Uint8Array, path: string): HiddenItem[] {
  return scanFiles([{ path, data }])[0]?.items ?? [];
}

/**
 * The hidden content of each file of a package (paths as the archive lists them), in its name and its text; files
 * without any left out. `markdown`: files agents load as Markdown whatever their name (deployed-text.ts). A file
 * agents read as text (readAs) is scanned whatever its bytes (not UTF-8: items; binary: one item); others when text.
 */
export function scanFiles(
  files: Iterable<{ path: string; data: Uint8Array }>,
  markdown: ReadonlySet<string> = new Set(),
): { path: string; items: HiddenItem[] }[] {
  const out: { path: string; items: HiddenItem[] }[] = [];
  for (const file of files) {
    const as = readAs(file.path, markdown.has(file.path));
    const read = decodeFile(file.data);
    // A name that is not printable ASCII is scanned as text too: agents read names, and a listing shows them.
    const items: HiddenItem[] = /[^\x20-\x7e]/.test(file.path) ? nameItems(file.path) : [];
    const unread = (read.binary && !nulPadded(file.data)) || (as === 'binary' && !read.strict);
    if (unread && as === 'text') items.push({ ...BINARY_ITEM });
    const path = markdown.has(file.path) && !MARKDOWN.test(file.path) ? `${file.path}.md` : file.path;
    if (!unread) items.push(...scanRead(read, path));
    if (items.length > 0) out.push({ path: file.path, items });
  }
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

// Agents read names too, and a listing shows them.
const nameItems = (path: string) => scanText(path, '').map((item): HiddenItem => ({ ...item, inName: true }));
/**
 * Text with NUL bytes between its characters (one every few bytes makes it "binary" by count): valid UTF-8
 * whose other characters are nearly all printable. A terminal, and a tool that drops NULs, show an agent the
 * text; a review shows a binary file. It is scanned as text, where each NUL is an item.
 */
function nulPadded(bytes: Uint8Array): boolean {
  let rest: string;
  try {
    rest = UTF8.decode(bytes.filter((byte) => byte !== 0));
  } catch {
    return false;
  }
  if (rest.length < 16) return false;
  // oxlint-disable-next-line no-control-regex -- what is neither printable nor a blank a text file holds
  const odd = rest.match(/[\x00-\x08\x0e-\x1f\x7f\ufffd]/g)?.length ?? 0;
  return odd * 20 < rest.length;
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** A file agents read as text that holds binary data: what it says cannot be shown, and it is not reviewable. */
const BINARY_ITEM: HiddenItem = {
  kind: 'NOT_UTF8',
  start: { line: 0, character: 0 },
  end: { line: 0, character: 0 },
  decoded: '',
  characters: [],
  context: '|',
};

/** Invalid bytes written out in the word around them ("ob[0xFF]ey"), and each byte value once. */
function notUtf8(text: string, start: number, end: number, bytes: number[]): [string, string[]] {
  const hex = (b: number) => `0x${b.toString(16).toUpperCase().padStart(2, '0')}`;
  const before = /[^\s\p{C}\ufffd]*$/u.exec(text.slice(Math.max(0, start - 24), start))![0];
  const after = /^[^\s\p{C}\ufffd]*/u.exec(text.slice(end, end + 24))![0];
  const shown =
    bytes.length > 8 ? `${bytes.slice(0, 8).map(hex).join(' ')} … ${bytes.length} bytes` : bytes.map(hex).join(' ');
  return [`${before}[${shown}]${after}`, [...new Set(bytes.map((b) => `${hex(b)} (not UTF-8)`))].slice(0, 8)];
}

function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

function positionOf(starts: readonly number[], offset: number): Position {
  let low = 0;
  let high = starts.length - 1;
  while (low < high) {
    const mid = (low + high + 1) >> 1;
    if (starts[mid]! <= offset) low = mid;
    else high = mid - 1;
  }
  return { line: low, character: offset - starts[low]! };
}

/** A few visible characters on each side of a range, with the range marked by a bar. */
function contextOf(text: string, start: number, end: number): string {
  // oxlint-disable-next-line no-misleading-character-class -- the invisible characters, one by one, are what is left out
  const visible = (s: string) => s.replace(/[^\P{C}\t\n]|[\u00ad\u034f\u115f\u1160\u3164\uffa0]/gu, '');
  // Whole code points on each side (a range never starts or ends inside a surrogate pair).
  const left = [
    ...visible(text.slice(Math.max(0, start - 48), start))
      .split('\n')
      .pop()!,
  ]
    .slice(-12)
    .join('');
  const right = [...visible(text.slice(end, end + 48)).split('\n')[0]!].slice(0, 12).join('');
  return `${left}|${right}`;
}

/** A file's hidden content as verification keeps it: the first items, and how many there are in all. */
export interface HiddenFile {
  path: string;
  items: HiddenItem[];
  count: number;
}

/** At most this many items are kept per file (a file full of them says enough with these). */
export const KEPT_PER_FILE = 20;

/**
 * The hidden content of a package as agents load it, kept small enough to store with a verification result:
 * its files' text, and the values its deployed files hold that the files' text does not show (deployed-text.ts).
 */
export function hiddenFiles(files: Iterable<{ path: string; data: Uint8Array }>): HiddenFile[] {
  // Beyond the files' scan: its aam.yaml (read for the archive's name already: manifest.ts gives back that value),
  // each agent.yaml, a test per copied value (plainValue); no deployed file is built, no text scanned twice.
  const list = [...files];
  const byPath = new Map(list.map((file) => [file.path, file.data]));
  const deployed = deployedText(byPath);
  const found = scanFiles(list, deployed.markdown);
  for (const value of deployed.values) {
    const items = valueItems(value);
    if (items.length === 0) continue;
    let file = found.find((f) => f.path === value.file);
    if (!file) found.push((file = { path: value.file, items: [] }));
    // What the file's own text shows in the same words is reported there already.
    const seen = new Set(file.items.map(sameHit));
    const { start, end } = rangeOfValue(byPath, value);
    const deployedAs = { field: fieldName(value.at), into: value.into };
    for (const item of items)
      if (!seen.has(sameHit(item))) file.items.push({ ...item, start, end, deployed: deployedAs });
    file.items.sort((a, b) => a.start.line - b.start.line || a.start.character - b.start.character);
  }
  found.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return found.map(({ path, items }) => ({
    path,
    items: items.slice(0, KEPT_PER_FILE).map((item) => ({ ...item, decoded: item.decoded.slice(0, 2000) })),
    count: items.length,
  }));
}

/** The longest text a transform writes before a value on its line: Cursor's `description: "…"` front matter. */
const BEFORE_VALUE = 'description: "';

/**
 * A value nothing can be found in wherever a transform writes it, tested without scanning: printable ASCII
 * holds no character characterHits looks for and no letter of another script; without "<" no comment or
 * element, and without "]:" no link definition, can start (markdown.ts's markdownTriggered); and its one line, behind
 * BEFORE_VALUE and the closing quote, stays within OFFSCREEN_COLUMN. Nearly every description is one.
 * Testing the YAML's text instead (no backslash, nothing outside ASCII) would not do: an HTML comment is
 * ASCII, and a multi-line scalar folds into one line that can reach past the screen.
 */
export function plainValue(text: string): boolean {
  return (
    text.length + BEFORE_VALUE.length + 1 <= OFFSCREEN_COLUMN &&
    /^[\x20-\x3b\x3d-\x7e]*$/.test(text) &&
    !text.includes(']:')
  );
}

/**
 * A copied value's hidden content, scanned as the Markdown file it is written into: on a line of its own
 * (Claude's `# name` and description, a list item: a comment or a definition can open a block there), and
 * behind BEFORE_VALUE (Cursor's front matter: its first line reaches further right, and nothing is at the
 * text's start, where a byte-order mark would pass).
 */
function valueItems(value: CopiedValue): HiddenItem[] {
  if (plainValue(value.text)) return [];
  const items = scanText(value.text, value.into[0]!);
  const at = (item: HiddenItem) => `${item.kind} ${item.start.line}:${item.start.character}`;
  const seen = new Set(items.map(at));
  for (const item of scanText(`${BEFORE_VALUE}${value.text}"`, value.into[0]!)) {
    // Where it is in the value: the first line is BEFORE_VALUE further right.
    const start = { ...item.start };
    if (start.line === 0) start.character -= BEFORE_VALUE.length;
    if (!seen.has(at({ ...item, start }))) items.push(item);
  }
  return items;
}

/** Two items that say the same thing, wherever they are. */
const sameHit = (item: HiddenItem) => `${item.kind}\0${item.decoded}\0${item.characters.join(',')}`;
