import { PacketList, enums, readKey } from 'openpgp';
import type { AnyPacket, Key, SignaturePacket, Subkey, User } from 'openpgp';
import { designatedRevokers, hex, issuedBy, madeBy } from './designated-revoker.ts';

/**
 * Two copies of one OpenPGP key made one, as GnuPG merges on import: the
 * union of their user IDs, subkeys and signatures. A copy only ever adds: a
 * keyserver that serves a key as it was before its revocation (stale, or
 * withholding it) must not un-revoke the key the user has. What a copy adds
 * is checked first — the key's own signatures (self-certifications,
 * bindings, revocations) must verify with its primary key — so a user ID the
 * key never signed, a subkey it never bound, or a signature by another key
 * is not taken in (whether a signature holds at a date is judged where the
 * key is used, as before). openpgp.js's `Key.update` is not used: it takes a
 * copy's signatures unchecked where the other has none, and replaces a
 * subkey binding with a newer one it has not verified.
 */
export interface KeyMerge {
  /** The merged key (a fresh object): the stored copy's packets, then what the other copy added. */
  key: Key;
  /** What the other copy added, in words ("user ID …", "the revocation of the key", "2 self-signatures"). */
  added: string[];
  /** Revocations the stored copy has and the other copy lacks, in words: kept, as everything is. */
  kept: string[];
}

/** A user ID or subkey with its signatures, as a packet list lays it out. */
interface Part {
  packet: AnyPacket;
  id: string;
  label: string;
  signatures: SignaturePacket[];
}

type Primary = Key['keyPacket'];

/**
 * Merges `incoming` into `stored` (same primary fingerprint). Without a
 * stored copy the result is `incoming` with only what verifies: the form a
 * key is kept in.
 */
export async function mergeKeyCopies(stored: Key | undefined, incoming: Key): Promise<KeyMerge> {
  const other = incoming.isPrivate() ? incoming.toPublic() : incoming;
  const base = stored?.isPrivate() ? stored.toPublic() : stored;
  if (base && base.getFingerprint() !== other.getFingerprint())
    throw new Error(`cannot merge key ${other.getFingerprint()} into ${base.getFingerprint()}`);
  const primary = (base ?? other).keyPacket;
  const words = new Words();
  const keySignatures = keySignaturesOf(base);
  const seen = new Set(keySignatures.map(bytesOf));
  // A revocation by a revoker the key designates is kept unchecked (its key may not be at hand): it counts
  // where the key is used once it verifies with that revoker's key (designated-revoker.ts).
  const designated = base ? await designatedRevokers(base) : [];
  const offered = keySignaturesOf(other).sort(
    (a, b) =>
      Number(a.signatureType === enums.signature.keyRevocation) -
      Number(b.signatureType === enums.signature.keyRevocation),
  );
  for (const signature of offered) {
    if (seen.has(bytesOf(signature))) continue;
    const type = signature.signatureType;
    if (type !== enums.signature.keyRevocation && type !== enums.signature.key) continue;
    const own = await madeBy(signature, primary, type, { key: primary });
    const revoker = own ? undefined : designated.find((fingerprint) => issuedBy(signature, fingerprint));
    if (!own && (type !== enums.signature.keyRevocation || !revoker)) continue;
    if (own && type === enums.signature.key && signature.revocationKeyFingerprint)
      designated.push(hex(signature.revocationKeyFingerprint));
    seen.add(bytesOf(signature));
    keySignatures.push(signature);
    words.add(
      type === enums.signature.key
        ? 'direct-key signature'
        : revoker
          ? `the revocation of the key by its designated revoker ${revoker}`
          : 'the revocation of the key',
    );
  }
  const users = (base?.users ?? []).map(userPart);
  await addParts(users, other.users.map(userPart), words, 'user ID', (part, signature) =>
    userSignature(primary, part, signature),
  );
  const subkeys = (base?.subkeys ?? []).map(subkeyPart);
  await addParts(subkeys, other.subkeys.map(subkeyPart), words, 'subkey', (part, signature) =>
    subkeySignature(primary, part, signature),
  );

  const list = new PacketList<AnyPacket>();
  list.push(primary, ...keySignatures);
  for (const part of [...users, ...subkeys]) list.push(part.packet, ...part.signatures);
  const key = await readKey({ binaryKey: list.write() });
  return { key, added: base ? words.list() : [], kept: base ? await keptRevocations(base, other) : [] };
}

/** What a signature on a user ID is, when the key made it: a self-certification or a revocation of it. */
async function userSignature(primary: Primary, part: Part, signature: SignaturePacket): Promise<string | undefined> {
  const data = dataOfUser(primary, part);
  const type = signature.signatureType;
  if (type === enums.signature.certRevocation)
    return (await madeBy(signature, primary, type, data)) ? `the revocation of user ID ${part.label}` : undefined;
  const certification =
    type === enums.signature.certGeneric ||
    type === enums.signature.certPersona ||
    type === enums.signature.certCasual ||
    type === enums.signature.certPositive;
  return certification && (await madeBy(signature, primary, enums.signature.certGeneric, data))
    ? 'self-signature'
    : undefined;
}

