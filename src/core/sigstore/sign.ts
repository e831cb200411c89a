import { createHash } from 'node:crypto';
import { bundleToJSON, toMessageSignatureBundle } from '@sigstore/bundle';
import type { SerializedBundle } from '@sigstore/bundle';
import { pem, RFC3161Timestamp } from '@sigstore/core';
import { DSSEBundleBuilder, FulcioSigner, RekorWitness, TSAWitness } from '@sigstore/sign';
import type { IdentityProvider, Witness } from '@sigstore/sign';
import { AamError, messageOf } from '../errors.ts';
import { assertSigstoreTransport } from './endpoints.ts';
import type { SigningEndpoints } from './endpoints.ts';
import { withoutTokens } from './identity/token.ts';

export interface RetryPolicy {
  retries: number;
  factor: number;
  minTimeout: number;
  maxTimeout: number;
}

/** Bounded retries with exponential backoff for 5xx, 408, 429 and network errors. */
export const DEFAULT_RETRY: RetryPolicy = { retries: 3, factor: 2, minTimeout: 250, maxTimeout: 2_000 };
export const DEFAULT_TIMEOUT_MS = 15_000;

export interface SigstoreSignOptions {
  endpoints: SigningEndpoints;
  identityProvider: IdentityProvider;
  retry?: RetryPolicy;
  timeoutMs?: number;
}

export interface SigstoreSignature {
  bundle: SerializedBundle;
  /** The bundle as it is stored: `<ver>.aam.sigstore.json`. */
  bytes: Buffer;
}

/**
 * Signs an artifact keyless: ID token → Fulcio certificate for an ephemeral
 * key → signature → Rekor entry (and RFC 3161 timestamp when a TSA is
 * configured) → a v0.3 message-signature bundle.
 */
export async function signWithSigstore(artifact: Buffer, options: SigstoreSignOptions): Promise<SigstoreSignature> {
  assertSigstoreTransport(options.endpoints.fulcio, 'Fulcio', 'your identity token');
  const fetchOptions = { retry: options.retry ?? DEFAULT_RETRY, timeout: options.timeoutMs ?? DEFAULT_TIMEOUT_MS };
  const signer = new FulcioSigner({
    fulcioBaseURL: options.endpoints.fulcio,
    identityProvider: options.identityProvider,
    ...fetchOptions,
  });
  const signature = await step('Fulcio', options.endpoints.fulcio, () => signer.sign(artifact));
  if (signature.key.$case !== 'x509Certificate')
    throw new AamError('SIGSTORE_SERVICE', 'Fulcio returned no certificate.');
  const certificate = signature.key.certificate;
  const bundle = toMessageSignatureBundle({
    digest: createHash('sha256').update(artifact).digest(),
    signature: signature.signature,
    certificate: pem.toDER(certificate),
    certificateChain: false,
  });
  const witnesses = witnessesFor(options.endpoints, fetchOptions);
  const materials = await Promise.all(
    witnesses.map(([name, url, witness]) => step(name, url, () => witness.testify(bundle.content, certificate))),
  );
  bundle.verificationMaterial.tlogEntries = materials.flatMap((m) => m.tlogEntries ?? []);
  bundle.verificationMaterial.timestampVerificationData = {
    rfc3161Timestamps: materials.flatMap((m) => m.rfc3161Timestamps ?? []),
  };
  const json = bundleToJSON(bundle);
  return { bundle: json, bytes: Buffer.from(`${JSON.stringify(json, null, 2)}\n`) };
}

/** A DSSE bundle over an in-toto statement (conformance `sign-bundle --in-toto`). */
export async function signDsseWithSigstore(
  payload: Buffer,
  payloadType: string,
  options: SigstoreSignOptions,
): Promise<SigstoreSignature> {
  assertSigstoreTransport(options.endpoints.fulcio, 'Fulcio', 'your identity token');
  const fetchOptions = { retry: options.retry ?? DEFAULT_RETRY, timeout: options.timeoutMs ?? DEFAULT_TIMEOUT_MS };
  const signer = new FulcioSigner({
    fulcioBaseURL: options.endpoints.fulcio,
    identityProvider: options.identityProvider,
    ...fetchOptions,
  });
  const builder = new DSSEBundleBuilder({
    signer,
    witnesses: witnessesFor(options.endpoints, fetchOptions).map(([, , w]) => w),
    certificateChain: false,
  });
  const bundle = await step('Sigstore', options.endpoints.fulcio, () =>
    builder.create({ data: payload, type: payloadType }),
  );
  const json = bundleToJSON(bundle);
  return { bundle: json, bytes: Buffer.from(`${JSON.stringify(json, null, 2)}\n`) };
}

