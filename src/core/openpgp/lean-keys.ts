import type { JsonWebKey } from 'node:crypto';
import type { Key, PublicKey, Subkey } from 'openpgp';
import type { GpgSigner } from '../policy/trust-match.ts';
import { ALGORITHM } from './lean-signature.ts';
import { checkedAfresh } from './key-validity.ts';
import { boundUserIds } from './user-ids.ts';
import { refusalOf } from './bounds.ts';

/**
 * The keys of the fast OpenPGP path: a signing (sub)key as plain data, and
 * the two ways to find one — from openpgp.js keys in this thread, or asked of
 * another thread and remembered. Whether a key is valid at a date is always
 * openpgp.js's answer; what this file adds is knowing when that answer can
 * change, so that it is asked once per interval.
 */

const ED25519_LEGACY_OID = '2b06010401da470f01';

/**
 * A signing (sub)key as the fast path needs it, as plain data: it crosses to
 * verification threads, which then need neither openpgp.js nor GnuPG.
 */
export interface LeanKey {
  /** The (sub)key id, 16 lower-case hex digits. */
  keyId: string;
  algorithm: number;
  /** The public key for node:crypto; null when the fast path cannot use it. */
  jwk: JsonWebKey | null;
  /** When the (sub)key was made (ms since the epoch): it cannot have signed before. */
  created: number;
  signer: Omit<GpgSigner, 'signedAt'>;
  /** The instants (seconds) its validity can change at: between two, one answer holds (see `validSigningKeyAt`). */
  events: number[];
}

/** Finds the key a signature names, and whether openpgp.js finds it a valid signing key at a date. */
export interface LeanKeySource {
  find(keyId: string, at: Date): Promise<{ key: LeanKey; valid: boolean } | undefined>;
}

/** Lean keys from openpgp.js keys (the AAM keyring and GnuPG), with their validity asked of openpgp.js. */
export class OpenpgpLeanKeys implements LeanKeySource {
  private readonly keys: { find(keyId: string): Promise<Key[]> };
  private readonly made = new WeakMap<Key | Subkey, Promise<LeanKey>>();

  constructor(keys: { find(keyId: string): Promise<Key[]> }) {
    this.keys = keys;
  }

  async find(keyId: string, at: Date): Promise<{ key: LeanKey; valid: boolean } | undefined> {
    const candidates = await this.keys.find(keyId);
    // A refused key is not read here: openpgp.js's path (verify.ts) says why the signature fails.
    if (candidates.some((k) => refusalOf(k) !== undefined)) return undefined;
    const key = candidates.find((k) => k.getKeys().some((sub) => sub.getKeyID().toHex() === keyId));
    if (!key) return undefined;
    const signingKey = key.getKeys().find((sub) => sub.getKeyID().toHex() === keyId)!;
    let lean = this.made.get(signingKey);
    if (!lean)
      this.made.set(signingKey, (lean = boundUserIds(key).then((ids) => leanKeyOf(key, signingKey, keyId, ids))));
    return { key: await lean, valid: await validSigningKeyAt(key, signingKey, at) };
  }
}

/**
 * Lean keys asked of another thread (`ask`), remembered: a key's data once,
 * and its validity once per interval between its events — the same answers
 * `validSigningKeyAt` would give here. A date on an event itself is always asked.
 */
export class AskedLeanKeys implements LeanKeySource {
  private readonly ask: (keyId: string, at: Date) => Promise<{ key: LeanKey; valid: boolean } | undefined>;
  private readonly known = new Map<string, { key: LeanKey; answers: Map<number, boolean> } | null>();

  constructor(ask: (keyId: string, at: Date) => Promise<{ key: LeanKey; valid: boolean } | undefined>) {
    this.ask = ask;
  }

  async find(keyId: string, at: Date): Promise<{ key: LeanKey; valid: boolean } | undefined> {
    const known = this.known.get(keyId);
    if (known === null) return undefined;
    const cell = known && cellOf(known.key.events, Math.floor(at.getTime() / 1000));
    const answer = known && cell !== undefined ? known.answers.get(cell) : undefined;
    if (known && answer !== undefined) return { key: known.key, valid: answer };
    const asked = await this.ask(keyId, at);
    if (!asked) {
      this.known.set(keyId, null);
      return undefined;
    }
    const entry = known ?? { key: asked.key, answers: new Map<number, boolean>() };
    this.known.set(keyId, entry);
    const askedCell = cellOf(entry.key.events, Math.floor(at.getTime() / 1000));
    if (askedCell !== undefined) entry.answers.set(askedCell, asked.valid);
    return { key: entry.key, valid: asked.valid };
  }
}

function leanKeyOf(key: Key, signingKey: Key | Subkey, keyId: string, userIds: string[]): LeanKey {
  const packet = signingKey.keyPacket as unknown as { algorithm: number; publicParams: Record<string, unknown> };
  return {
    keyId,
    algorithm: packet.algorithm,
    jwk: jwkOf(packet),
    created: signingKey.getCreationTime().getTime(),
    signer: {
      type: 'gpg',
      fingerprint: key.getFingerprint().toUpperCase(),
      signingKeyFingerprint: signingKey.getFingerprint().toUpperCase(),
      userIds,
    },
    events: eventsOf(key),
  };
}