/** What a signature on a subkey is, when the key made it: a binding or a revocation of it. */
async function subkeySignature(primary: Primary, part: Part, signature: SignaturePacket): Promise<string | undefined> {
  const data = { key: primary, bind: part.packet };
  const type = signature.signatureType;
  if (type === enums.signature.subkeyRevocation)
    return (await madeBy(signature, primary, type, data)) ? `the revocation of subkey ${part.label}` : undefined;
  if (type !== enums.signature.subkeyBinding || !(await madeBy(signature, primary, type, data))) return undefined;
  // A binding that lets the subkey sign must carry the subkey's own signature back (0x19), as openpgp.js and GnuPG
  // require: else any key could claim another's signing subkey, and be found for that subkey's signatures first.
  const signs = ((signature.keyFlags?.[0] ?? 0) & enums.keyFlags.signData) !== 0;
  if (signs && !(await backSigned(signature, part.packet as Primary, data))) return undefined;
  return 'subkey binding signature';
}

/** Whether a signing subkey's binding carries the subkey's back-signature (primary-key binding) that verifies. */
async function backSigned(binding: SignaturePacket, subkey: Primary, data: object): Promise<boolean> {
  const back = binding.embeddedSignature;
  return !!back && (await madeBy(back, subkey, enums.signature.keyBinding, data));
}

/**
 * Adds to `parts` what `incoming` has that they lack: signatures the key
 * made, and user IDs or subkeys it signed (a new one comes with at least one
 * self-certification or binding that verifies).
 */
async function addParts(
  parts: Part[],
  incoming: Part[],
  words: Words,
  noun: string,
  kindOf: (part: Part, signature: SignaturePacket) => Promise<string | undefined>,
): Promise<void> {
  for (const part of incoming) {
    const existing = parts.find((p) => p.id === part.id);
    const target = existing ?? { ...part, signatures: [] };
    const seen = new Set(target.signatures.map(bytesOf));
    const kinds: string[] = [];
    for (const signature of part.signatures) {
      if (seen.has(bytesOf(signature))) continue;
      const kind = await kindOf(target, signature);
      if (!kind) continue;
      seen.add(bytesOf(signature));
      target.signatures.push(signature);
      kinds.push(kind);
    }
    if (existing) {
      for (const kind of kinds) words.add(kind);
    } else if (kinds.some((kind) => COUNTED.has(kind))) {
      parts.push(target);
      words.add(`${noun} ${part.label}`);
      for (const kind of kinds) if (!COUNTED.has(kind)) words.add(kind);
    }
  }
}

/** The verified revocations (of the key, a subkey, a user ID) that `stored` has and `incoming` lacks. */
async function keptRevocations(stored: Key, incoming: Key): Promise<string[]> {
  const primary = stored.keyPacket;
  const has = new Set(
    [
      ...incoming.revocationSignatures,
      ...incoming.users.flatMap((u) => u.revocationSignatures),
      ...incoming.subkeys.flatMap((s) => s.revocationSignatures),
    ].map(bytesOf),
  );
  const kept = new Words();
  for (const signature of stored.revocationSignatures)
    if (
      !has.has(bytesOf(signature)) &&
      (await madeBy(signature, primary, enums.signature.keyRevocation, { key: primary }))
    )
      kept.add('the revocation of the key');
  for (const part of stored.users.map(userPart))
    for (const signature of part.signatures)
      if (!has.has(bytesOf(signature)) && signature.signatureType === enums.signature.certRevocation) {
        const kind = await userSignature(primary, part, signature);
        if (kind) kept.add(kind);
      }
  for (const part of stored.subkeys.map(subkeyPart))
    for (const signature of part.signatures)
      if (!has.has(bytesOf(signature)) && signature.signatureType === enums.signature.subkeyRevocation) {
        const kind = await subkeySignature(primary, part, signature);
        if (kind) kept.add(kind);
      }
  return kept.list();
}

function keySignaturesOf(key: Key | undefined): SignaturePacket[] {
  if (!key) return [];
  const direct = (key as unknown as { directSignatures?: SignaturePacket[] }).directSignatures ?? [];
  return [...key.revocationSignatures, ...direct];
}

function userPart(user: User): Part {
  const packet = (user.userID ?? user.userAttribute)!;
  return {
    packet,
    id: user.userID ? `uid:${user.userID.userID}` : `uat:${Buffer.from(packet.write()).toString('base64')}`,
    label: user.userID ? user.userID.userID : '(a photo ID)',
    signatures: [...user.selfCertifications, ...user.otherCertifications, ...user.revocationSignatures],
  };
}

function subkeyPart(subkey: Subkey): Part {
  const fingerprint = subkey.getFingerprint().toUpperCase();
  return {
    packet: subkey.keyPacket,
    id: fingerprint,
    label: fingerprint,
    signatures: [...subkey.bindingSignatures, ...subkey.revocationSignatures],
  };
}

function dataOfUser(primary: Primary, part: Part): object {
  const tag = (part.packet.constructor as unknown as { tag: number }).tag;
  return tag === enums.packet.userID
    ? { key: primary, userID: part.packet }
    : { key: primary, userAttribute: part.packet };
}

/** Whether the primary key made this signature over `data` (no date: when it holds is judged at use). */
function bytesOf(signature: SignaturePacket): string {
  return Buffer.from(signature.write()).toString('base64');
}

/** Signatures that are told by their number, not one by one. */
const COUNTED = new Set(['self-signature', 'subkey binding signature', 'direct-key signature']);

/** Phrases in order, each once; counted signatures ("2 self-signatures") after them. */
class Words {
  private readonly phrases = new Set<string>();
  private readonly counts = new Map<string, number>();

  add(word: string): void {
    if (COUNTED.has(word)) this.counts.set(word, (this.counts.get(word) ?? 0) + 1);
    else this.phrases.add(word);
  }

  list(): string[] {
    return [...this.phrases, ...[...this.counts].map(([noun, n]) => (n === 1 ? `a ${noun}` : `${n} ${noun}s`))];
  }
}
