/**
 * The fast OpenPGP path's reader of signatures: one v4 signature packet,
 * binary or strictly armored, parsed as far as the fast path needs it. It
 * says "not mine" (undefined) for anything it does not recognise exactly —
 * a critical subpacket, an expiry or a revocation key, two issuers, partial
 * lengths, an embedded signature, armor with other white space than tabs —
 * so that openpgp.js, not this reader, judges the unusual cases.
 */

/** What the fast path reads from a signature. */
export interface LeanSignature {
  /** Issuer key id, 16 lower-case hex digits. */
  keyId: string;
  publicKeyAlgorithm: number;
  hash: 'sha224' | 'sha256' | 'sha384' | 'sha512';
  created: Date;
  /** Version through the hashed subpackets: what is hashed after the data. */
  hashedPart: Buffer;
  left16: Buffer;
  /** r‖s (Ed25519, 64 bytes) or s (RSA, unpadded). */
  value: Buffer;
}

/** The public-key algorithms the fast path handles (RFC 9580 §9.1). */
export const ALGORITHM = { rsaEncryptSign: 1, rsaSign: 3, eddsaLegacy: 22, ed25519: 27 } as const;
const HASHES: Record<number, LeanSignature['hash']> = { 8: 'sha256', 9: 'sha384', 10: 'sha512', 11: 'sha224' };
const SUBPACKET = {
  creationTime: 2,
  expiration: 3,
  revocationKey: 12,
  issuer: 16,
  signatureTarget: 31,
  embeddedSignature: 32,
  issuerFingerprint: 33,
} as const;
/** The armor's first line: openpgp.js is handed a signature as armor exactly when its text holds it (verify.ts). */
const ARMOR_BEGIN = '-----BEGIN PGP SIGNATURE-----';

/** The signature's single packet, when it is one the fast path handles; undefined otherwise. */
export function parseLeanSignature(bytes: Uint8Array): LeanSignature | undefined {
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const armored = looksArmored(bytes);
  // Read as openpgp.js will be given it, or not at all (a binary packet can carry the armor's line in a subpacket).
  if (armored !== view.includes(ARMOR_BEGIN)) return undefined;
  const binary = armored ? dearmor(view.toString('latin1')) : view;
  if (!binary) return undefined;
  const packet = onlyPacket(binary, 2);
  return packet ? readSignaturePacket(packet) : undefined;
}

function looksArmored(bytes: Uint8Array): boolean {
  // Binary OpenPGP packets start with a byte that has the high bit set; armor is ASCII.
  return bytes.length > 0 && (bytes[0]! & 0x80) === 0;
}

/**
 * The packet bytes of ASCII armor, read strictly: one signature block,
 * optional headers, base64 body and a CRC-24 that must match when present.
 */
function dearmor(text: string): Buffer | undefined {
  // Only printable ASCII, tabs and line ends: openpgp.js reads other white space (\v, \f, U+00A0) otherwise than trim() here.
  if (/[^\x20-\x7e\t\r\n]/.test(text)) return undefined;
  const lines = text.replace(/\r\n/g, '\n').split('\n');
  while (lines.length > 0 && lines[lines.length - 1]!.trim() === '') lines.pop();
  if (
    lines[0]?.trimEnd() !== '-----BEGIN PGP SIGNATURE-----' ||
    lines[lines.length - 1]?.trimEnd() !== '-----END PGP SIGNATURE-----'
  )
    return undefined;
  let i = 1;
  while (i < lines.length - 1 && lines[i]!.trim() !== '') {
    if (!/^[A-Za-z]+: /.test(lines[i]!)) return undefined;
    i++;
  }
  if (lines[i]?.trim() !== '') return undefined;
  const body = lines.slice(i + 1, -1).map((line) => line.trimEnd());
  let checksum: string | undefined;
  if (body.length > 0 && body[body.length - 1]!.startsWith('=')) checksum = body.pop()!.slice(1);
  const base64 = body.join('');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(base64) || base64.length % 4 !== 0) return undefined;
  const data = Buffer.from(base64, 'base64');
  if (checksum !== undefined) {
    if (!/^[A-Za-z0-9+/]{4}$/.test(checksum)) return undefined;
    const crc = crc24(data);
    if (Buffer.from([crc >> 16, (crc >> 8) & 0xff, crc & 0xff]).toString('base64') !== checksum) return undefined;
  }
  return data;
}

const CRC24_TABLE = (() => {
  const table = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let crc = n << 16;
    for (let bit = 0; bit < 8; bit++) {
      crc <<= 1;
      if (crc & 0x1000000) crc ^= 0x1864cfb;
    }
    table[n] = crc & 0xffffff;
  }
  return table;
})();

/** The CRC-24 of RFC 4880 §6.1, a byte at a time. */
function crc24(data: Buffer): number {
  let crc = 0xb704ce;
  for (const byte of data) crc = ((crc << 8) ^ CRC24_TABLE[((crc >> 16) ^ byte) & 0xff]!) & 0xffffff;
  return crc;
}

