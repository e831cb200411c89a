import type { Key, User } from 'openpgp';
import { checkedAfresh } from './key-validity.ts';

/**
 * `enums.signature.certRevocation`, written out: verification threads load
 * this file (through lean-keys.ts) and must not load openpgp.js for it.
 */
const CERT_REVOCATION = 0x30;

/** Per key: its bound user IDs, worked out once (a keyring keeps its keys for a run). */
const bound = new WeakMap<Key, Promise<string[]>>();

/**
 * The user IDs a key vouches for: those with a self-certification that
 * verifies now and that its owner has not revoked (at any date). Anyone can
 * append a user ID packet to anyone's key (a keyserver can serve it first),
 * and an owner revokes an address they no longer hold, so `getUserIDs()` —
 * every user ID packet — is no name to show, record or match an email
 * against. Both OpenPGP paths (openpgp.js and the lean one) name a signer
 * with this, so they agree.
 */
export function boundUserIds(key: Key): Promise<string[]> {
  let ids = bound.get(key);
  if (!ids) {
    ids = checkedAfresh([key], async () => {
      const found: string[] = [];
      for (const user of key.users) {
        if (!user.userID) continue;
        try {
          await user.verify();
          if (!(await revokedEver(key, user))) found.push(user.userID.userID);
        } catch {
          // Not signed by the key, or revoked: not a name the key vouches for.
        }
      }
      return found;
    });
    bound.set(key, ids);
  }
  return ids;
}

/**
 * Whether the key revoked this user ID, whenever: a revocation dated after
 * now (gpg dates one a second after the certification it follows) still says
 * the owner no longer stands by the name.
 */
async function revokedEver(key: Key, user: User): Promise<boolean> {
  const data = { key: key.keyPacket, userID: user.userID };
  for (const revocation of user.revocationSignatures) {
    try {
      await revocation.verify(key.keyPacket, CERT_REVOCATION, data, null as unknown as undefined);
      return true;
    } catch {
      // not one the key made
    }
  }
  return false;
}

/** The email of a user ID (`Name <email>`, or a bare address), lower-cased. */
export function emailOf(userId: string): string {
  return (/<([^<>]+)>\s*$/.exec(userId)?.[1] ?? userId).trim().toLowerCase();
}
