/**
 * A file's text as an agent reads it. Agents open a skill's, a prompt's or an
 * instruction's files as text whatever bytes they hold, and the tools they read
 * with decode UTF-8 with replacement (one U+FFFD per invalid sequence: WHATWG
 * Encoding, Python's errors="replace", editors): a stray byte or a NUL does not
 * make a file unreadable to them, so it must not make it unscanned. Not text:
 * images, fonts, archives — by their name, or by bytes that are not text at all.
 */

/** A run of byte sequences that are not UTF-8, each one U+FFFD in the text. */
export interface InvalidRun {
  /** UTF-16 offsets of its U+FFFD characters in the decoded text. */
  start: number;
  end: number;
  bytes: number[];
}

export interface FileText {
  /** The text, decoded as WHATWG UTF-8 decodes (replacement, a leading byte-order mark left out), or by a UTF-16 or UTF-32 mark. */
  text: string;
  invalid: InvalidRun[];
  /** Valid UTF-8 without NUL: text by every reader's measure (and by this scan's before it read any other). */
  strict: boolean;
  /** More NUL, control and invalid bytes than text holds (see BINARY_SHARE): an image or an archive. */
  binary: boolean;
}

/**
 * Bytes that text does not hold (NUL and other controls, invalid sequences), as a share of the file: more than
 * one in BINARY_SHARE (and more than one in all) is binary data. A PNG or a zip passes it within its first few
 * hundred bytes; a text with a few stray bytes stays text.
 */
export const BINARY_SHARE = 32;

/**
 * Names of files agents read as text: prose, prompts, templates, data and configuration, scripts and source,
 * and the rule files agents load by name. A name without an extension says nothing (a LICENSE, or a compiled
 * helper): its bytes decide. A template's stray bytes made it "binary" and skipped it whole (hidden-review 8).
 */
const TEXT_NAME =
  /(?:\.(?:md|mdc|markdown|mdx|txt|text|prompt|rst|adoc|org|ya?ml|json[c5]?|toml|ini|cfg|conf|env|properties|xml|xsd|html?|csv|tsv|sql|graphql|sh|bash|zsh|fish|ps1|bat|cmd|py|pyi|rb|pl|php|lua|r|js|mjs|cjs|jsx|ts|mts|cts|tsx|go|rs|java|kts?|scala|swift|c|cc|cpp|h|hpp|cs|css|scss|vue|svelte|tex|diff|patch|ipynb|j2|jinja2?|tmpl|tpl|hbs|handlebars|mustache|liquid|erb|ejs|njk)|(?:^|\/)\.(?:cursorrules|windsurfrules|clinerules))$/i;
/** Names of binary formats: read as text only when they are strict UTF-8 (a text file with a misleading name). */
const BINARY_NAME =
  /\.(?:png|jpe?g|gif|webp|avif|bmp|ico|icns|tiff?|heic|psd|pdf|zip|gz|tgz|bz2|xz|zst|7z|rar|tar|jar|war|whl|egg|docx|xlsx|pptx|odt|ods|odp|epub|woff2?|ttf|otf|eot|mp3|mp4|m4a|wav|ogg|oga|flac|webm|mov|avi|mkv|wasm|so|dll|dylib|exe|o|a|class|pyc|pyo|bin|dat|db|sqlite3?|pkl|pickle|npy|npz|onnx|pt|safetensors|parquet|keras|h5)$/i;

/** How a file's name says it is read: as text (scanned whatever its bytes), as binary data, or either. */
export function readAs(path: string, loadedAsText = false): 'text' | 'binary' | 'unknown' {
  if (loadedAsText || TEXT_NAME.test(path)) return 'text';
  return BINARY_NAME.test(path) ? 'binary' : 'unknown';
}

const FATAL = new TextDecoder('utf-8', { fatal: true });

/** A file's text; valid UTF-8 without NUL, nearly every file, costs one native decode and one search. */
export function decodeFile(bytes: Uint8Array): FileText {
  let text: string;
  try {
    text = FATAL.decode(bytes);
  } catch {
    return decodeWide(bytes) ?? decodeLossy(bytes);
  }
  if (!bytes.includes(0)) return { text, invalid: [], strict: true, binary: false };
  let bad = 0;
  for (const byte of bytes) if (notText(byte)) bad++;
  return { text, invalid: [], strict: false, binary: tooMany(bad, bytes.length) };
}

/** The text of a file, or undefined for binary data: lenient as agents are (a stray byte or NUL is still text). */
export function textOf(bytes: Uint8Array): string | undefined {
  const read = decodeFile(bytes);
  return read.binary ? undefined : read.text;
}

/** NUL and the C0 controls that no text format uses (tab, line feed, VT, form feed, CR and escape are used). */
const notText = (byte: number) => byte < 0x20 && (byte < 0x09 || (byte > 0x0d && byte !== 0x1b));
const tooMany = (bad: number, length: number) => bad > 1 && bad * BINARY_SHARE > length;

