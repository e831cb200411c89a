import { enums } from 'openpgp';
import type { Key, SignaturePacket } from 'openpgp';
import { messageOf } from '../errors.ts';

/**
 * Designated revokers (RFC 4880 §5.2.3.15): a key may name another key whose
 * revocation of it counts as its own (`gpg --desig-revoke`; GnuPG then lists
 * the key as revoked). openpgp.js checks only the revocations the key made
 * itself, so a key revoked that way verified on here (keys2-review F1).
 */

/** The key's direct-key signatures (openpgp.js keeps them; its typings leave them out). */
const directSignatures = (key: Key) => (key as unknown as { directSignatures: SignaturePacket[] }).directSignatures;

export const hex = (bytes: Uint8Array | null | undefined) =>
  bytes ? Buffer.from(bytes).toString('hex').toUpperCase() : '';

/**
 * Whether a signature by `signer` verifies, at no date. openpgp.js refuses any signature
 * carrying a revocation-key subpacket, after its arithmetic holds: that
 * refusal alone still means the key made it.
 */
export async function madeBy(signature: SignaturePacket, signer: Key['keyPacket'], type: number, data: object) {
  try {
    await signature.verify(signer, type as never, data as never, null as unknown as undefined);
    return true;
  } catch (error) {
    return /revoked with an authorized key/.test(messageOf(error));
  }
}

/** The fingerprints of the revokers a key designates in direct-key signatures it made. */
export async function designatedRevokers(key: Key): Promise<string[]> {
  const revokers: string[] = [];
  for (const signature of directSignatures(key))
    if (
      signature.revocationKeyClass !== null &&
      signature.revocationKeyFingerprint &&
      (await madeBy(signature, key.keyPacket, enums.signature.key, { key: key.keyPacket }))
    )
      revokers.push(hex(signature.revocationKeyFingerprint));
  return revokers;
}

/** Whether a key revocation names `revoker` (by fingerprint, or by the key id it ends with) as its issuer. */
export function issuedBy(signature: SignaturePacket, revoker: string): boolean {
  const fingerprint = hex(signature.issuerFingerprint);
  return fingerprint ? fingerprint === revoker : revoker.endsWith(signature.issuerKeyID.toHex().toUpperCase());
}

/**
 * Why a key counts as revoked by a revoker it designates, or undefined: a
 * revocation that names the revoker as its issuer counts once it verifies
 * with the revoker's key, as GnuPG counts it. Unchecked, it would be anyone's:
 * a revocation made with any key and labelled as the revoker's disabled the
 * key it named (diff3-review 1).
 */
export async function revokedByDesignee(
  key: Key,
  revokerCopies: (fingerprint: string) => Promise<Key[]>,
): Promise<string | undefined> {
  const primary = key.getFingerprint().toUpperCase();
  const others = key.revocationSignatures.filter((s) => !issuedBy(s, primary));
  if (others.length === 0 || !directSignatures(key).some((s) => s.revocationKeyClass !== null)) return undefined;
  for (const revoker of await designatedRevokers(key))
    for (const signature of others.filter((s) => issuedBy(s, revoker))) {
      const reason = signature.reasonForRevocationString ? ` ("${signature.reasonForRevocationString}")` : '';
      for (const copy of await revokerCopies(revoker))
        if (await madeBy(signature, copy.keyPacket, enums.signature.keyRevocation, { key: key.keyPacket }))
          return `key ${primary} was revoked by its designated revoker ${revoker}${reason}`;
    }
  return undefined;
}
