import { createHash, createPublicKey, verify as cryptoVerify } from 'node:crypto';
import type { JsonWebKey, KeyObject } from 'node:crypto';
import type { Key, PublicKey, Subkey } from 'openpgp';
import type { GpgSigner } from '../policy/trust-match.ts';

/**
 * The fast path for the common OpenPGP signature: one v4 signature over a
 * binary document, made with an Ed25519 or RSA key, hashed with SHA-2. It
 * only ever accepts: whatever it does not recognise exactly, or does not
 * verify, goes to openpgp.js, which gives the verdict and the reason. Key
 * validity (self-signatures, revocation, expiry, key flags) is always
 * openpgp.js's — the fast path adds only the hash and the signature check,
 * made with node:crypto in one pass.
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

const ALGORITHM = { rsaEncryptSign: 1, rsaSign: 3, eddsaLegacy: 22, ed25519: 27 } as const;
const HASHES: Record<number, LeanSignature['hash']> = { 8: 'sha256', 9: 'sha384', 10: 'sha512', 11: 'sha224' };
const SUBPACKET = { creationTime: 2, expiration: 3, revocationKey: 12, issuer: 16, issuerFingerprint: 33 } as const;
const ED25519_LEGACY_OID = '2b06010401da470f01';

/** The signature's single packet, when it is one the fast path handles; undefined otherwise. */
export function parseLeanSignature(bytes: Uint8Array): LeanSignature | undefined {
  const binary = looksArmored(bytes)
    ? dearmor(Buffer.from(bytes).toString('latin1'))
    : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
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
      type === SUBPACKET.issuerFingerprint
    )
      return undefined;
  }
  for (const { type, critical, data } of unhashed) {
    if (critical) return undefined;
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

function leftPad(value: Buffer, size: number): Buffer {
  return value.length === size ? value : Buffer.concat([Buffer.alloc(size - value.length), value]);
}

/**
 * A signing (sub)key as the fast path needs it, as plain data: it crosses to
 * verification threads, which then need neither openpgp.js nor GnuPG.
 */
export interface LeanKey {
  /** The (sub)key id, 16 lower-case hex digits. */
  keyId: string;
  algorithm: number;
  /** The public key for node:crypto; null when the fast path cannot use it. */
  jwk: JsonWebKey | null;
  /** When the (sub)key was made (ms since the epoch): it cannot have signed before. */
  created: number;
  signer: Omit<GpgSigner, 'signedAt'>;
  /** The instants (seconds) its validity can change at: between two, one answer holds (see `validSigningKeyAt`). */
  events: number[];
}

/** Finds the key a signature names, and whether openpgp.js finds it a valid signing key at a date. */
export interface LeanKeySource {
  find(keyId: string, at: Date): Promise<{ key: LeanKey; valid: boolean } | undefined>;
}

const nodeKeys = new WeakMap<LeanKey, KeyObject | null>();

/**
 * Accepts, with the signer, when the source has a key with the signature's
 * key id that is valid for signing at the signature's creation time, and the
 * signature verifies over `data`; undefined in every other case (the caller
 * asks openpgp.js).
 */
export async function leanVerify(
  signature: LeanSignature,
  data: Uint8Array,
  keys: LeanKeySource,
  now = new Date(),
): Promise<GpgSigner | undefined> {
  if (signature.created > now) return undefined;
  const found = await keys.find(signature.keyId, signature.created);
  if (!found) return undefined;
  const { key } = found;
  if (key.algorithm !== signature.publicKeyAlgorithm || key.created > signature.created.getTime()) return undefined;
  const nodeKey = nodeKeyOf(key);
  if (!nodeKey) return undefined;

  const trailer = Buffer.alloc(6);
  trailer[0] = 0x04;
  trailer[1] = 0xff;
  trailer.writeUInt32BE(signature.hashedPart.length, 2);
  const digest = createHash(signature.hash).update(data).update(signature.hashedPart).update(trailer).digest();
  if (digest[0] !== signature.left16[0] || digest[1] !== signature.left16[1]) return undefined;
  const rsa = key.algorithm === ALGORITHM.rsaEncryptSign || key.algorithm === ALGORITHM.rsaSign;
  if (!rsa && signature.hash === 'sha224') return undefined; // openpgp.js wants at least SHA-256 with EdDSA
  let ok: boolean;
  try {
    ok = rsa
      ? cryptoVerify(
          signature.hash,
          Buffer.concat([data, signature.hashedPart, trailer]),
          nodeKey,
          leftPad(signature.value, (nodeKey.asymmetricKeyDetails?.modulusLength ?? 0) >> 3),
        )
      : cryptoVerify(null, digest, nodeKey, signature.value);
  } catch {
    return undefined;
  }
  if (!ok || !found.valid) return undefined;
  return { ...key.signer, signedAt: signature.created.toISOString() };
}

function nodeKeyOf(key: LeanKey): KeyObject | undefined {
  let made = nodeKeys.get(key);
  if (made === undefined) {
    try {
      made = key.jwk ? createPublicKey({ key: key.jwk, format: 'jwk' }) : null;
    } catch {
      made = null;
    }
    nodeKeys.set(key, made);
  }
  return made ?? undefined;
}

/** Lean keys from openpgp.js keys (the AAM keyring and GnuPG), with their validity asked of openpgp.js. */
export class OpenpgpLeanKeys implements LeanKeySource {
  private readonly keys: { find(keyId: string): Promise<Key[]> };
  private readonly made = new WeakMap<Key | Subkey, LeanKey>();

  constructor(keys: { find(keyId: string): Promise<Key[]> }) {
    this.keys = keys;
  }

  async find(keyId: string, at: Date): Promise<{ key: LeanKey; valid: boolean } | undefined> {
    const candidates = await this.keys.find(keyId);
    const key = candidates.find((k) => k.getKeys().some((sub) => sub.getKeyID().toHex() === keyId));
    if (!key) return undefined;
    const signingKey = key.getKeys().find((sub) => sub.getKeyID().toHex() === keyId)!;
    let lean = this.made.get(signingKey);
    if (!lean) this.made.set(signingKey, (lean = leanKeyOf(key, signingKey, keyId)));
    return { key: lean, valid: await validSigningKeyAt(key, signingKey, at) };
  }
}

/**
 * Lean keys asked of another thread (`ask`), remembered: a key's data once,
 * and its validity once per interval between its events — the same answers
 * `validSigningKeyAt` would give here. A date on an event itself is always asked.
 */
export class AskedLeanKeys implements LeanKeySource {
  private readonly ask: (keyId: string, at: Date) => Promise<{ key: LeanKey; valid: boolean } | undefined>;
  private readonly known = new Map<string, { key: LeanKey; answers: Map<number, boolean> } | null>();

  constructor(ask: (keyId: string, at: Date) => Promise<{ key: LeanKey; valid: boolean } | undefined>) {
    this.ask = ask;
  }

  async find(keyId: string, at: Date): Promise<{ key: LeanKey; valid: boolean } | undefined> {
    const known = this.known.get(keyId);
    if (known === null) return undefined;
    const cell = known && cellOf(known.key.events, Math.floor(at.getTime() / 1000));
    const answer = known && cell !== undefined ? known.answers.get(cell) : undefined;
    if (known && answer !== undefined) return { key: known.key, valid: answer };
    const asked = await this.ask(keyId, at);
    if (!asked) {
      this.known.set(keyId, null);
      return undefined;
    }
    const entry = known ?? { key: asked.key, answers: new Map<number, boolean>() };
    this.known.set(keyId, entry);
    const askedCell = cellOf(entry.key.events, Math.floor(at.getTime() / 1000));
    if (askedCell !== undefined) entry.answers.set(askedCell, asked.valid);
    return { key: entry.key, valid: asked.valid };
  }
}

function leanKeyOf(key: Key, signingKey: Key | Subkey, keyId: string): LeanKey {
  const packet = signingKey.keyPacket as unknown as { algorithm: number; publicParams: Record<string, unknown> };
  return {
    keyId,
    algorithm: packet.algorithm,
    jwk: jwkOf(packet),
    created: signingKey.getCreationTime().getTime(),
    signer: {
      type: 'gpg',
      fingerprint: key.getFingerprint().toUpperCase(),
      signingKeyFingerprint: signingKey.getFingerprint().toUpperCase(),
      userIds: key.getUserIDs(),
    },
    events: eventsOf(key),
  };
}

/** Per key: the instants its validity can change at, and what openpgp.js said between them. */
const validity = new WeakMap<Key, { events: number[]; answers: Map<string, boolean> }>();

/**
 * Whether openpgp.js finds `signingKey` a valid signing key of `key` at
 * `date` (self-signatures, revocations, expiry, key flags). openpgp.js only
 * compares the date with instants written in the key — creation times of
 * its key packets and signatures, and the expiry times those signatures set
 * — so between two consecutive such instants its answer cannot change, and
 * is asked once. A date that falls exactly on one is always asked.
 */
async function validSigningKeyAt(key: Key, signingKey: Key | Subkey, date: Date): Promise<boolean> {
  let known = validity.get(key);
  if (!known) validity.set(key, (known = { events: eventsOf(key), answers: new Map() }));
  const seconds = Math.floor(date.getTime() / 1000);
  const cell = cellOf(known.events, seconds);
  const id = signingKey.getKeyID().toHex();
  const cached = cell === undefined ? undefined : known.answers.get(`${id}@${cell}`);
  if (cached !== undefined) return cached;
  let valid: boolean;
  try {
    await (key as PublicKey).getSigningKey(signingKey.getKeyID(), date);
    valid = true;
  } catch {
    valid = false;
  }
  if (cell !== undefined) known.answers.set(`${id}@${cell}`, valid);
  return valid;
}

interface TimedSignature {
  created: Date | null;
  signatureExpirationTime?: number | null;
  keyExpirationTime?: number | null;
  embeddedSignature?: TimedSignature | null;
}

/** Every instant (seconds) written in the key that a validity check could compare a date with, sorted. */
function eventsOf(key: Key): number[] {
  const packets = key.getKeys().map((k) => k.keyPacket as unknown as { created: Date });
  const signatures: TimedSignature[] = [];
  const add = (list: unknown) => {
    for (const signature of (list ?? []) as TimedSignature[]) {
      signatures.push(signature);
      if (signature.embeddedSignature) signatures.push(signature.embeddedSignature);
    }
  };
  add(key.revocationSignatures);
  add((key as unknown as { directSignatures?: unknown }).directSignatures);
  for (const user of key.users) {
    add(user.selfCertifications);
    add(user.otherCertifications);
    add(user.revocationSignatures);
  }
  for (const subkey of key.subkeys) {
    add(subkey.bindingSignatures);
    add(subkey.revocationSignatures);
  }
  const seconds = (date: Date | null | undefined) => (date ? Math.floor(date.getTime() / 1000) : undefined);
  const events = new Set<number>();
  for (const packet of packets) events.add(seconds(packet.created) ?? 0);
  for (const signature of signatures) {
    const created = seconds(signature.created);
    if (created === undefined) continue;
    events.add(created);
    if (signature.signatureExpirationTime) events.add(created + signature.signatureExpirationTime);
    // A key expiration time counts from the creation of the key it binds; every key packet is taken, to be safe.
    if (signature.keyExpirationTime)
      for (const packet of packets) events.add((seconds(packet.created) ?? 0) + signature.keyExpirationTime);
  }
  return [...events].sort((a, b) => a - b);
}

/** The index of the open interval between events that holds `t`; undefined when `t` is an event itself. */
function cellOf(events: readonly number[], t: number): number | undefined {
  let low = 0;
  let high = events.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (events[middle]! < t) low = middle + 1;
    else high = middle;
  }
  return events[low] === t ? undefined : low;
}

