import { createHash } from 'node:crypto';
import type { Bundle, BundleWithMessageSignature } from '@sigstore/bundle';
import { X509Certificate } from '@sigstore/core';
import { Verifier, VerificationError, toSignedEntity } from '@sigstore/verify';
import type { SignedEntity } from '@sigstore/verify';
import type { SignatureCheck } from '../policy/decision.ts';
import type { SignerIdentity } from '../policy/identity.ts';
import { messageOf } from '../errors.ts';
import { checkStatementBinds } from './statement.ts';
import { FastVerificationError, NotFastPath } from './fast/errors.ts';
import { fastVerify } from './fast/verify.ts';
import { issuerOfExtensions, namesOfSan, utf8StringExtension } from './fast/certificate.ts';
import type { Certificate } from './fast/certificate.ts';
import { loggedCertificateProblem } from './logged-certificate.ts';
import { signerOf } from './signer.ts';
import { fastTrustOf, trustMaterialOf } from './trusted-root.ts';
import { parseBundle } from './bundle-file.ts';
import type { TrustRootSource } from './trusted-root.ts';
export { MAX_CHAIN_CERTIFICATES, MAX_TLOG_ENTRIES, parseBundle, SUPPORTED_MEDIA_TYPES } from './bundle-file.ts';

export interface SigstoreVerifyOptions {
  root: TrustRootSource;
  /** verify_transparency_log: require a transparency-log entry (entries present are always checked). */
  requireTlog: boolean;
  /** Use only @sigstore/verify (for differential tests and as the conformance verifier). */
  referenceOnly?: boolean;
  /** The artifact's SHA-256 when the caller already has it (evidence gathering hashed the archive); computed if not. */
  artifactSha256?: Buffer | undefined;
}

/**
 * Verifies a Sigstore bundle over an artifact against a trusted root, offline:
 * certificate chain, SCT, signature, timestamps and transparency-log proof.
 * Who signed it is returned for the policy to judge; nothing here trusts an
 * identity.
 */
export function verifySigstoreBundle(
  bundleBytes: Uint8Array,
  artifact: Buffer,
  options: SigstoreVerifyOptions,
): SignatureCheck {
  const parsed = parseBundle(bundleBytes);
  if (!parsed.ok) return { state: 'invalid', type: 'sigstore', code: 'BUNDLE_INVALID', reason: parsed.reason };
  const otherArtifact = digestProblem(parsed.bundle, artifact, options.artifactSha256);
  if (otherArtifact) return { state: 'invalid', type: 'sigstore', code: 'SIGNATURE_INVALID', reason: otherArtifact };
  if (!options.referenceOnly && parsed.bundle.content.$case === 'messageSignature') {
    const fast = tryFast(parsed.bundle as BundleWithMessageSignature, artifact, options);
    if (fast) return fast;
  }
  let entity: SignedEntity;
  try {
    entity = toSignedEntity(parsed.bundle, artifact);
  } catch (error) {
    return {
      state: 'invalid',
      type: 'sigstore',
      code: 'BUNDLE_INVALID',
      reason: `the bundle cannot be read (${messageOf(error)})`,
    };
  }
  const checked = verifyEntity(entity, parsed.bundle, options);
  if (checked.state !== 'valid' || parsed.bundle.content.$case !== 'dsseEnvelope') return checked;
  // A DSSE envelope signs its statement, not the archive: it is a signature of this
  // archive only when the statement says so (subject digest and predicate type).
  const { payloadType, payload } = parsed.bundle.content.dsseEnvelope;
  const unbound = checkStatementBinds(payloadType, Buffer.from(payload), artifact);
  return unbound
    ? { state: 'invalid', type: 'sigstore', code: 'SIGNATURE_INVALID', reason: unbound, signer: checked.signer }
    : checked;
}

/** protobuf-specs' HashAlgorithm by number (unspecified read as SHA-256, as the fast path and the log read it). */
const DIGESTS: Record<number, string> = { 0: 'sha256', 1: 'sha256', 2: 'sha384', 3: 'sha512' };

/**
 * A message signature's bundle names the digest of what it signs, and its
 * transparency-log entry records that digest: it must be this artifact's. The
 * signature alone does not tie them — a signer who picks the key (keyless
 * signing does) can make one ECDSA signature verify over two digests, log the
 * harmless artifact's and ship the other (neither verifier library compares
 * them). DSSE bundles bind the artifact through their statement instead.
 */