/** Per key: the instants its validity can change at, and what openpgp.js said between them. */
const validity = new WeakMap<Key, { events: number[]; answers: Map<string, boolean> }>();

/**
 * Whether openpgp.js finds `signingKey` a valid signing key of `key` at
 * `date` (self-signatures, revocations, expiry, key flags). openpgp.js only
 * compares the date with instants written in the key — creation times of
 * its key packets and signatures, and the expiry times those signatures set
 * — so between two consecutive such instants its answer cannot change, and
 * is asked once. A date that falls exactly on one is always asked.
 */
async function validSigningKeyAt(key: Key, signingKey: Key | Subkey, date: Date): Promise<boolean> {
  let known = validity.get(key);
  if (!known) validity.set(key, (known = { events: eventsOf(key), answers: new Map() }));
  const seconds = Math.floor(date.getTime() / 1000);
  const cell = cellOf(known.events, seconds);
  const id = signingKey.getKeyID().toHex();
  const cached = cell === undefined ? undefined : known.answers.get(`${id}@${cell}`);
  if (cached !== undefined) return cached;
  let valid: boolean;
  try {
    await checkedAfresh([key], () => (key as PublicKey).getSigningKey(signingKey.getKeyID(), date));
    valid = true;
  } catch {
    valid = false;
  }
  if (cell !== undefined) known.answers.set(`${id}@${cell}`, valid);
  return valid;
}

interface TimedSignature {
  created: Date | null;
  signatureExpirationTime?: number | null;
  keyExpirationTime?: number | null;
  embeddedSignature?: TimedSignature | null;
}

/**
 * Every instant (seconds) written in the key that a validity check could compare a date with, sorted.
 * A key expiration time counts from the creation of the key it binds: the primary key for its own
 * signatures, a subkey for its binding (and the back-signature in it) and revocations. So the count
 * is linear in the key's packets: a key of a few thousand subkeys must not cost millions of instants.
 */
export function eventsOf(key: Key): number[] {
  const seconds = (date: Date | null | undefined) => (date ? Math.floor(date.getTime() / 1000) : undefined);
  const events = new Set<number>();
  const add = (list: unknown, bound: Key | Subkey) => {
    const from = seconds((bound.keyPacket as unknown as { created: Date }).created) ?? 0;
    events.add(from);
    for (const outer of (list ?? []) as TimedSignature[])
      for (const signature of outer.embeddedSignature ? [outer, outer.embeddedSignature] : [outer]) {
        const created = seconds(signature.created);
        if (created === undefined) continue;
        events.add(created);
        if (signature.signatureExpirationTime) events.add(created + signature.signatureExpirationTime);
        if (signature.keyExpirationTime) events.add(from + signature.keyExpirationTime);
      }
  };
  add(key.revocationSignatures, key);
  add((key as unknown as { directSignatures?: unknown }).directSignatures, key);
  for (const user of key.users) {
    add(user.selfCertifications, key);
    add(user.otherCertifications, key);
    add(user.revocationSignatures, key);
  }
  for (const subkey of key.subkeys) {
    add(subkey.bindingSignatures, subkey);
    add(subkey.revocationSignatures, subkey);
  }
  return [...events].sort((a, b) => a - b);
}

/** The index of the open interval between events that holds `t`; undefined when `t` is an event itself. */
function cellOf(events: readonly number[], t: number): number | undefined {
  let low = 0;
  let high = events.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (events[middle]! < t) low = middle + 1;
    else high = middle;
  }
  return events[low] === t ? undefined : low;
}

/** The public key of an OpenPGP key packet as a JWK node:crypto takes, for the algorithms the fast path handles. */
function jwkOf(packet: { algorithm: number; publicParams: Record<string, unknown> }): JsonWebKey | null {
  const params = packet.publicParams;
  if (packet.algorithm === ALGORITHM.ed25519 && params.A instanceof Uint8Array && params.A.length === 32) {
    return { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(params.A).toString('base64url') };
  }
  if (
    packet.algorithm === ALGORITHM.eddsaLegacy &&
    params.Q instanceof Uint8Array &&
    params.Q.length === 33 &&
    params.Q[0] === 0x40
  ) {
    const oid = (params.oid as { toHex?: () => string } | undefined)?.toHex?.();
    return oid === ED25519_LEGACY_OID
      ? { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(params.Q.subarray(1)).toString('base64url') }
      : null;
  }
  if (
    (packet.algorithm === ALGORITHM.rsaEncryptSign || packet.algorithm === ALGORITHM.rsaSign) &&
    params.n instanceof Uint8Array &&
    params.e instanceof Uint8Array
  ) {
    return {
      kty: 'RSA',
      n: Buffer.from(params.n).toString('base64url'),
      e: Buffer.from(params.e).toString('base64url'),
    };
  }
  return null;
}