/** The body of the one packet `data` holds, if it has the tag wanted and a definite length. */
function onlyPacket(data: Buffer, tag: number): Buffer | undefined {
  if (data.length < 2 || !(data[0]! & 0x80)) return undefined;
  let offset: number;
  let length: number;
  if (data[0]! & 0x40) {
    if ((data[0]! & 0x3f) !== tag) return undefined;
    const first = data[1]!;
    if (first < 192) [offset, length] = [2, first];
    else if (first < 224) {
      if (data.length < 3) return undefined;
      [offset, length] = [3, ((first - 192) << 8) + data[2]! + 192];
    } else if (first === 255) {
      if (data.length < 6) return undefined;
      [offset, length] = [6, data.readUInt32BE(2)];
    } else return undefined; // partial body lengths
  } else {
    if (((data[0]! >> 2) & 0x0f) !== tag) return undefined;
    const type = data[0]! & 0x03;
    if (type === 3) return undefined;
    const size = 1 << type;
    if (data.length < 1 + size) return undefined;
    offset = 1 + size;
    length = data.readUIntBE(1, size);
  }
  if (offset + length !== data.length) return undefined;
  return data.subarray(offset);
}

function readSignaturePacket(body: Buffer): LeanSignature | undefined {
  if (body.length < 6 || body[0] !== 4 || body[1] !== 0x00) return undefined;
  const publicKeyAlgorithm = body[2]!;
  const hash = HASHES[body[3]!];
  if (!hash) return undefined;
  const hashedLength = body.readUInt16BE(4);
  const hashedEnd = 6 + hashedLength;
  if (hashedEnd + 2 > body.length) return undefined;
  const hashed = subpackets(body.subarray(6, hashedEnd));
  const unhashedLength = body.readUInt16BE(hashedEnd);
  const unhashedEnd = hashedEnd + 2 + unhashedLength;
  if (unhashedEnd + 2 > body.length) return undefined;
  const unhashed = subpackets(body.subarray(hashedEnd + 2, unhashedEnd));
  if (!hashed || !unhashed) return undefined;

  let created: Date | undefined;
  const keyIds = new Set<string>();
  for (const { type, critical, data } of hashed) {
    if (type === SUBPACKET.creationTime && data.length === 4) created = new Date(data.readUInt32BE(0) * 1000);
    else if (type === SUBPACKET.issuer && data.length === 8) keyIds.add(data.toString('hex'));
    else if (type === SUBPACKET.issuerFingerprint && data.length === 21 && data[0] === 4)
      keyIds.add(data.subarray(13).toString('hex'));
    else if (
      critical ||
      type === SUBPACKET.expiration ||
      type === SUBPACKET.revocationKey ||
      type === SUBPACKET.creationTime ||
      type === SUBPACKET.issuer ||
      type === SUBPACKET.issuerFingerprint ||
      type === SUBPACKET.signatureTarget ||
      type === SUBPACKET.embeddedSignature
    )
      return undefined;
  }
  for (const { type, critical, data } of unhashed) {
    // openpgp.js parses these even unhashed, and fails a signature on one it cannot read.
    if (critical || type === SUBPACKET.signatureTarget || type === SUBPACKET.embeddedSignature) return undefined;
    if (type === SUBPACKET.issuer && data.length === 8) keyIds.add(data.toString('hex'));
    else if (type === SUBPACKET.issuerFingerprint && data.length === 21 && data[0] === 4)
      keyIds.add(data.subarray(13).toString('hex'));
    else if (type === SUBPACKET.issuer || type === SUBPACKET.issuerFingerprint) return undefined;
  }
  if (!created || keyIds.size !== 1) return undefined;

  const left16 = body.subarray(unhashedEnd, unhashedEnd + 2);
  let rest = body.subarray(unhashedEnd + 2);
  let value: Buffer;
  if (publicKeyAlgorithm === ALGORITHM.ed25519) {
    if (rest.length !== 64) return undefined;
    value = rest;
  } else if (publicKeyAlgorithm === ALGORITHM.eddsaLegacy) {
    const r = mpi(rest);
    if (!r) return undefined;
    rest = rest.subarray(r.read);
    const s = mpi(rest);
    if (!s || s.read !== rest.length || r.value.length > 32 || s.value.length > 32) return undefined;
    value = Buffer.concat([leftPad(r.value, 32), leftPad(s.value, 32)]);
  } else if (publicKeyAlgorithm === ALGORITHM.rsaEncryptSign || publicKeyAlgorithm === ALGORITHM.rsaSign) {
    const s = mpi(rest);
    if (!s || s.read !== rest.length) return undefined;
    value = s.value;
  } else return undefined;
  return {
    keyId: [...keyIds][0]!,
    publicKeyAlgorithm,
    hash,
    created,
    hashedPart: body.subarray(0, hashedEnd),
    left16,
    value,
  };
}

function subpackets(area: Buffer): { type: number; critical: boolean; data: Buffer }[] | undefined {
  const out = [];
  let at = 0;
  while (at < area.length) {
    const first = area[at]!;
    let length: number;
    if (first < 192) [length, at] = [first, at + 1];
    else if (first < 255) {
      if (at + 2 > area.length) return undefined;
      [length, at] = [((first - 192) << 8) + area[at + 1]! + 192, at + 2];
    } else {
      if (at + 5 > area.length) return undefined;
      [length, at] = [area.readUInt32BE(at + 1), at + 5];
    }
    if (length < 1 || at + length > area.length) return undefined;
    out.push({ type: area[at]! & 0x7f, critical: (area[at]! & 0x80) !== 0, data: area.subarray(at + 1, at + length) });
    at += length;
  }
  return out;
}

function mpi(data: Buffer): { value: Buffer; read: number } | undefined {
  if (data.length < 2) return undefined;
  const bytes = (data.readUInt16BE(0) + 7) >> 3;
  if (bytes === 0 || 2 + bytes > data.length) return undefined;
  return { value: data.subarray(2, 2 + bytes), read: 2 + bytes };
}

export function leftPad(value: Buffer, size: number): Buffer {
  return value.length === size ? value : Buffer.concat([Buffer.alloc(size - value.length), value]);
}