function digestProblem(bundle: Bundle, artifact: Buffer, knownSha256: Buffer | undefined): string | undefined {
  if (bundle.content.$case !== 'messageSignature') return undefined;
  const { messageDigest } = bundle.content.messageSignature;
  const name = messageDigest && DIGESTS[messageDigest.algorithm];
  if (!name) return 'the bundle does not name the digest of what it signs (a SHA-2 messageDigest)';
  const digest = name === 'sha256' && knownSha256 ? knownSha256 : createHash(name).update(artifact).digest();
  if (!digest.equals(Buffer.from(messageDigest.digest)))
    return `the signature does not match this archive: the bundle's message digest, which its transparency-log entry records, is not the archive's ${name.toUpperCase()} (the archive changed, or the bundle signs another artifact)`;
  return undefined;
}

/** Verification with @sigstore/verify: every bundle shape, and the reference for the lean verifier. */
export function verifyEntity(entity: SignedEntity, bundle: Bundle, options: SigstoreVerifyOptions): SignatureCheck {
  const read = readIdentity(bundle);
  const identity = 'identity' in read ? read.identity : undefined;
  const partial = identity ? signerOf(bundle, identity, options.root) : undefined;
  if (entity.key.$case !== 'certificate') {
    return {
      state: 'invalid',
      type: 'sigstore',
      code: 'SIGNATURE_INVALID',
      reason: 'the bundle is signed with a bare key, not a Sigstore certificate',
      signer: partial,
    };
  }
  try {
    const verifier = new Verifier(trustMaterialOf(options.root), {
      tlogThreshold: options.requireTlog ? 1 : 0,
      ctlogThreshold: 1,
      timestampThreshold: 1,
    });
    verifier.verify(entity);
    // A key of the certificate case means the bundle has a leaf certificate.
    const problem = loggedCertificateProblem(bundle.verificationMaterial.tlogEntries, leafBytesOf(bundle)!);
    if (problem) throw new VerificationError({ code: 'TLOG_BODY_ERROR', message: problem });
  } catch (error) {
    return { state: 'invalid', type: 'sigstore', ...explain(error), signer: partial };
  }
  if ('problem' in read) return { state: 'invalid', type: 'sigstore', code: 'SIGNATURE_INVALID', reason: read.problem };
  if (!partial)
    return {
      state: 'invalid',
      type: 'sigstore',
      code: 'SIGNATURE_INVALID',
      reason: 'the certificate carries no email or URI identity',
    };
  return { state: 'valid', signer: partial };
}

/**
 * The lean verifier, for the common shape (message signature, certificate,
 * Rekor v1 hashedrekord entries). Undefined when the bundle is of a shape it
 * leaves to @sigstore/verify.
 */
function tryFast(
  bundle: BundleWithMessageSignature,
  artifact: Buffer,
  options: SigstoreVerifyOptions,
): SignatureCheck | undefined {
  let leaf: Certificate;
  try {
    leaf = fastVerify(bundle, artifact, fastTrustOf(options.root), { tlogThreshold: options.requireTlog ? 1 : 0 });
  } catch (error) {
    if (error instanceof NotFastPath) return undefined;
    const identity = certificateIdentity(bundle);
    return {
      state: 'invalid',
      type: 'sigstore',
      ...explain(error),
      signer: identity ? signerOf(bundle, identity, options.root) : undefined,
    };
  }
  let identity: SignerIdentity | undefined;
  try {
    identity = identityOf(leaf);
  } catch (error) {
    return { state: 'invalid', type: 'sigstore', code: 'SIGNATURE_INVALID', reason: messageOf(error) };
  }
  if (!identity)
    return {
      state: 'invalid',
      type: 'sigstore',
      code: 'SIGNATURE_INVALID',
      reason: 'the certificate carries no email or URI identity',
    };
  return { state: 'valid', signer: signerOf(bundle, identity, options.root) };
}

/** SAN (with its type) and Fulcio issuer from a certificate read by the lean parser; throws when they are not strict text. */
function identityOf(cert: Certificate): SignerIdentity | undefined {
  const extension = (oid: string) => cert.extensions.find((e) => e.oid === oid)?.value;
  return identityFromExtensions(extension);
}