const LOSSY = new TextDecoder('utf-8');

/**
 * Text that opens with a UTF-16 or UTF-32 byte-order mark (never valid UTF-8): editors and the tools agents
 * read with (Claude Code's Read among them) decode it by its mark, so it is text here too, whatever its name.
 * Units that are not text (a lone surrogate, a code point past U+10FFFF) are U+FFFD; those, unassigned and
 * private-use characters count as controls do, so binary data behind a mark stays binary.
 */
function decodeWide(bytes: Uint8Array): FileText | undefined {
  const [a, b, c, d] = bytes;
  const utf32 = (a === 0xff && b === 0xfe && c === 0 && d === 0) || (a === 0 && b === 0 && c === 0xfe && d === 0xff);
  let text: string;
  if (utf32) text = decodeUtf32(bytes, a === 0xff);
  else if ((a === 0xff && b === 0xfe) || (a === 0xfe && b === 0xff))
    text = new TextDecoder(a === 0xff ? 'utf-16le' : 'utf-16be').decode(bytes);
  else return undefined;
  let bad = 0;
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) < 0x20 && notText(text.charCodeAt(i))) bad++;
  bad += text.match(NOT_WIDE_TEXT)?.length ?? 0;
  return { text, invalid: [], strict: false, binary: tooMany(bad, text.length) };
}

/** What binary data read as UTF-16 is full of and text is not: unassigned, private-use and undecodable units. */
const NOT_WIDE_TEXT = /[\p{Cn}\p{Co}\ufffd]/gu;

function decodeUtf32(bytes: Uint8Array, little: boolean): string {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const chars: string[] = [];
  for (let at = 4; at + 4 <= bytes.length; at += 4) {
    const cp = view.getUint32(at, little);
    chars.push(cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) ? '\ufffd' : String.fromCodePoint(cp));
  }
  if (bytes.length % 4 !== 0) chars.push('\ufffd');
  return chars.join('');
}

/**
 * WHATWG UTF-8 decoding (Encoding §9.1.1: each maximal invalid subpart becomes one U+FFFD), walked here to
 * note where each invalid sequence is (the text itself is the native decoder's: the test holds the two to
 * the same U+FFFD), and to give up as soon as the bytes are too far from text to be read as it.
 */
function decodeLossy(bytes: Uint8Array): FileText {
  // Byte and UTF-16 offsets of each run of invalid sequences: [byteStart, byteEnd, start, end, …].
  const runs: number[] = [];
  let n = 0;
  let bad = 0;
  let i = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  while (i < bytes.length) {
    const lead = bytes[i]!;
    if (lead < 0x80) {
      if (lead < 0x20 && notText(lead) && tooMany(++bad, bytes.length)) return BINARY;
      n++;
      i++;
      continue;
    }
    const need = NEED[lead]!;
    let j = i + 1;
    // The first continuation byte's range depends on the lead (no overlong forms, surrogates or > U+10FFFF).
    if (need > 0 && bytes[j] !== undefined && bytes[j]! >= FIRST_LOW[lead]! && bytes[j]! <= FIRST_HIGH[lead]!) {
      j++;
      while (j <= i + need && bytes[j] !== undefined && (bytes[j]! & 0xc0) === 0x80) j++;
    }
    if (need > 0 && j > i + need) {
      n += need === 3 ? 2 : 1; // four bytes are a surrogate pair
      i = j;
      continue;
    }
    // The lead byte and the continuation bytes that fitted it are one invalid sequence; the misfit is read again.
    if (tooMany(++bad, bytes.length)) return BINARY;
    if (runs.length > 0 && runs[runs.length - 1] === n) {
      runs[runs.length - 3] = j;
      runs[runs.length - 1] = n + 1;
    } else runs.push(i, j, n, n + 1);
    n++;
    i = j;
  }
  const invalid: InvalidRun[] = [];
  for (let k = 0; k < runs.length; k += 4)
    invalid.push({ start: runs[k + 2]!, end: runs[k + 3]!, bytes: [...bytes.subarray(runs[k]!, runs[k + 1]!)] });
  return { text: LOSSY.decode(bytes), invalid, strict: false, binary: false };
}

const BINARY: FileText = { text: '', invalid: [], strict: false, binary: true };

/** For each lead byte: how many continuation bytes follow (0: not a lead), and the range the first is in. */
const NEED = new Uint8Array(256);
const FIRST_LOW = new Uint8Array(256).fill(0x80);
const FIRST_HIGH = new Uint8Array(256).fill(0xbf);
NEED.fill(1, 0xc2, 0xe0).fill(2, 0xe0, 0xf0).fill(3, 0xf0, 0xf5);
FIRST_LOW[0xe0] = 0xa0;
FIRST_HIGH[0xed] = 0x9f;
FIRST_LOW[0xf0] = 0x90;
FIRST_HIGH[0xf4] = 0x8f;
