import type { TransparencyLogEntry } from '@sigstore/bundle';

/**
 * A Rekor hashedrekord entry records a signature together with the
 * certificate it was made under. @sigstore/verify compares only the logged
 * signature and digest with the bundle's; sigstore-go also requires the
 * logged certificate to be the bundle's. Without that, an entry that logs
 * this signature under some other key (an ECDSA signature verifies under
 * more than one) passes as its transparency-log proof, and whoever watches
 * the log for the signer's certificate or identity never sees it. Both of
 * our verifiers add this check, after the ones of @sigstore/verify.
 */

const PEM_CERTIFICATE = /^\s*-----BEGIN CERTIFICATE-----([A-Za-z0-9+/=\s]*)-----END CERTIFICATE-----/;

/**
 * Why an entry of `entries` is not a record of the signing certificate
 * `leaf` (DER), or undefined when every hashedrekord 0.0.1 entry logs it.
 * Other kinds are left as @sigstore/verify leaves them. `bodies`: the
 * entries' bodies, when a check before this one has parsed them.
 */
export function loggedCertificateProblem(
  entries: TransparencyLogEntry[],
  leaf: Uint8Array,
  bodies: (LoggedBody | null | undefined)[] = entries.map(parseLoggedBody),
): string | undefined {
  for (const [i, entry] of entries.entries()) {
    if (entry.kindVersion?.kind !== 'hashedrekord' || entry.kindVersion.version !== '0.0.1') continue;
    if (!loggedCertificateOf(bodies[i])?.equals(leaf)) return "logged under another certificate than the bundle's";
  }
  return undefined;
}

/** A hashedrekord body, as far as the checks read it. */
export interface LoggedBody {
  kind?: string;
  apiVersion?: string;
  spec?: {
    signature?: { content?: string; publicKey?: { content?: unknown } };
    data?: { hash?: { value?: string } };
  };
}

/** The entry's canonicalized body parsed; undefined: not JSON (null JSON is null). */
export function parseLoggedBody(entry: TransparencyLogEntry): LoggedBody | null | undefined {
  try {
    return JSON.parse(Buffer.from(entry.canonicalizedBody).toString('utf8')) as LoggedBody | null;
  } catch {
    return undefined;
  }
}

/** The certificate in the entry's body (base64 of PEM; the first block, which is the leaf when a chain is logged). */
function loggedCertificateOf(body: LoggedBody | null | undefined): Buffer | undefined {
  const content = body?.spec?.signature?.publicKey?.content;
  if (typeof content !== 'string') return undefined;
  const pem = PEM_CERTIFICATE.exec(Buffer.from(content, 'base64').toString('utf8'));
  return pem ? Buffer.from(pem[1]!, 'base64') : undefined;
}
