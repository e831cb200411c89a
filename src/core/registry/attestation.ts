import { createHash, createPublicKey, sign as cryptoSign, verify as cryptoVerify } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import type { AttestationFact } from '../policy/checks.ts';
import { parseShallowJson } from '../model/json-depth.ts';
import { keyIdOf } from '../model/key-id.ts';

export { keyIdOf };

/**
 * Registry attestations (seeds: "Registry Attestation"; spec §5.5): after it
 * validated a publish, an HTTP registry signs a DSSE envelope over an
 * in-toto statement about the archive. The registry's key is ECDSA P-256;
 * clients pin it (by key id, the SHA-256 of its SubjectPublicKeyInfo).
 */
export const ATTESTATION_PREDICATE = 'https://aam-trust.dev/registry-attestation/v1';
export const IN_TOTO_STATEMENT = 'https://in-toto.io/Statement/v1';
export const IN_TOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json';

export interface AttestationPredicate {
  registry: string;
  package: string;
  version: string;
  publisher: {
    /** The registry user whose token published it. */
    user: string;
    /**
     * The author's signature the registry checked, when there was one: a Sigstore certificate's identity and
     * issuer, or an OpenPGP key's fingerprint with the User ID the key claims (nobody checked it).
     */
    signer?:
      | { type: 'sigstore' | 'gpg'; identity?: string; issuer?: string; fingerprint?: string; claimed_user_id?: string }
      | undefined;
  };
  published_at: string;
}

export interface DsseEnvelope {
  payloadType: string;
  payload: string;
  signatures: { keyid: string; sig: string }[];
}

/** The registry's public key as it serves it at /.well-known/aam-registry.json. */
export interface RegistryKey {
  key_id: string;
  /** PEM SubjectPublicKeyInfo. */
  public_key: string;
  algorithm: 'ecdsa-p256-sha256';
}

/** DSSE's pre-authentication encoding: what is actually signed. */
export function pae(payloadType: string, payload: Buffer): Buffer {
  const type = Buffer.from(payloadType, 'utf8');
  return Buffer.concat([
    Buffer.from(`DSSEv1 ${type.length} `, 'utf8'),
    type,
    Buffer.from(` ${payload.length} `, 'utf8'),
    payload,
  ]);
}

const signingKeyIds = new WeakMap<KeyObject, string>();

/** The key id of a private key's public half, worked out once per key (every publish and head is signed with one). */
export function signingKeyIdOf(privateKey: KeyObject): string {
  let id = signingKeyIds.get(privateKey);
  if (id === undefined) signingKeyIds.set(privateKey, (id = keyIdOf(createPublicKey(privateKey))));
  return id;
}

export function registryKeyOf(privateKey: KeyObject): RegistryKey {
  const publicKey = createPublicKey(privateKey);
  return {
    key_id: keyIdOf(publicKey),
    public_key: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    algorithm: 'ecdsa-p256-sha256',
  };
}

/** Signs `payload` as a DSSE envelope with the registry's key. */
export function signEnvelope(payloadType: string, payload: Buffer, privateKey: KeyObject): DsseEnvelope {
  const signature = cryptoSign('sha256', pae(payloadType, payload), privateKey);
  return {
    payloadType,
    payload: payload.toString('base64'),
    signatures: [{ keyid: signingKeyIdOf(privateKey), sig: signature.toString('base64') }],
  };
}

/** The attestation a registry signs for a version it accepted. */
export function attest(archiveSha256: string, predicate: AttestationPredicate, privateKey: KeyObject): DsseEnvelope {
  const statement = {
    _type: IN_TOTO_STATEMENT,
    subject: [{ name: `${predicate.package}@${predicate.version}`, digest: { sha256: archiveSha256 } }],
    predicateType: ATTESTATION_PREDICATE,
    predicate,
  };
  return signEnvelope(IN_TOTO_PAYLOAD_TYPE, Buffer.from(JSON.stringify(statement), 'utf8'), privateKey);
}

export type AttestationCheck =
  | { state: 'valid'; keyId: string; predicate: AttestationPredicate }
  | { state: 'invalid'; reason: string; keyId?: string };

