/**
 * The floor's OpenPGP checks, with node:crypto alone: the signature names a
 * trusted signing key (the one the trust record names, if it names one), the
 * signature hash over the archive and the signature's trailer (with its
 * quick-check bytes), and the Ed25519 check.
 *
 * The signature is read with the fast path's own packet reader
 * (parseLeanSignature: one v4 packet, strict armor), before the clock in the
 * prepared floor and in the pass in the reading floor. The trusted key is
 * exported from GnuPG (one `gpg --export`) and its self-signatures checked
 * by openpgp.js, as the engine does, once a run (`trustedKeys`).
 */
import { createHash, createPublicKey, verify } from 'node:crypto';
import type { JsonWebKey, KeyObject } from 'node:crypto';
import { readKey } from 'openpgp';
import { exportPublicKey } from '../../src/core/openpgp/gnupg.ts';
import { parseLeanSignature } from '../../src/core/openpgp/lean-signature.ts';

export interface PgpOperands {
  keyId: string;
  hashAlgorithm: string;
  trailer: Buffer;
  left16: Buffer;
  signed: Buffer;
}

/** The trusted signing (sub)keys by key id: as JWKs (they cross to threads), and the fingerprint of their key. */
export type TrustedKeys = Record<string, { jwk: JsonWebKey; fingerprint: string }>;

/** The signing keys of a trusted key, from GnuPG, checked by openpgp.js (expiry, revocation, self-signatures). */
export async function trustedKeys(gnupg: string, fingerprint: string): Promise<TrustedKeys> {
  const armoredKey = await exportPublicKey(gnupg, fingerprint);
  if (!armoredKey) throw new Error(`floor: GnuPG has no key ${fingerprint}`);
  const key = await readKey({ armoredKey });
  const signing = await key.getSigningKey();
  const material = (signing.keyPacket as unknown as { publicParams: { Q?: Uint8Array; A?: Uint8Array } }).publicParams;
  const raw = Buffer.from(material.A ?? material.Q!.subarray(1));
  return {
    [signing.getKeyID().toHex()]: {
      jwk: { kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url') },
      fingerprint: key.getFingerprint().toUpperCase(),
    },
  };
}

/** An armored or binary signature into the operands of its check; throws when it is not one the fast path reads. */
export function pgpOperands(bytes: Uint8Array): PgpOperands {
  const signature = parseLeanSignature(bytes);
  if (!signature) throw new Error('floor: not a signature the fast path reads');
  return {
    keyId: signature.keyId,
    hashAlgorithm: signature.hash,
    trailer: Buffer.concat([signature.hashedPart, Buffer.from([0x04, 0xff]), u32(signature.hashedPart.length)]),
    left16: signature.left16,
    signed: signature.value,
  };
}

/** The key objects of the trusted keys: made once a pass (a thread makes its own). */
export function keyObjects(keys: TrustedKeys): Map<string, { key: KeyObject; fingerprint: string }> {
  return new Map(
    Object.entries(keys).map(([id, k]) => [
      id,
      { key: createPublicKey({ key: k.jwk, format: 'jwk' }), fingerprint: k.fingerprint },
    ]),
  );
}

/** The signature check of one package over its archive's bytes; what failed, or undefined. */
export function checkPgp(
  p: PgpOperands,
  archive: Buffer,
  keys: ReadonlyMap<string, { key: KeyObject; fingerprint: string }>,
  recorded: string | undefined,
): string | undefined {
  const signer = keys.get(p.keyId);
  if (!signer || (recorded !== undefined && recorded.toUpperCase() !== signer.fingerprint))
    return `openpgp: key ${p.keyId} is not trusted`;
  const digest = createHash(p.hashAlgorithm).update(archive).update(p.trailer).digest();
  if (!digest.subarray(0, 2).equals(p.left16) || !verify(null, digest, signer.key, p.signed))
    return 'openpgp: the signature failed';
  return undefined;
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}