function witnessesFor(
  endpoints: SigningEndpoints,
  fetchOptions: { retry: RetryPolicy; timeout: number },
): [string, string, Witness][] {
  const rekor = new RekorWitness({
    rekorBaseURL: endpoints.rekor,
    majorApiVersion: endpoints.rekorApiVersion ?? 1,
    fetchOnConflict: false,
    ...fetchOptions,
  });
  const witnesses: [string, string, Witness][] = [['Rekor', endpoints.rekor, rekor]];
  if (endpoints.tsa)
    witnesses.push([
      'the timestamp authority',
      endpoints.tsa,
      checkedTimestamps(new TSAWitness({ tsaBaseURL: endpoints.tsa, ...fetchOptions })),
    ]);
  return witnesses;
}

/**
 * A TSA answer is taken as opaque bytes by the library; one that is not an
 * RFC 3161 timestamp is the service's failure, reported as such, not a
 * bundle that later fails to verify.
 */
function checkedTimestamps(tsa: Witness): Witness {
  return {
    async testify(content, publicKey) {
      const material = await tsa.testify(content, publicKey);
      for (const timestamp of material.rfc3161Timestamps ?? []) {
        try {
          RFC3161Timestamp.parse(Buffer.from(timestamp.signedTimestamp));
        } catch (error) {
          throw new Error(`the response is not an RFC 3161 timestamp (${messageOf(error)})`);
        }
      }
      return material;
    },
  };
}

/** Runs one service call, turning library errors into one that names the service and what to do. */
async function step<T>(service: string, url: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof AamError) throw error;
    const code = (error as { code?: string }).code ?? '';
    if (code.startsWith('IDENTITY_TOKEN')) throw identityTokenError(error);
    const detail = describeCause(error);
    if (/\(401\)|\(403\)/.test(detail)) {
      throw new AamError('IDENTITY_TOKEN', `${service} at ${url} rejected the identity token: ${detail}.`, {
        hint: 'Nothing was published. Sign in to Sigstore again; if it persists, check sigstore_oidc_issuer.',
        cause: error,
      });
    }
    throw new AamError('SIGSTORE_SERVICE', `${service} at ${url} failed: ${detail}.`, {
      hint: 'Nothing was published. Check that the service is reachable (sigstore_endpoint) and try again.',
      cause: error,
    });
  }
}

/**
 * Why no usable identity token was had. @sigstore/sign quotes the whole token
 * when it cannot read its subject (`invalid identity token: eyJ…`): that case
 * is said in fixed words from the claim at fault, and the library's error,
 * which holds the token, is not kept as the cause.
 */
export function identityTokenError(error: unknown): AamError {
  const code = (error as { code?: string }).code;
  if (code === 'IDENTITY_TOKEN_PARSE_ERROR') {
    const why = messageOf((error as { cause?: unknown }).cause);
    const problem = /email not verified/i.test(why)
      ? 'has an email claim that its issuer has not verified (email_verified is not true)'
      : /subject not found/i.test(why)
        ? 'names no subject (it has neither an email nor a sub claim)'
        : 'is not a readable JWT';
    return new AamError('IDENTITY_TOKEN', `The identity token ${problem}, so Fulcio cannot certify it.`, {
      hint: 'Use a token from an OIDC issuer that Fulcio accepts (SIGSTORE_ID_TOKEN, --identity-token), or sign in to Sigstore again.',
    });
  }
  const hint = error instanceof Error && error.cause instanceof AamError ? error.cause.hint : undefined;
  return new AamError(
    'IDENTITY_TOKEN',
    `Could not get an identity token: ${describeCause(error).replace(/\.$/, '')}.`,
    {
      hint: hint ?? 'Sign in to Sigstore again.',
      cause: error,
    },
  );
}

/** The messages of an error and its causes, with any identity token in them hidden. */
function describeCause(error: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = error; e; e = (e as { cause?: unknown }).cause) {
    const message = withoutTokens(messageOf(e));
    if (message && !parts.some((p) => p.includes(message))) parts.push(message);
    if (parts.length > 3) break;
  }
  return parts.join(': ') || 'unknown error';
}