const OID_SAN = '2.5.29.17';
const OID_ISSUER_V2 = '1.3.6.1.4.1.57264.1.8';
const OID_ISSUER_V1 = '1.3.6.1.4.1.57264.1.1';
const OID_SOURCE_REPOSITORY = '1.3.6.1.4.1.57264.1.12';

/** The identity a certificate's extensions (by OID) vouch for; throws where one is not strict text. */
function identityFromExtensions(extension: (oid: string) => Buffer | undefined): SignerIdentity | undefined {
  const san = extension(OID_SAN);
  const { email, uri } = san ? namesOfSan(san) : { email: undefined, uri: undefined };
  const issuer = issuerOfExtensions(extension(OID_ISSUER_V2), extension(OID_ISSUER_V1));
  const source = extension(OID_SOURCE_REPOSITORY);
  const sourceRepository = source && utf8StringExtension(source, 'source repository');
  const more = sourceRepository === undefined ? {} : { sourceRepository };
  if (email) return { san: email, sanType: 'email', issuer, ...more };
  if (uri) return { san: uri, sanType: 'uri', issuer, ...more };
  return undefined;
}

function explain(error: unknown): { code: 'SIGNATURE_INVALID' | 'TLOG_MISSING'; reason: string } {
  if (!(error instanceof VerificationError) && !(error instanceof FastVerificationError))
    return { code: 'SIGNATURE_INVALID', reason: messageOf(error) };
  const detail = error.message;
  switch (error.code) {
    case 'TLOG_ERROR':
      return /expected \d+ tlog entries, got 0/.test(detail)
        ? { code: 'TLOG_MISSING', reason: 'the bundle has no transparency-log entry' }
        : { code: 'SIGNATURE_INVALID', reason: `the transparency-log entry is not valid (${detail})` };
    case 'TLOG_MISSING_INCLUSION_ERROR':
      return {
        code: 'TLOG_MISSING',
        reason: `the transparency-log entry has no inclusion proof or promise (${detail})`,
      };
    case 'TLOG_INCLUSION_PROOF_ERROR':
    case 'TLOG_INCLUSION_PROMISE_ERROR':
      return { code: 'SIGNATURE_INVALID', reason: `the transparency-log proof does not verify (${detail})` };
    case 'TLOG_BODY_ERROR':
      return {
        code: 'SIGNATURE_INVALID',
        reason: `the transparency-log entry is for a different signature or artifact (${detail})`,
      };
    case 'SIGNATURE_ERROR':
      return { code: 'SIGNATURE_INVALID', reason: 'the signature does not match this archive' };
    case 'CERTIFICATE_ERROR':
      return { code: 'SIGNATURE_INVALID', reason: `the certificate is not trusted (${detail})` };
    case 'TIMESTAMP_ERROR':
      return { code: 'SIGNATURE_INVALID', reason: `no trusted timestamp proves when it was signed (${detail})` };
    default:
      return { code: 'SIGNATURE_INVALID', reason: detail };
  }
}

/** The SAN (with its type) and issuer of the bundle's signing certificate, if it has one and it reads strictly. */
export function certificateIdentity(bundle: Bundle): SignerIdentity | undefined {
  const read = readIdentity(bundle);
  return 'identity' in read ? read.identity : undefined;
}

/** The signing certificate's identity, or why it cannot be read (non-ASCII bytes in a SAN, say). */
function readIdentity(bundle: Bundle): { identity: SignerIdentity | undefined } | { problem: string } {
  const raw = leafBytesOf(bundle);
  if (!raw) return { identity: undefined };
  let cert: X509Certificate;
  try {
    cert = X509Certificate.parse(Buffer.from(raw));
  } catch {
    return { identity: undefined };
  }
  try {
    return { identity: identityFromExtensions((oid) => cert.extension(oid)?.value) };
  } catch (error) {
    return { problem: messageOf(error) };
  }
}

/** The signing certificate's DER, when the bundle has one. */
function leafBytesOf(bundle: Bundle): Uint8Array | undefined {
  const content = bundle.verificationMaterial.content;
  if (content.$case === 'certificate') return content.certificate.rawBytes;
  if (content.$case === 'x509CertificateChain') return content.x509CertificateChain.certificates[0]?.rawBytes;
  return undefined;
}
