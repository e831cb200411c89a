/**
 * Mutations of OpenPGP detached signatures, for differential fuzzing: bit
 * flips in the packet and in the armor, truncation, insertion, splices with
 * another signature, field rewrites (signature type, algorithms, lengths,
 * critical bits), re-encodings that keep the meaning (old-format header,
 * no checksum, CRLF), and concatenated signatures.
 */

/** The packet bytes of an armored signature (no validation: test inputs are made by gpg or openpgp.js). */
export function unarmor(armored: Buffer): Buffer {
  const lines = armored.toString('latin1').replace(/\r/g, '').split('\n');
  const start = lines.indexOf('') + 1;
  const end = lines.findIndex((l) => l.startsWith('-----END'));
  return Buffer.from(
    lines
      .slice(start, end)
      .filter((l) => !l.startsWith('='))
      .join(''),
    'base64',
  );
}

export function armor(packet: Buffer, options: { checksum?: boolean; crlf?: boolean; header?: string } = {}): Buffer {
  const body = packet.toString('base64').match(/.{1,64}/g) ?? [];
  const crc = crc24(packet);
  const lines = ['-----BEGIN PGP SIGNATURE-----', ...(options.header ? [options.header] : []), '', ...body];
  if (options.checksum ?? true)
    lines.push(`=${Buffer.from([crc >> 16, (crc >> 8) & 0xff, crc & 0xff]).toString('base64')}`);
  lines.push('-----END PGP SIGNATURE-----', '');
  return Buffer.from(lines.join(options.crlf ? '\r\n' : '\n'), 'latin1');
}

function crc24(data: Buffer): number {
  let crc = 0xb704ce;
  for (const byte of data) {
    crc ^= byte << 16;
    for (let i = 0; i < 8; i++) {
      crc <<= 1;
      if (crc & 0x1000000) crc ^= 0x1864cfb;
    }
  }
  return crc & 0xffffff;
}

/** The body offset of a new- or old-format packet header (definite lengths only). */
function bodyOffset(packet: Buffer): number {
  if (packet[0]! & 0x40) return packet[1]! < 192 ? 2 : packet[1]! < 224 ? 3 : 6;
  return 1 + (1 << (packet[0]! & 3));
}

/** The same packet with an old-format header of the longest kind. */
function oldFormat(packet: Buffer): Buffer {
  const body = packet.subarray(bodyOffset(packet));
  const header = Buffer.alloc(5);
  header[0] = 0x80 | (2 << 2) | 2;
  header.writeUInt32BE(body.length, 1);
  return Buffer.concat([header, body]);
}

export function mutateSignature(
  signature: Buffer,
  others: Buffer[],
  rand: () => number,
): { bytes: Buffer; description: string } {
  const armored = signature[0]! < 0x80;
  const packet = armored ? unarmor(signature) : Buffer.from(signature);
  const body = bodyOffset(packet);
  const out = (bytes: Buffer) => (armored ? armor(bytes) : bytes);
  const pick = <T>(items: T[]) => items[Math.floor(rand() * items.length)]!;
  const kind = rand();
  if (kind < 0.3) {
    const at = Math.floor(rand() * packet.length);
    const bit = Math.floor(rand() * 8);
    packet[at]! ^= 1 << bit;
    return { bytes: out(packet), description: `bit ${bit} of packet byte ${at}` };
  }
  if (kind < 0.38 && armored) {
    const text = Buffer.from(signature);
    const at = Math.floor(rand() * text.length);
    text[at] = pick(
      [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=\n- '].map((c) => c.charCodeAt(0)),
    );
    return { bytes: text, description: `armor character ${at}` };
  }
  if (kind < 0.48) {
    // The fields the verifier reads first: version, type, algorithms, hashed length.
    const field = pick([0, 1, 2, 3, 4, 5]);
    packet[body + field] = pick([
      0,
      1,
      2,
      3,
      4,
      5,
      6,
      8,
      9,
      10,
      11,
      16,
      19,
      22,
      27,
      0x13,
      0xff,
      packet[body + field]! + 1,
    ]);
    return { bytes: out(packet), description: `signature field ${field} = ${packet[body + field]}` };
  }
  if (kind < 0.56) {
    // A critical bit on one hashed subpacket's type.
    let at = body + 6;
    const end = at + packet.readUInt16BE(body + 4);
    const types: number[] = [];
    while (at < end) {
      const length = packet[at]! < 192 ? packet[at]! : ((packet[at]! - 192) << 8) + packet[at + 1]! + 192;
      const size = packet[at]! < 192 ? 1 : 2;
      types.push(at + size);
      at += size + length;
    }
    const target = pick(types);
    packet[target]! ^= 0x80;
    return { bytes: out(packet), description: `critical bit of subpacket type ${packet[target]! & 0x7f}` };
  }
  if (kind < 0.64) {
    const cut = 1 + Math.floor(rand() * (packet.length - 1));
    return { bytes: out(packet.subarray(0, cut)), description: `truncated at ${cut}` };
  }
  if (kind < 0.7) {
    const at = Math.floor(rand() * packet.length);
    return {
      bytes: out(Buffer.concat([packet.subarray(0, at), Buffer.from([Math.floor(rand() * 256)]), packet.subarray(at)])),
      description: `byte inserted at ${at}`,
    };
  }
  if (kind < 0.78 && others.length > 0) {
    const other = pick(others);
    const otherPacket = other[0]! < 0x80 ? unarmor(other) : other;
    const at = Math.floor(rand() * Math.min(packet.length, otherPacket.length));
    return {
      bytes: out(Buffer.concat([packet.subarray(0, at), otherPacket.subarray(at)])),
      description: `spliced with another signature at ${at}`,
    };
  }
  if (kind < 0.84 && others.length > 0) {
    const other = pick(others);
    return {
      bytes: out(Buffer.concat([packet, other[0]! < 0x80 ? unarmor(other) : other])),
      description: 'followed by another signature',
    };
  }
  if (kind < 0.9) {
    // The hashed and unhashed area lengths, off by a little.
    const field = pick([4, 6 + packet.readUInt16BE(body + 4)]);
    packet.writeUInt16BE((packet.readUInt16BE(body + field) + pick([1, -1, 2, 255])) & 0xffff, body + field);
    return { bytes: out(packet), description: `area length at ${field}` };
  }
  // Re-encodings that keep the meaning.
  const variant = pick(['old-format header', 'no checksum', 'CRLF and a header', 'binary']);
  if (variant === 'old-format header') return { bytes: out(oldFormat(packet)), description: variant };
  if (variant === 'no checksum') return { bytes: armor(packet, { checksum: false }), description: variant };
  if (variant === 'CRLF and a header')
    return { bytes: armor(packet, { crlf: true, header: 'Comment: re-armored' }), description: variant };
  return { bytes: packet, description: variant };
}
