import { AamError } from '../errors.ts';

/** A tar header as this reader understands it; long names and link names are already applied. */
export interface TarHeader {
  name: string;
  type:
    | 'file'
    | 'directory'
    | 'symlink'
    | 'link'
    | 'character-device'
    | 'block-device'
    | 'fifo'
    | 'contiguous-file'
    | 'unknown';
  mode: number;
  size: number;
  linkname: string;
}

const BLOCK = 512;
const TYPES: Record<string, TarHeader['type']> = {
  '0': 'file',
  '\0': 'file',
  '1': 'link',
  '2': 'symlink',
  '3': 'character-device',
  '4': 'block-device',
  '5': 'directory',
  '6': 'fifo',
  '7': 'contiguous-file',
};

function invalid(what: string): AamError {
  return new AamError('ARCHIVE_INVALID', `Archive is not a valid tar archive: ${what}.`, {
    hint: 'Download the package again; if it persists, the registry copy is damaged.',
  });
}

/**
 * Reads the entries of an uncompressed tar held in memory (ustar, pax and
 * GNU long names), yielding each header with a view of its data: no copies.
 * Every size and offset is checked against the buffer; anything inconsistent
 * is ARCHIVE_INVALID.
 */
export function* readTar(buf: Buffer): Generator<{ header: TarHeader; data: Buffer }> {
  let offset = 0;
  let pax: Record<string, string> = {};
  let globalPax: Record<string, string> = {};
  let longName: string | undefined;
  let longLink: string | undefined;
  while (offset + BLOCK <= buf.length) {
    const block = buf.subarray(offset, offset + BLOCK);
    if (isZero(block)) return; // end of archive (one zero block is enough to stop)
    checkChecksum(block);
    const size = numeric(block, 124, 12, 'size');
    const typeflag = String.fromCharCode(block[156]!);
    const dataStart = offset + BLOCK;
    const dataEnd = dataStart + size;
    if (dataEnd > buf.length) throw invalid('an entry runs past the end of the data (truncated)');
    const data = buf.subarray(dataStart, dataEnd);
    offset = dataStart + Math.ceil(size / BLOCK) * BLOCK;
    switch (typeflag) {
      case 'x':
        pax = parsePax(data);
        continue;
      case 'g':
        globalPax = { ...globalPax, ...parsePax(data) };
        continue;
      case 'L':
        longName = nameString(data, 0, data.length);
        continue;
      case 'K':
        longLink = nameString(data, 0, data.length);
        continue;
    }
    const ustar = block.toString('latin1', 257, 262) === 'ustar';
    const prefix = ustar && block[345] !== 0 ? nameString(block, 345, 155) : '';
    const baseName = nameString(block, 0, 100);
    let name = prefix ? `${prefix}/${baseName}` : baseName;
    let linkname = nameString(block, 157, 100);
    name = pax.path ?? globalPax.path ?? longName ?? name;
    linkname = pax.linkpath ?? globalPax.linkpath ?? longLink ?? linkname;
    let type = TYPES[typeflag] ?? 'unknown';
    if (type === 'file' && name.endsWith('/')) type = 'directory';
    const declared = pax.size !== undefined ? Number(pax.size) : size;
    if (!Number.isSafeInteger(declared) || declared !== size)
      throw invalid(`entry ${JSON.stringify(name)} declares two different sizes`);
    yield { header: { name, type, mode: numeric(block, 100, 8, 'mode'), size, linkname }, data };
    pax = {};
    longName = undefined;
    longLink = undefined;
  }
  if (offset < buf.length && !isZero(buf.subarray(offset))) throw invalid('trailing data after the last entry');
}

function isZero(bytes: Buffer): boolean {
  for (let i = 0; i < bytes.length; i++) if (bytes[i] !== 0) return false;
  return true;
}

function checkChecksum(block: Buffer): void {
  let sum = 8 * 0x20; // the checksum field counts as spaces
  for (let i = 0; i < BLOCK; i++) if (i < 148 || i >= 156) sum += block[i]!;
  if (sum !== numeric(block, 148, 8, 'checksum')) throw invalid('a header checksum does not match');
}

/** An octal field, or a base-256 one (GNU) when its high bit is set. */
function numeric(block: Buffer, start: number, length: number, what: string): number {
  const field = block.subarray(start, start + length);
  if ((field[0]! & 0x80) !== 0) {
    let value = field[0]! & 0x7f;
    for (let i = 1; i < field.length; i++) value = value * 256 + field[i]!;
    if (!Number.isSafeInteger(value)) throw invalid(`the ${what} field is out of range`);
    return value;
  }
  const text = cString(field, 0, length).trim();
  if (text === '') return 0;
  if (!/^[0-7]+$/.test(text)) throw invalid(`the ${what} field is not a number`);
  return parseInt(text, 8);
}

