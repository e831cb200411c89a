import { createPublicKey } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { p256, p384 } from '@noble/curves/nist.js';
import type { BundleWithMessageSignature } from '@sigstore/bundle';
import type { SignedEntity } from '@sigstore/verify';

type SignatureContent = SignedEntity['signature'];

/**
 * Signature content for verifying a message-signature bundle against an
 * artifact known only by its SHA-256 digest (conformance `sha256:<hex>` input).
 * ECDSA verifies over the digest itself; Node's crypto cannot, so the
 * audited noble curves do.
 */
export function digestSignatureContent(bundle: BundleWithMessageSignature, digest: Buffer): SignatureContent {
  const { signature, messageDigest } = bundle.content.messageSignature;
  const matches = Buffer.from(messageDigest.digest).equals(digest);
  return {
    signature: Buffer.from(signature),
    compareSignature: (other) => Buffer.from(signature).equals(other),
    compareDigest: (other) => Buffer.from(messageDigest.digest).equals(other),
    compareSignedDigest: (other) => Buffer.from(messageDigest.digest).equals(other),
    verifySignature: (key) => matches && verifyPrehashed(key, digest, Buffer.from(signature)),
  };
}

function verifyPrehashed(key: KeyObject, digest: Buffer, signature: Buffer): boolean {
  const jwk = (key.type === 'public' ? key : createPublicKey(key)).export({ format: 'jwk' });
  const point = Buffer.concat([
    Buffer.from([4]),
    Buffer.from(jwk.x ?? '', 'base64url'),
    Buffer.from(jwk.y ?? '', 'base64url'),
  ]);
  const curve = jwk.crv === 'P-256' ? p256 : jwk.crv === 'P-384' ? p384 : undefined;
  if (!curve) return false;
  try {
    return curve.verify(signature, digest, point, { prehash: false, lowS: false, format: 'der' });
  } catch {
    return false;
  }
}
