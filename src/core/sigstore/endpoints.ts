import { readFile } from 'node:fs/promises';
import { AamError, messageOf } from '../errors.ts';
import { inClearText } from '../model/loopback.ts';

/** Where signing talks to: Fulcio, Rekor and optionally a timestamp authority. */
export interface SigningEndpoints {
  fulcio: string;
  rekor: string;
  /** Rekor API major version (1, or 2 for the tile-based log). */
  rekorApiVersion?: 1 | 2;
  tsa: string | undefined;
}

export const PUBLIC_GOOD_ENDPOINTS: SigningEndpoints = {
  fulcio: 'https://fulcio.sigstore.dev',
  rekor: 'https://rekor.sigstore.dev',
  tsa: undefined,
};
export const PUBLIC_GOOD_OIDC_ISSUER = 'https://oauth2.sigstore.dev/auth';

interface ServiceEntry {
  url?: string;
  majorApiVersion?: number;
  validFor?: { start?: string; end?: string };
}

/**
 * Endpoints from a Sigstore signing config (v0.2): the newest valid service
 * of each kind that speaks an API version this client supports.
 */
export function endpointsFromSigningConfig(config: Record<string, unknown>, now = new Date()): SigningEndpoints {
  const pick = (list: unknown, maxVersion: number): ServiceEntry | undefined => {
    const services = (Array.isArray(list) ? list : []) as ServiceEntry[];
    return services
      .filter((s) => typeof s.url === 'string' && (s.majorApiVersion ?? 1) <= maxVersion)
      .filter((s) => !s.validFor?.end || new Date(s.validFor.end) > now)
      .sort((a, b) => Date.parse(b.validFor?.start ?? '0') - Date.parse(a.validFor?.start ?? '0'))[0];
  };
  const fulcio = pick(config.caUrls, 1)?.url;
  const rekor = pick(config.rekorTlogUrls, 2);
  if (!fulcio || !rekor?.url) {
    throw new AamError('USAGE', 'The signing config names no usable certificate authority or Rekor log.', {
      hint: 'Check caUrls and rekorTlogUrls in the signing config.',
    });
  }
  return {
    fulcio,
    rekor: rekor.url,
    rekorApiVersion: rekor.majorApiVersion === 2 ? 2 : 1,
    tsa: pick(config.tsaUrls, 1)?.url,
  };
}

export async function readSigningConfig(path: string): Promise<SigningEndpoints> {
  try {
    return endpointsFromSigningConfig(JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>);
  } catch (error) {
    if (error instanceof AamError) throw error;
    throw new AamError('USAGE', `Cannot read the signing config ${path}: ${messageOf(error)}.`, { cause: error });
  }
}

/**
 * Endpoints for `sigstore_endpoint`: a base URL where Fulcio and Rekor both
 * live, or the URL of a signing config (ending in .json). Public-good when unset.
 */
export async function resolveEndpoints(
  sigstoreEndpoint: string | undefined,
  fetchJson: (url: string) => Promise<unknown> = defaultFetchJson,
): Promise<SigningEndpoints> {
  if (!sigstoreEndpoint) return PUBLIC_GOOD_ENDPOINTS;
  if (/\.json$/i.test(new URL(sigstoreEndpoint).pathname)) {
    return endpointsFromSigningConfig((await fetchJson(sigstoreEndpoint)) as Record<string, unknown>);
  }
  const base = sigstoreEndpoint.replace(/\/+$/, '');
  return { fulcio: base, rekor: base, tsa: undefined };
}

async function defaultFetchJson(url: string): Promise<unknown> {
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  } catch (error) {
    throw new AamError('SIGSTORE_SERVICE', `Cannot reach the signing config at ${url}: ${messageOf(error)}.`, {
      cause: error,
    });
  }
  if (!response.ok)
    throw new AamError('SIGSTORE_SERVICE', `The signing config at ${url} returned HTTP ${response.status}.`);
  return response.json();
}

/**
 * Refuses to send `what` (the identity token, a sign-in's code) to `url` in clear text: plain http to
 * another host. Whoever reads the identity token on the way can get a certificate in your name while it
 * lives. As for a registry's token, plain http is for an instance on this machine.
 */
export function assertSigstoreTransport(
  url: string,
  service: string,
  what: string,
  code: 'SIGSTORE_SERVICE' | 'OIDC_FLOW' = 'SIGSTORE_SERVICE',
): void {
  if (!inClearText(url)) return;
  throw new AamError(
    code,
    `${service} is at ${url}: plain http to another host, so ${what} is not sent (anyone on the way could read it and sign as you).`,
    {
      hint: 'Use the https:// URL of the Sigstore instance (sigstore_endpoint, --sigstore-endpoint, sigstore_oidc_issuer, --oidc-issuer); plain http is for an instance on this machine (localhost, 127.0.0.1, ::1).',
      expected: 'https://…, or http:// on this machine',
      actual: url,
    },
  );
}