/** What a checked attestation establishes, for the trust decision (the registry by its name in the config). */
export function attestationFactOf(registry: string, check: AttestationCheck): AttestationFact {
  return check.state === 'valid'
    ? {
        registry,
        state: 'valid',
        keyId: check.keyId,
        publisher: check.predicate.publisher.user,
        at: check.predicate.published_at,
      }
    : { registry, state: 'invalid', reason: `its attestation is not valid: ${check.reason}` };
}

/**
 * Checks an attestation for exactly this archive, package, version and
 * registry, signed by the key given (pinned or configured). Nothing in the
 * envelope chooses the key it is checked with.
 */
export function verifyAttestation(
  envelopeBytes: Uint8Array,
  expected: {
    /** The archive, or its SHA-256 (hex) — the lock file's checksum once integrity holds. */
    archive?: Buffer;
    sha256?: string;
    name: string;
    version: string;
    registry: string;
    publicKey: string;
  },
): AttestationCheck {
  let envelope: Partial<DsseEnvelope>;
  let key: KeyObject;
  try {
    key = createPublicKey(expected.publicKey);
  } catch {
    return { state: 'invalid', reason: 'the registry key is not a public key' };
  }
  const keyId = keyIdOf(key);
  try {
    envelope = parseShallowJson(Buffer.from(envelopeBytes).toString('utf8')) as Partial<DsseEnvelope>;
  } catch {
    return { state: 'invalid', reason: 'the attestation is not JSON', keyId };
  }
  if (
    envelope.payloadType !== IN_TOTO_PAYLOAD_TYPE ||
    typeof envelope.payload !== 'string' ||
    !Array.isArray(envelope.signatures)
  )
    return { state: 'invalid', reason: 'the attestation is not a DSSE envelope of an in-toto statement', keyId };
  const payload = Buffer.from(envelope.payload, 'base64');
  const signed = envelope.signatures.some(
    (s) =>
      s &&
      typeof s.sig === 'string' &&
      (() => {
        try {
          return cryptoVerify('sha256', pae(IN_TOTO_PAYLOAD_TYPE, payload), key, Buffer.from(s.sig, 'base64'));
        } catch {
          return false;
        }
      })(),
  );
  if (!signed)
    return { state: 'invalid', reason: `it is not signed by the registry key ${keyId.slice(0, 16)}…`, keyId };
  let statement: {
    _type?: unknown;
    subject?: unknown;
    predicateType?: unknown;
    predicate?: Partial<AttestationPredicate>;
  };
  try {
    statement = parseShallowJson(payload.toString('utf8')) as typeof statement;
  } catch {
    return { state: 'invalid', reason: 'its statement is not JSON', keyId };
  }
  if (statement._type !== IN_TOTO_STATEMENT || statement.predicateType !== ATTESTATION_PREDICATE)
    return { state: 'invalid', reason: 'it is not an AAM registry attestation', keyId };
  const digest =
    expected.sha256 ?? (expected.archive ? createHash('sha256').update(expected.archive).digest('hex') : undefined);
  if (!digest) return { state: 'invalid', reason: 'there is no archive digest to check it against', keyId };
  const subjects = Array.isArray(statement.subject)
    ? (statement.subject as { name?: unknown; digest?: { sha256?: unknown } }[])
    : [];
  if (subjects.length !== 1 || subjects[0]?.digest?.sha256 !== digest)
    return { state: 'invalid', reason: 'it attests other bytes than this archive', keyId };
  const predicate = statement.predicate ?? {};
  if (
    subjects[0]?.name !== `${expected.name}@${expected.version}` ||
    predicate.package !== expected.name ||
    predicate.version !== expected.version
  )
    return {
      state: 'invalid',
      reason: `it attests ${String(predicate.package)}@${String(predicate.version)}, not ${expected.name}@${expected.version}`,
      keyId,
    };
  if (predicate.registry !== expected.registry)
    return {
      state: 'invalid',
      reason: `it was made by registry "${String(predicate.registry)}", not "${expected.registry}"`,
      keyId,
    };
  if (
    !predicate.publisher ||
    typeof predicate.publisher.user !== 'string' ||
    typeof predicate.published_at !== 'string'
  )
    return { state: 'invalid', reason: 'its predicate names no publisher or time', keyId };
  return { state: 'valid', keyId, predicate: predicate as AttestationPredicate };
}
