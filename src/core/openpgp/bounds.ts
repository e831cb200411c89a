import type { Key } from 'openpgp';

/**
 * What an OpenPGP key from someone else (a key file, a keyserver or WKD answer, an upload's `public_key`, a
 * delegation's brought key) may hold before openpgp.js checks anything in it. openpgp.js does a signature's
 * arithmetic before its own algorithm and size checks, in plain BigInt for any hash WebCrypto lacks: an RSA key
 * with a 16,384-bit exponent held the thread 4.5 s a signature, and a key of thousands of self-signatures,
 * each checked, for minutes. Real keys are far inside these.
 */
export const KEY_BOUNDS = {
  /** RSA modulus (GnuPG makes at most 4,096 bits, and reads 16,384). */
  rsaBits: 16_384,
  /** RSA public exponent: 65,537 (17 bits) in practice. */
  exponentBits: 32,
  /** DSA prime (FIPS 186 stops at 3,072 bits; openpgp.js refuses DSA signatures, after checking them). */
  dsaBits: 3_072,
  userIds: 100,
  subkeys: 100,
  /** Signatures the key made itself (self-certifications, bindings, revocations): each is checked. */
  signatures: 500,
} as const;

/** Signatures in one detached `.asc`: a signer makes one; a co-signer adds a file of their own. */
export const MAX_SIGNATURES_PER_FILE = 4;

const RSA = new Set([1, 2, 3]);
const DSA = 17;

/** Why a key is refused unread, or undefined when it is within the bounds. */
export function keyProblem(key: Key): string | undefined {
  if (key.users.length > KEY_BOUNDS.userIds)
    return `has ${key.users.length} user IDs; at most ${KEY_BOUNDS.userIds} are read`;
  if (key.subkeys.length > KEY_BOUNDS.subkeys)
    return `has ${key.subkeys.length} subkeys; at most ${KEY_BOUNDS.subkeys} are read`;
  // Those the key made itself, which are checked; others' certifications (a keyserver's web of trust) are not.
  const signatures =
    ((key as unknown as { directSignatures?: unknown[] }).directSignatures?.length ?? 0) +
    key.revocationSignatures.length +
    key.users.reduce((n, u) => n + u.selfCertifications.length + u.revocationSignatures.length, 0) +
    key.subkeys.reduce((n, s) => n + s.bindingSignatures.length + s.revocationSignatures.length, 0);
  if (signatures > KEY_BOUNDS.signatures)
    return `holds ${signatures} signatures of its own; at most ${KEY_BOUNDS.signatures} are read`;
  for (const packet of [key.keyPacket, ...key.subkeys.map((s) => s.keyPacket)]) {
    const { algorithm, publicParams } = packet as unknown as {
      algorithm: number;
      publicParams: Record<string, unknown>;
    };
    const bits = (name: string) => bitLength(publicParams[name]);
    if (RSA.has(algorithm) && bits('n') > KEY_BOUNDS.rsaBits)
      return `has an RSA modulus of ${bits('n')} bits; at most ${KEY_BOUNDS.rsaBits} are read`;
    if (RSA.has(algorithm) && bits('e') > KEY_BOUNDS.exponentBits)
      return `has an RSA exponent of ${bits('e')} bits; at most ${KEY_BOUNDS.exponentBits} are read`;
    if (algorithm === DSA && bits('p') > KEY_BOUNDS.dsaBits)
      return `has a DSA prime of ${bits('p')} bits; at most ${KEY_BOUNDS.dsaBits} are read`;
  }
  return undefined;
}

/** The keys within the bounds, and why each other one was left out (by its fingerprint). */
export function withinBounds(keys: readonly Key[]): { kept: Key[]; refused: string[] } {
  const kept: Key[] = [];
  const refused: string[] = [];
  for (const key of keys) {
    const problem = keyProblem(key);
    if (problem) refused.push(`key ${key.getFingerprint().toUpperCase()} ${problem}`);
    else kept.push(key);
  }
  return { kept, refused };
}

/** Why each key a keyring holds is not used, with where it is. */
const refusals = new WeakMap<Key, string>();

/** Marks a keyring's key as not used, for this reason (a clause: "key … in … has …"). */
export function refuse(key: Key, why: string): void {
  refusals.set(key, why);
}

/**
 * A keyring's keys, those over the bounds marked refused (`refusalOf`)
 * rather than left out: another copy of the same key must not decide alone,
 * when the copy that cannot be read may hold its revocation (keys2-review F2).
 */
export function markBounds(keys: Key[], where: string): Key[] {
  for (const key of keys) {
    const problem = keyProblem(key);
    if (problem)
      refuse(
        key,
        `key ${key.getFingerprint().toUpperCase()} in ${where} ${problem}: it is not read, and no other copy of the key is used, since the one not read may hold its revocation (remove that copy and import the key again from its owner)`,
      );
  }
  return keys;
}

/** Why a keyring's key is not used (over the bounds, or revoked by its designated revoker), or undefined. */
export function refusalOf(key: Key): string | undefined {
  return refusals.get(key);
}

function bitLength(value: unknown): number {
  if (!(value instanceof Uint8Array)) return 0;
  let i = 0;
  while (i < value.length && value[i] === 0) i++;
  return i === value.length ? 0 : (value.length - i - 1) * 8 + (32 - Math.clz32(value[i]!));
}
