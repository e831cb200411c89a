// Hand-made OpenPGP packets of an attacker's making, for the bounds tests (built without openpgp.js; from /work/notes/pgp-cost-review).
import { createHash, randomBytes } from 'node:crypto';
import { armor as openpgpArmor, enums } from 'openpgp';

export const ALGO = { rsa: 1, rsaSign: 3, dsa: 17 } as const;
export const HASH = { md5: 1, sha1: 2, ripemd160: 3, sha256: 8, sha384: 9, sha512: 10, sha224: 11 } as const;
const NODE_HASH: Record<number, string> = {
  1: 'md5',
  2: 'sha1',
  3: 'ripemd160',
  8: 'sha256',
  9: 'sha384',
  10: 'sha512',
  11: 'sha224',
};

/** A new-format packet header + body. */
export function packet(tag: number, body: Buffer): Buffer {
  let len: Buffer;
  if (body.length < 192) len = Buffer.from([body.length]);
  else if (body.length < 8384) {
    const l = body.length - 192;
    len = Buffer.from([(l >> 8) + 192, l & 0xff]);
  } else {
    len = Buffer.alloc(5);
    len[0] = 255;
    len.writeUInt32BE(body.length, 1);
  }
  return Buffer.concat([Buffer.from([0xc0 | tag]), len, body]);
}

/** An MPI of `bits` bits, top bit set, odd (random otherwise). */
export function mpiOfBits(bits: number): Buffer {
  const bytes = Buffer.from(randomBytes(Math.ceil(bits / 8)));
  const top = (bits - 1) % 8;
  bytes[0] = (bytes[0]! & ((1 << (top + 1)) - 1)) | (1 << top);
  bytes[bytes.length - 1]! |= 1;
  return mpi(bytes);
}
export function mpi(value: Buffer): Buffer {
  let i = 0;
  while (i < value.length - 1 && value[i] === 0) i++;
  const v = value.subarray(i);
  const bits = (v.length - 1) * 8 + (32 - Math.clz32(v[0]!));
  const head = Buffer.alloc(2);
  head.writeUInt16BE(bits);
  return Buffer.concat([head, v]);
}

export interface Crafted {
  body: Buffer; // public-key packet body
  algorithm: number;
  fingerprint: Buffer;
  keyId: Buffer;
}

export function publicKeyBody(algorithm: number, params: Buffer[], created = 1_600_000_000): Crafted {
  const head = Buffer.alloc(6);
  head[0] = 4;
  head.writeUInt32BE(created, 1);
  head[5] = algorithm;
  const body = Buffer.concat([head, ...params]);
  const pre = Buffer.alloc(3);
  pre[0] = 0x99;
  pre.writeUInt16BE(body.length, 1);
  const fingerprint = createHash('sha1').update(pre).update(body).digest();
  return { body, algorithm, fingerprint, keyId: fingerprint.subarray(12) };
}

/** An RSA public key with an n and e of the given sizes (bits; each at most 65535). */
export function rsaKey(nBits: number, eBits: number): Crafted {
  return publicKeyBody(ALGO.rsaSign, [mpiOfBits(nBits), mpiOfBits(eBits)]);
}

/** A DSA public key: p, q, g, y of the given sizes (no structure: a verifier only computes with them). */
export function dsaKey(pBits: number, qBits: number): Crafted {
  return publicKeyBody(ALGO.dsa, [mpiOfBits(pBits), mpiOfBits(qBits), mpiOfBits(pBits - 1), mpiOfBits(pBits - 1)]);
}

/** A transferable public key: the key packet alone, or with a user ID (no self-signature). */
export function keyPackets(key: Crafted, userId?: string): Buffer {
  return Buffer.concat([packet(6, key.body), ...(userId ? [packet(13, Buffer.from(userId))] : [])]);
}

function subpacket(type: number, data: Buffer): Buffer {
  return Buffer.concat([Buffer.from([data.length + 1, type]), data]);
}

/**
 * A v4 signature packet of `type` by `key`: its hashed part, and the digest over `signed` (what the type signs)
 * and that part, as a verifier computes it; a left-16 that matches, and a value of the attacker's choosing.
 */
function signaturePacket(key: Crafted, type: number, hash: number, created: number, signed: Buffer[], value: Buffer[]) {
  const time = Buffer.alloc(4);
  time.writeUInt32BE(created);
  const hashed = Buffer.concat([subpacket(2, time), subpacket(33, Buffer.concat([Buffer.from([4]), key.fingerprint]))]);
  const head = Buffer.from([4, type, key.algorithm, hash, hashed.length >> 8, hashed.length & 0xff]);
  const hashedPart = Buffer.concat([head, hashed]);
  const trailer = Buffer.alloc(6);
  trailer[0] = 4;
  trailer[1] = 0xff;
  trailer.writeUInt32BE(hashedPart.length, 2);
  const digest = createHash(NODE_HASH[hash]!);
  for (const part of [...signed, hashedPart, trailer]) digest.update(part);
  const unhashed = subpacket(16, key.keyId);
  const unhashedLen = Buffer.from([unhashed.length >> 8, unhashed.length & 0xff]);
  return packet(2, Buffer.concat([hashedPart, unhashedLen, unhashed, digest.digest().subarray(0, 2), ...value]));
}

/** A v4 binary-document signature by `key` over `data` (see signaturePacket). */
export function signature(
  data: Uint8Array,
  key: Crafted,
  hash: number,
  value: Buffer[],
  created = 1_700_000_000,
): Buffer {
  return signaturePacket(key, 0x00, hash, created, [Buffer.from(data)], value);
}

/** ASCII armor, as openpgp.js writes it. */
export function armor(kind: 'PUBLIC KEY BLOCK' | 'SIGNATURE', bytes: Buffer): string {
  return openpgpArmor(kind === 'SIGNATURE' ? enums.armor.signature : enums.armor.publicKey, bytes);
}

/**
 * A user ID and `certs` self-certifications (0x13) by `key` with a correct left-16 and a value of the
 * attacker's choosing: verifying each is one public-key operation with the key's parameters.
 */
export function certifiedUserId(key: Crafted, userId: string, hash: number, value: Buffer[], certs = 1): Buffer {
  const uid = Buffer.from(userId);
  const keyPre = Buffer.alloc(3);
  keyPre[0] = 0x99;
  keyPre.writeUInt16BE(key.body.length, 1);
  const uidPre = Buffer.alloc(5);
  uidPre[0] = 0xb4;
  uidPre.writeUInt32BE(uid.length, 1);
  const signed = [keyPre, key.body, uidPre, uid];
  return Buffer.concat([
    packet(13, uid),
    ...Array.from({ length: certs }, (_, i) => signaturePacket(key, 0x13, hash, 1_600_000_100 + i, signed, value)),
  ]);
}
