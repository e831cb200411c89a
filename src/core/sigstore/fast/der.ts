/** A DER tag-length-value: offsets into the buffer it was read from. */
export interface Tlv {
  tag: number;
  start: number;
  valueStart: number;
  end: number;
}

export class DerError extends Error {}

/**
 * Reads one DER TLV at `offset`. Strict: indefinite or non-minimal lengths
 * and multi-byte tags are refused, so every accepted encoding is canonical.
 */
export function readTlv(buf: Buffer, offset: number, limit = buf.length): Tlv {
  if (offset + 2 > limit) throw new DerError('truncated');
  const tag = buf[offset]!;
  if ((tag & 0x1f) === 0x1f) throw new DerError('multi-byte tag');
  let length = buf[offset + 1]!;
  let valueStart = offset + 2;
  if (length & 0x80) {
    const bytes = length & 0x7f;
    if (bytes === 0 || bytes > 4) throw new DerError('unsupported length');
    if (offset + 2 + bytes > limit) throw new DerError('truncated');
    length = 0;
    for (let i = 0; i < bytes; i++) length = length * 256 + buf[offset + 2 + i]!;
    if (length < 0x80 || buf[offset + 2]! === 0) throw new DerError('non-minimal length');
    valueStart += bytes;
  }
  const end = valueStart + length;
  if (end > limit) throw new DerError('truncated');
  return { tag, start: offset, valueStart, end };
}

/** The TLVs directly inside a constructed TLV, which they must fill exactly. */
export function children(buf: Buffer, parent: Tlv): Tlv[] {
  const out: Tlv[] = [];
  for (let offset = parent.valueStart; offset < parent.end;) {
    const child = readTlv(buf, offset, parent.end);
    out.push(child);
    offset = child.end;
  }
  return out;
}

export function value(buf: Buffer, tlv: Tlv): Buffer {
  return buf.subarray(tlv.valueStart, tlv.end);
}

export function bytes(buf: Buffer, tlv: Tlv): Buffer {
  return buf.subarray(tlv.start, tlv.end);
}

/** A DER header for `tag` and a value of `length` bytes (minimal length encoding). */
export function header(tag: number, length: number): Buffer {
  if (length < 0x80) return Buffer.from([tag, length]);
  const octets: number[] = [];
  for (let n = length; n > 0; n = Math.floor(n / 256)) octets.unshift(n & 0xff);
  return Buffer.from([tag, 0x80 | octets.length, ...octets]);
}

export function oid(buf: Buffer, tlv: Tlv): string {
  if (tlv.tag !== 0x06) throw new DerError('expected an OID');
  const content = value(buf, tlv);
  if (content.length === 0) throw new DerError('empty OID');
  const parts: number[] = [];
  let current = 0;
  for (const byte of content) {
    current = current * 128 + (byte & 0x7f);
    if ((byte & 0x80) === 0) {
      parts.push(current);
      current = 0;
    }
  }
  const first = parts.shift()!;
  const head = first < 40 ? [0, first] : first < 80 ? [1, first - 40] : [2, first - 80];
  return [...head, ...parts].join('.');
}
