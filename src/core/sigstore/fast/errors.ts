import { verify } from 'node:crypto';
import type { KeyObject } from 'node:crypto';

/** How the fast Sigstore path fails: a verdict the reference would give, or "not mine". */

/** Thrown with the same codes as @sigstore/verify's VerificationError, so callers classify both alike. */
export class FastVerificationError extends Error {
  readonly code: string;

  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}

/** The bundle uses something this verifier leaves to the reference one (DSSE, Rekor v2, RFC 3161 stamps…). */
export class NotFastPath extends Error {}

/** A signature check that says false where node:crypto would throw (a malformed signature is simply not valid). */
export function safeVerify(algorithm: string | null, data: Buffer, key: KeyObject, signature: Buffer): boolean {
  try {
    return verify(algorithm, data, key, signature);
  } catch {
    return false;
  }
}