function cString(buf: Buffer, start: number, length: number): string {
  const end = buf.indexOf(0, start);
  return buf.toString('utf8', start, end >= 0 && end < start + length ? end : start + length);
}

/**
 * A name field: its text up to the trailing NULs. A NUL with more name after
 * it stays in the string, so that the path check refuses it: tools disagree
 * on whether such a name ends at the NUL, and a name that reads differently
 * to the verifier and to the extractor is how files get smuggled in.
 */
function nameString(buf: Buffer, start: number, length: number): string {
  let end = Math.min(start + length, buf.length);
  while (end > start && buf[end - 1] === 0) end--;
  return buf.toString('utf8', start, end);
}

/** pax extended header records: "<length> <key>=<value>\n". */
function parsePax(data: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  let offset = 0;
  while (offset < data.length) {
    const space = data.indexOf(0x20, offset);
    if (space < 0 || space - offset > 20) throw invalid('a pax header is malformed');
    const length = Number(data.toString('latin1', offset, space));
    if (!Number.isSafeInteger(length) || length <= space - offset || offset + length > data.length)
      throw invalid('a pax header record has a bad length');
    const record = data.toString('utf8', space + 1, offset + length - 1);
    const equals = record.indexOf('=');
    if (equals <= 0 || data[offset + length - 1] !== 0x0a) throw invalid('a pax header record is malformed');
    out[record.slice(0, equals)] = record.slice(equals + 1);
    offset += length;
  }
  return out;
}

/** Writes a ustar archive; names too long for the header get a pax record. */
export function writeTar(entries: { name: string; data: Buffer; mode: number; mtime: Date }[]): Buffer {
  const parts: Buffer[] = [];
  for (const entry of entries) {
    const nameBytes = Buffer.byteLength(entry.name);
    let name = entry.name;
    let prefix = '';
    if (nameBytes > 100) {
      const cut = entry.name.lastIndexOf('/', 155);
      if (
        cut > 0 &&
        Buffer.byteLength(entry.name.slice(0, cut)) <= 155 &&
        Buffer.byteLength(entry.name.slice(cut + 1)) <= 100
      ) {
        prefix = entry.name.slice(0, cut);
        name = entry.name.slice(cut + 1);
      } else {
        const record = paxRecord('path', entry.name);
        parts.push(
          header({ name: 'PaxHeader', size: record.length, mode: 0o644, mtime: entry.mtime, type: 'x', prefix: '' }),
          pad(record),
        );
        name = entry.name.slice(-100);
      }
    }
    parts.push(
      header({ name, size: entry.data.length, mode: entry.mode, mtime: entry.mtime, type: '0', prefix }),
      pad(entry.data),
    );
  }
  parts.push(Buffer.alloc(BLOCK * 2));
  return Buffer.concat(parts);
}

function paxRecord(key: string, value: string): Buffer {
  const body = ` ${key}=${value}\n`;
  let length = Buffer.byteLength(body) + 1;
  while (String(length).length + Buffer.byteLength(body) !== length)
    length = String(length).length + Buffer.byteLength(body);
  return Buffer.from(`${length}${body}`);
}

function header(fields: {
  name: string;
  size: number;
  mode: number;
  mtime: Date;
  type: string;
  prefix: string;
}): Buffer {
  const block = Buffer.alloc(BLOCK);
  block.write(fields.name, 0, 100, 'utf8');
  block.write(octal(fields.mode, 8), 100, 'latin1');
  block.write(octal(0, 8), 108, 'latin1');
  block.write(octal(0, 8), 116, 'latin1');
  block.write(octal(fields.size, 12), 124, 'latin1');
  block.write(octal(Math.floor(fields.mtime.getTime() / 1000), 12), 136, 'latin1');
  block.write('        ', 148, 'latin1');
  block.write(fields.type, 156, 'latin1');
  block.write('ustar\u000000', 257, 'latin1');
  block.write(fields.prefix, 345, 155, 'utf8');
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += block[i]!;
  block.write(`${sum.toString(8).padStart(6, '0')}\u0000 `, 148, 'latin1');
  return block;
}

function octal(value: number, length: number): string {
  return `${value.toString(8).padStart(length - 1, '0')}\u0000`;
}

function pad(data: Buffer): Buffer {
  const rest = data.length % BLOCK;
  return rest === 0 ? data : Buffer.concat([data, Buffer.alloc(BLOCK - rest)]);
}
