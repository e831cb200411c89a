import { createMessage, enums, readSignature, verify } from 'openpgp';
import { checkedAfresh } from './key-validity.ts';
import type { Key, Signature, Subkey } from 'openpgp';
import type { SignatureCheck } from '../policy/decision.ts';
import type { GpgSigner } from '../policy/trust-match.ts';
import { messageOf } from '../errors.ts';
import type { PublicKeyLookup } from './keyring.ts';
import { OpenpgpLeanKeys } from './lean-keys.ts';
import { parseLeanSignature } from './lean-signature.ts';
import { leanVerify } from './lean-verify.ts';
import { MAX_SIGNATURES_PER_FILE, refusalOf } from './bounds.ts';
import { boundUserIds } from './user-ids.ts';

/**
 * Verifies a detached OpenPGP signature (armored or binary) over `data` with
 * keys from `keys`. The common case is accepted by the lean path; anything
 * else, and every rejection, is openpgp.js's verdict (`referenceOnly` skips
 * the lean path, for comparing the two).
 */
export async function verifyDetachedSignature(
  data: Uint8Array,
  signatureBytes: Uint8Array,
  keys: PublicKeyLookup,
  options: { referenceOnly?: boolean } = {},
): Promise<SignatureCheck> {
  const lean = options.referenceOnly ? undefined : parseLeanSignature(signatureBytes);
  if (lean) {
    const signer = await leanVerify(lean, data, leanKeysOf(keys));
    if (signer) return { state: 'valid', signer };
  }
  let signature: Signature;
  try {
    const text = Buffer.from(signatureBytes).toString('utf8');
    signature = text.includes('-----BEGIN PGP SIGNATURE-----')
      ? await readSignature({ armoredSignature: text })
      : await readSignature({ binarySignature: signatureBytes });
  } catch (error) {
    return {
      state: 'invalid',
      type: 'gpg',
      code: 'BUNDLE_INVALID',
      reason: `the .asc file is not an OpenPGP signature (${messageOf(error)})`,
    };
  }
  // Each signature is checked against every key that may have made it, openpgp.js copying the data for each.
  if (signature.packets.length > MAX_SIGNATURES_PER_FILE) {
    return {
      state: 'invalid',
      type: 'gpg',
      code: 'BUNDLE_INVALID',
      reason: `the .asc file holds ${signature.packets.length} signatures; at most ${MAX_SIGNATURES_PER_FILE} are read (each signer adds a file of their own)`,
    };
  }
  // A damaged packet can parse without an issuer; it names no key to check with.
  const issuers = signature.packets.map(
    (packet) => (packet as { issuerKeyID?: { toHex(): string } | null }).issuerKeyID,
  );
  if (issuers.length === 0 || issuers.some((id) => !id)) {
    return {
      state: 'invalid',
      type: 'gpg',
      code: 'BUNDLE_INVALID',
      reason: 'the .asc file holds no signature that names its key',
    };
  }
  // A text-mode signature (0x01) signs the data with its line ends made canonical: other bytes (CR LF for LF)
  // would verify too. AAM signs archives, delegations and approvals as binary documents (0x00).
  if (signature.packets.some((packet) => packet.signatureType !== enums.signature.binary)) {
    return {
      state: 'invalid',
      type: 'gpg',
      code: 'SIGNATURE_INVALID',
      reason:
        'the .asc file holds a signature that is not of a binary document (a text-mode signature, gpg --textmode, verifies bytes other than those signed); sign the file as binary (gpg --detach-sign --armor)',
    };
  }
  const keyIds = issuers.map((id) => id!.toHex());
  const issuerFingerprint = issuerFingerprintOf(signature);
  const candidates: Key[] = [];
  for (const id of keyIds) candidates.push(...(await keys.find(id)));
  if (candidates.length === 0) {
    // The fingerprint the signature claims names the key only when it ends with the key id looked up: it is
    // unchecked, and a signature by an unknown key could claim a trusted key's (keys2-review F6).
    // A v4 key id is its fingerprint's last 16 hex digits; a v5 or v6 one, its first 16 (diff3-review 5).
    const id = keyIds[0]!.toUpperCase();
    const named =
      issuerFingerprint &&
      (issuerFingerprint.length === 40 ? issuerFingerprint.endsWith(id) : issuerFingerprint.startsWith(id))
        ? issuerFingerprint
        : undefined;
    const ids = keyIds.map((id) => id.toUpperCase()).join(', ');
    const who = named ?? (issuerFingerprint ? `id ${ids} (it also claims fingerprint ${issuerFingerprint})` : ids);
    return {
      state: 'invalid',
      type: 'gpg',
      code: 'KEY_UNKNOWN',
      reason: `it was made by key ${who}, which is not in your keyring (~/.aam/keys or GnuPG)`,
      key: named ?? keyIds[0]!.toUpperCase(),
    };
  }
  const refused = candidates.map(refusalOf).find((why) => why !== undefined);
  if (refused)
    return {
      state: 'invalid',
      type: 'gpg',
      code: 'SIGNATURE_INVALID',
      reason: `it was made by a key that cannot be used: ${refused}`,
    };
  try {
    // The verdict is settled once `verified` is: openpgp.js's key checks happen in between.
    const attempt = (keys: Key[]) =>
      checkedAfresh(keys, async () => {
        const message = await createMessage({ binary: data });
        const result = await verify({
          message,
          signature,
          verificationKeys: keys,
          format: 'binary',
          expectSigned: true,
        });
        const checked = result.signatures[0]!;
        await checked.verified;
        return { checked, keys };
      });
    // openpgp.js takes the first key holding the signature's key id: another key that claims the same subkey
    // (one stored before bindings were checked) must not hide the key that made it. Each is tried on its own.
    const { checked: first, keys: used } = await attempt(candidates).catch(async (error: unknown) => {
      for (const key of candidates.length > 1 ? candidates : []) {
        const alone = await attempt([key]).catch(() => undefined);
        if (alone) return alone;
      }
      throw error;
    });
    const key = used.find((k) => k.getKeyIDs().some((id) => id.equals(first.keyID)))!;
    const created = (await first.signature).packets[0]?.created;
    const signingKey = key.getKeys(first.keyID)[0] ?? key;
    return { state: 'valid', signer: await signerOf(key, signingKey, created ?? undefined) };
  } catch (error) {
    return { state: 'invalid', type: 'gpg', code: 'SIGNATURE_INVALID', reason: `${describe(messageOf(error))}` };
  }
}