/** The public key of an OpenPGP key packet as a JWK node:crypto takes, for the algorithms the fast path handles. */
function jwkOf(packet: { algorithm: number; publicParams: Record<string, unknown> }): JsonWebKey | null {
  const params = packet.publicParams;
  if (packet.algorithm === ALGORITHM.ed25519 && params.A instanceof Uint8Array && params.A.length === 32) {
    return { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(params.A).toString('base64url') };
  }
  if (
    packet.algorithm === ALGORITHM.eddsaLegacy &&
    params.Q instanceof Uint8Array &&
    params.Q.length === 33 &&
    params.Q[0] === 0x40
  ) {
    const oid = (params.oid as { toHex?: () => string } | undefined)?.toHex?.();
    return oid === ED25519_LEGACY_OID
      ? { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(params.Q.subarray(1)).toString('base64url') }
      : null;
  }
  if (
    (packet.algorithm === ALGORITHM.rsaEncryptSign || packet.algorithm === ALGORITHM.rsaSign) &&
    params.n instanceof Uint8Array &&
    params.e instanceof Uint8Array
  ) {
    return {
      kty: 'RSA',
      n: Buffer.from(params.n).toString('base64url'),
      e: Buffer.from(params.e).toString('base64url'),
    };
  }
  return null;
}
