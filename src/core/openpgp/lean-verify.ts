import { createHash, createPublicKey, verify as cryptoVerify } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import type { GpgSigner } from '../policy/trust-match.ts';
import type { LeanKey, LeanKeySource } from './lean-keys.ts';
import { ALGORITHM, leftPad } from './lean-signature.ts';
import type { LeanSignature } from './lean-signature.ts';

/**
 * The fast path for the common OpenPGP signature: one v4 signature over a
 * binary document, made with an Ed25519 or RSA key, hashed with SHA-2. It
 * only ever accepts: whatever it does not recognise exactly, or does not
 * verify, goes to openpgp.js, which gives the verdict and the reason. Key
 * validity (self-signatures, revocation, expiry, key flags) is always
 * openpgp.js's — the fast path adds only the hash and the signature check,
 * made with node:crypto in one pass.
 *
 * The signature is read in lean-signature.ts, the keys found in lean-keys.ts.
 */

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
