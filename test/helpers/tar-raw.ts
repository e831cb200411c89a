import { gzipSync } from 'node:zlib';

/**
 * Tar archives written header by header, with any field and any typeflag:
 * the archives no honest packer writes, which the reader must refuse or
 * read exactly as Python's tarfile (`aam install`) does. tar-stream
 * (`tar.ts`) cannot write most of them.
 */

export const BLOCK = 512;

export interface RawHeader {
  name: string | Buffer;
  size?: number;
  /** One-character typeflag; '0' when not given. */
  type?: string;
  mode?: number;
  linkname?: string | Buffer;
  prefix?: string | Buffer;
  /** POSIX "ustar\0" (the default), GNU "ustar  ", or none (v7). */
  magic?: 'ustar' | 'gnu' | 'v7';
}

export function header(h: RawHeader): Buffer {
  const block = Buffer.alloc(BLOCK);
  const bytes = (value: string | Buffer) => (typeof value === 'string' ? Buffer.from(value) : value);
  bytes(h.name).copy(block, 0, 0, 100);
  block.write(`${(h.mode ?? 0o644).toString(8).padStart(7, '0')}\0`, 100, 'latin1');
  block.write('0000000\0', 108, 'latin1');
  block.write('0000000\0', 116, 'latin1');
  block.write(`${(h.size ?? 0).toString(8).padStart(11, '0')}\0`, 124, 'latin1');
  block.write('00000000000\0', 136, 'latin1');
  block.write(h.type ?? '0', 156, 'latin1');
  if (h.linkname) bytes(h.linkname).copy(block, 157, 0, 100);
  const magic = h.magic ?? 'ustar';
  if (magic === 'ustar') block.write('ustar\u000000', 257, 'latin1');
  if (magic === 'gnu') block.write('ustar  \u0000', 257, 'latin1');
  if (h.prefix) bytes(h.prefix).copy(block, 345, 0, 155);
  return withChecksum(block);
}

/** Sets the checksum of a header block (after any field was changed by hand). */
export function withChecksum(block: Buffer): Buffer {
  let sum = 8 * 0x20;
  for (let i = 0; i < BLOCK; i++) if (i < 148 || i >= 156) sum += block[i]!;
  block.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
  return block;
}

/** Data padded with zeros to whole blocks. */
export function pad(data: Buffer): Buffer {
  const rest = data.length % BLOCK;
  return rest === 0 ? data : Buffer.concat([data, Buffer.alloc(BLOCK - rest)]);
}

/** A regular file entry: header and padded data. */
export function file(name: string | Buffer, content: string | Buffer, extra: Partial<RawHeader> = {}): Buffer {
  const data = typeof content === 'string' ? Buffer.from(content) : content;
  return Buffer.concat([header({ name, size: data.length, ...extra }), pad(data)]);
}

export function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  let length = Buffer.byteLength(body) + 1;
  while (String(length).length + Buffer.byteLength(body) !== length)
    length = String(length).length + Buffer.byteLength(body);
  return `${length}${body}`;
}

/** A pax header, local ('x') or global ('g'), with the records given in order. */
export function pax(records: [string, string][], type: 'x' | 'g' = 'x'): Buffer {
  const data = Buffer.from(records.map(([k, v]) => paxRecord(k, v)).join(''));
  return Buffer.concat([header({ name: 'PaxHeader', size: data.length, type }), pad(data)]);
}

/** A GNU ././@LongLink entry: 'L' (the name of the next entry) or 'K' (its link name). */
export function gnuLong(value: string | Buffer, type: 'L' | 'K' = 'L'): Buffer {
  const data = Buffer.concat([typeof value === 'string' ? Buffer.from(value) : value, Buffer.from([0])]);
  return Buffer.concat([header({ name: '././@LongLink', size: data.length, type, magic: 'gnu' }), pad(data)]);
}

/** The two zero blocks that end an archive. */
export const END = Buffer.alloc(BLOCK * 2);

/** The entries given, the end blocks, gzipped: a `.aam` archive. */
export function tarGz(...parts: Buffer[]): Buffer {
  return gzipSync(Buffer.concat([...parts, END]));
}
