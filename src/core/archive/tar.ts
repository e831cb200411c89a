import { AamError } from '../errors.ts';
import { MAX_EXTENSION_BYTES } from './limits.ts';
import { parsePax, paxProblem } from './pax.ts';
import type { PaxRecords } from './pax.ts';
import {
  BLOCK,
  ambiguous,
  endsInSlash,
  invalid,
  longNameField,
  parseHeaderBlock,
  shown,
  utf8Text,
} from './tar-header.ts';
import type { HeaderBlock } from './tar-header.ts';

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

/**
 * Reads the entries of an uncompressed tar held in memory (ustar, pax and
 * GNU long names), yielding each header with a view of its data: no copies.
 * Every size and offset is checked against the buffer; anything inconsistent
 * is ARCHIVE_INVALID. The reading is the one Python's tarfile (`aam
 * install`) gives; where tarfile could read an entry otherwise, or where
 * readers disagree among themselves, the archive is ARCHIVE_UNSAFE.
 */
export function* readTar(buf: Buffer): Generator<{ header: TarHeader; data: Buffer }> {
  let offset = 0;
  let pending = new Extensions();
  while (offset + BLOCK <= buf.length) {
    const block = buf.subarray(offset, offset + BLOCK);
    if (isZero(block)) break; // end of archive (one zero block is enough to stop, for tarfile too)
    const fields = parseHeaderBlock(block);
    const dataStart = offset + BLOCK;
    const dataEnd = dataStart + fields.size;
    offset = dataStart + Math.ceil(fields.size / BLOCK) * BLOCK;
    if (offset > buf.length) throw invalid('an entry runs past the end of the data (truncated)');
    // Unread bytes are where a reader that takes another size (GNU.sparse.realsize) would find other content.
    const padding = isZero(buf.subarray(dataEnd, offset)) ? undefined : 'data in the padding after its content';
    const data = buf.subarray(dataStart, dataEnd);
    if (pending.add(fields.typeflag, data)) {
      if (padding) pending.problem ??= `comes after an extension header with ${padding}`;
      continue;
    }
    const entry = entryHeader(fields, pending);
    if (padding) throw ambiguous(`entry ${JSON.stringify(entry.name)}`, `has ${padding}`);
    yield { header: entry, data };
    pending = new Extensions();
  }
  if (pending.count > 0)
    throw ambiguous('ends with an extension header (pax or GNU long name)', 'that no entry follows');
  if (offset < buf.length && !isZero(buf.subarray(offset))) throw invalid('trailing data after the last entry');
}

/**
 * The extension headers before one entry. tarfile applies them from the
 * last to the first, so the first wins, where other readers let the last
 * win; at most one of each kind is accepted, and no two that set one name.
 */
class Extensions {
  count = 0;
  pax?: PaxRecords;
  longName?: string;
  longLink?: string;
  problem?: string;

  /** Takes an extension header; false for an entry. */
  add(typeflag: string, data: Buffer): boolean {
    // Names, link names and times fit in a few KB; a 49 MB pax header of tiny records held a thread for 3 s.
    if ('gxLK'.includes(typeflag) && data.length > MAX_EXTENSION_BYTES)
      throw new AamError(
        'ARCHIVE_UNSAFE',
        `Archive has an extension header (pax or GNU long name) of ${Math.ceil(data.length / 1024)} KB; the limit is ${MAX_EXTENSION_BYTES / 1024} KB.`,
        { hint: 'The archive may be malicious. Do not install it; report it to the registry owner.' },
      );
    switch (typeflag) {
      case 'g': {
        const { records, problem } = parsePax(data);
        const why = problem ?? paxProblem(records, 'global');
        if (why) throw ambiguous('has a global pax header (typeflag g) that', why.replace(/^has /, 'holds '));
        break;
      }
      case 'x': {
        if (this.pax) this.problem ??= 'comes after two pax headers (typeflag x)';
        const { records, problem } = parsePax(data);
        this.problem ??= problem ?? paxProblem(records, 'local');
        this.pax = records;
        break;
      }
      case 'L':
        if (this.longName !== undefined) this.problem ??= 'comes after two GNU long names (typeflag L)';
        this.longName = this.longText(data, 'long name');
        break;
      case 'K':
        if (this.longLink !== undefined) this.problem ??= 'comes after two GNU long link names (typeflag K)';
        this.longLink = this.longText(data, 'long link name');
        break;
      default:
        return false;
    }
    this.count++;
    return true;
  }

  private longText(data: Buffer, what: string): string {
    const bytes = longNameField(data);
    const text = utf8Text(bytes);
    if (text === undefined) this.problem ??= `has a GNU ${what} that is not valid UTF-8`;
    return text ?? shown(bytes);
  }
}

function entryHeader(fields: HeaderBlock, ext: Extensions): TarHeader {
  const fromPax = ext.pax?.get('path');
  const raw = fromPax ?? ext.longName ?? headerName(fields);
  const label = `entry ${JSON.stringify(typeof raw === 'string' ? raw : shown(raw))}`;
  if (ext.problem) throw ambiguous(label, ext.problem);
  if (fromPax !== undefined && ext.longName !== undefined)
    throw ambiguous(label, `has both a GNU long name (${JSON.stringify(ext.longName)}) and a pax path`);
  if (ext.pax?.has('linkpath') && ext.longLink !== undefined)
    throw ambiguous(label, 'has both a GNU long link name and a pax linkpath');
  const type = TYPES[fields.typeflag] ?? 'unknown';
  // Old tars mark a folder as a regular file named "x/"; tarfile does so only for typeflag NUL, and only by the header name.
  if (fields.typeflag === '\0' && endsInSlash(fields.name))
    throw ambiguous(
      label,
      'is typeflag NUL with a header name ending in "/", a folder to some readers and a file to others',
    );
  const name = typeof raw === 'string' ? raw : utf8Text(raw);
  if (name === undefined) throw ambiguous(label, 'has a name that is not valid UTF-8');
  if (type !== 'directory' && name.endsWith('/'))
    throw ambiguous(label, `is a ${type} entry whose name ends in "/": a folder by its name, not by its type`);
  // tarfile skips the data only of regular files; after a folder or link it reads the "data" as the next header.
  if ((type === 'directory' || type === 'symlink' || type === 'link') && fields.size !== 0)
    throw ambiguous(label, `is a ${type} entry with ${fields.size} bytes of data`);
  const paxSize = ext.pax?.get('size');
  if (paxSize !== undefined && Number(paxSize) !== fields.size)
    throw invalid(`entry ${JSON.stringify(name)} declares two different sizes`);
  let linkname = '';
  if (type === 'symlink' || type === 'link') {
    const target = ext.pax?.get('linkpath') ?? ext.longLink ?? utf8Text(fields.linkname);
    if (target === undefined) throw ambiguous(label, 'has a link target that is not valid UTF-8');
    linkname = target;
  }
  return { name, type, mode: fields.mode, size: fields.size, linkname };
}

/** The name as the header holds it: tarfile joins the prefix field whatever the magic (ustar, GNU or none). */
function headerName(fields: HeaderBlock): Buffer {
  return fields.prefix.length > 0 ? Buffer.concat([fields.prefix, Buffer.from('/'), fields.name]) : fields.name;
}

function isZero(bytes: Buffer): boolean {
  for (let i = 0; i < bytes.length; i++) if (bytes[i] !== 0) return false;
  return true;
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