const leanKeys = new WeakMap<PublicKeyLookup, OpenpgpLeanKeys>();

/** The fast path's view of a keyring, one per keyring (it remembers what openpgp.js said of each key). */
export function leanKeysOf(keys: PublicKeyLookup): OpenpgpLeanKeys {
  let lean = leanKeys.get(keys);
  if (!lean) leanKeys.set(keys, (lean = new OpenpgpLeanKeys(keys)));
  return lean;
}

async function signerOf(key: Key, signingKey: Key | Subkey, created: Date | undefined): Promise<GpgSigner> {
  return {
    type: 'gpg',
    fingerprint: key.getFingerprint().toUpperCase(),
    signingKeyFingerprint: signingKey.getFingerprint().toUpperCase(),
    userIds: await boundUserIds(key),
    signedAt: created ? created.toISOString() : undefined,
  };
}

function describe(message: string): string {
  if (/Signed digest did not match|signature did not match|Signature verification failed/i.test(message))
    return 'the signature does not match this archive';
  return message.replace(/^Error:\s*/, '');
}

function issuerFingerprintOf(signature: Signature): string | undefined {
  const fingerprint = (signature.packets[0] as { issuerFingerprint?: Uint8Array | null } | undefined)
    ?.issuerFingerprint;
  return fingerprint ? Buffer.from(fingerprint).toString('hex').toUpperCase() : undefined;
}
