import { AamError } from '../errors.ts';

/**
 * One 512-byte tar header, read field by field as Python's tarfile reads it
 * (`TarInfo.frombuf`, `nti`, `nts`), since `aam install` is tarfile. Where
 * tarfile would take a field some other way, or give up on the header and
 * silently end the archive there, the header is refused instead.
 */
export interface HeaderBlock {
  typeflag: string;
  size: number;
  mode: number;
  /** The name field: its bytes up to the trailing NULs (a NUL with more name after it stays, for the path check to refuse). */
  name: Buffer;
  /** The ustar prefix field, which tarfile joins to the name whatever the magic. */
  prefix: Buffer;
  linkname: Buffer;
}

export const BLOCK = 512;

/** Number fields that tarfile parses, and on which it stops reading the archive when they do not parse. */
const OTHER_NUMBERS: [number, number, string][] = [
  [108, 8, 'uid'],
  [116, 8, 'gid'],
  [136, 12, 'mtime'],
  [329, 8, 'devmajor'],
  [337, 8, 'devminor'],
];

export function parseHeaderBlock(block: Buffer): HeaderBlock {
  let sum = 8 * 0x20; // the checksum field counts as spaces
  for (let i = 0; i < BLOCK; i++) if (i < 148 || i >= 156) sum += block[i]!;
  if (sum !== numeric(block, 148, 8, 'checksum')) throw invalid('a header checksum does not match');
  for (const [start, length, what] of OTHER_NUMBERS) numeric(block, start, length, what);
  return {
    typeflag: String.fromCharCode(block[156]!),
    size: numeric(block, 124, 12, 'size'),
    mode: numeric(block, 100, 8, 'mode'),
    name: nameField(block, 0, 100),
    prefix: nameField(block, 345, 155),
    linkname: nameField(block, 157, 100),
  };
}

/**
 * A number field, accepting a subset of what tarfile's `nti` accepts, with
 * the same value: octal digits between spaces up to the first NUL, or
 * base-256 marked by 0x80. tarfile also reads 0xFF (negative), signs,
 * underscores and other white space; those are refused.
 */
function numeric(block: Buffer, start: number, length: number, what: string): number {
  const field = block.subarray(start, start + length);
  if (field[0] === 0x80) {
    let value = 0;
    for (let i = 1; i < field.length; i++) value = value * 256 + field[i]!;
    if (!Number.isSafeInteger(value)) throw invalid(`the ${what} field is out of range`);
    return value;
  }
  const end = field.indexOf(0);
  const text = field.toString('latin1', 0, end < 0 ? length : end).replace(/^ +| +$/g, '');
  if (text === '') return 0;
  const value = parseInt(text, 8);
  if (!/^[0-7]+$/.test(text) || !Number.isSafeInteger(value)) throw invalid(`the ${what} field is not a number`);
  return value;
}

function nameField(buf: Buffer, start: number, length: number): Buffer {
  let end = Math.min(start + length, buf.length);
  while (end > start && buf[end - 1] === 0) end--;
  return buf.subarray(start, end);
}

/** Whether tarfile's reading of a name field (up to its first NUL) ends in "/". */
export function endsInSlash(field: Buffer): boolean {
  const nul = field.indexOf(0);
  const end = nul < 0 ? field.length : nul;
  return end > 0 && field[end - 1] === 0x2f;
}

/** The bytes of the data of a GNU long name ('L') or long link ('K'), up to the trailing NULs. */
export function longNameField(data: Buffer): Buffer {
  return nameField(data, 0, data.length);
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * A name as text, or undefined when its bytes are not UTF-8: tarfile keeps
 * such bytes as they are (aam writes them to disk raw), while text here
 * would replace them, so two readings of one name could differ.
 */
export function utf8Text(bytes: Buffer): string | undefined {
  try {
    return utf8.decode(bytes);
  } catch {
    return undefined;
  }
}

/** A name for messages only: bytes that are not UTF-8 shown as U+FFFD. */
export function shown(bytes: Buffer): string {
  return bytes.toString('utf8');
}

export function invalid(what: string): AamError {
  return new AamError('ARCHIVE_INVALID', `Archive is not a valid tar archive: ${what}.`, {
    hint: 'Download the package again; if it persists, the registry copy is damaged.',
  });
}

/**
 * An archive that tar readers can read in more than one way. The verifier
 * could vouch for one reading while `aam install` (Python's tarfile)
 * installs another, so it is refused, never guessed at.
 */
export function ambiguous(subject: string, why: string): AamError {
  return new AamError(
    'ARCHIVE_UNSAFE',
    `Archive ${subject} ${why}. Tar readers do not agree on what such an archive holds (aam install reads it with Python's tarfile), so it is refused.`,
    { hint: 'The archive may be malicious. Do not install it; report it to the registry owner.' },
  );
}
