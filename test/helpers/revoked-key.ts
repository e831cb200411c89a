import { createMessage, enums, generateKey, revokeKey, sign } from 'openpgp';
import type { PrivateKey, SubkeyOptions } from 'openpgp';

/** Alice's key, a detached signature by it, and the armored key before and after her key-compromise revocation. */
export interface RevokedKey {
  readonly privateKey: PrivateKey;
  /** The key before its revocation: what a stale or withholding keyserver still serves. */
  readonly stale: string;
  /** The same key with the revocation. */
  readonly revoked: string;
  readonly fingerprint: string;
  /** Over `data`, made before the revocation (by the signing subkey where there is one). */
  readonly signature: Uint8Array;
}

/**
 * A revoked key and a signature by it: generated for Alice (with `subkeys`, or
 * openpgp's default), signs `data`, then revoked as compromised (for `reason`, if given).
 */
export async function revokedKeyAndSignature(
  data: Uint8Array,
  options: { subkeys?: SubkeyOptions[]; reason?: string } = {},
): Promise<RevokedKey> {
  const { privateKey } = await generateKey({
    userIDs: [{ name: 'Alice', email: 'alice@example.com' }],
    ...(options.subkeys ? { subkeys: options.subkeys } : {}),
    format: 'object',
  });
  const stale = privateKey.toPublic().armor();
  const signature = (await sign({
    message: await createMessage({ binary: data }),
    signingKeys: privateKey,
    detached: true,
    format: 'binary',
  })) as Uint8Array;
  const { publicKey } = await revokeKey({
    key: privateKey,
    reasonForRevocation: {
      flag: enums.reasonForRevocation.keyCompromised,
      ...(options.reason !== undefined ? { string: options.reason } : {}),
    },
    format: 'object',
  });
  return {
    privateKey,
    stale,
    revoked: publicKey.armor(),
    fingerprint: privateKey.getFingerprint().toUpperCase(),
    signature,
  };
}
