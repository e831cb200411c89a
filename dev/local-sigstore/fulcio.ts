import { createPublicKey, verify } from 'node:crypto';
import type { JsonWebKey } from 'node:crypto';
import type { LocalCA } from './ca.ts';
import { verifyJwt } from './jwt.ts';
import type { HttpRequest, HttpResponse } from './http.ts';

export const GITHUB_ISSUER = 'https://token.actions.githubusercontent.com';
export const GITLAB_ISSUER = 'https://gitlab.com';

interface SigningCertRequest {
  credentials?: { oidcIdentityToken?: string };
  publicKeyRequest?: { publicKey?: { content?: string }; proofOfPossession?: string };
}

/**
 * Fulcio's `POST /api/v2/signingCert`: verifies the ID token (issuer key,
 * audience, expiry) and the proof of possession, derives the SAN the way
 * Fulcio does for email, GitHub Actions and GitLab CI tokens, and issues a
 * short-lived certificate.
 */
export async function handleSigningCert(
  request: HttpRequest,
  ca: LocalCA,
  keysFor: (issuer: string) => JsonWebKey[] | undefined,
): Promise<HttpResponse> {
  let body: SigningCertRequest;
  try {
    body = JSON.parse(request.body.toString('utf8')) as SigningCertRequest;
  } catch {
    return error(400, 'request body is not JSON');
  }
  const token = body.credentials?.oidcIdentityToken ?? '';
  const check = verifyJwt(token, keysFor, 'sigstore');
  if (!check.ok) return error(401, `identity token rejected: ${check.reason}`);
  const claims = check.claims;
  const pem = body.publicKeyRequest?.publicKey?.content;
  const proof = body.publicKeyRequest?.proofOfPossession;
  if (!pem || !proof) return error(400, 'publicKeyRequest with publicKey and proofOfPossession is required');
  const san = subjectOf(claims);
  if (!san)
    return error(400, 'token carries no usable identity (email_verified email, job_workflow_ref or ci_config_ref_uri)');
  const publicKey = createPublicKey(pem);
  const challenge = typeof claims.email === 'string' ? claims.email : String(claims.sub);
  if (!verify('sha256', Buffer.from(challenge), publicKey, Buffer.from(proof, 'base64')))
    return error(400, 'proof of possession does not verify');
  const leaf = await ca.issue({
    publicKey: publicKey.export({ format: 'der', type: 'spki' }),
    san,
    issuer: String(claims.iss),
  });
  const chain = [leaf, ca.intermediateDer, ca.rootDer].map(toPem);
  return {
    status: 201,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ signedCertificateEmbeddedSct: { chain: { certificates: chain } } }),
  };
}

function subjectOf(claims: Record<string, unknown>): { type: 'email' | 'url'; value: string } | undefined {
  if (claims.iss === GITHUB_ISSUER && typeof claims.job_workflow_ref === 'string')
    return { type: 'url', value: `https://github.com/${claims.job_workflow_ref}` };
  if (claims.iss === GITLAB_ISSUER && typeof claims.ci_config_ref_uri === 'string')
    return { type: 'url', value: `https://${claims.ci_config_ref_uri}` };
  if (typeof claims.email === 'string' && claims.email_verified === true) return { type: 'email', value: claims.email };
  if (typeof claims.sub === 'string' && /^https:\/\//.test(claims.sub)) return { type: 'url', value: claims.sub };
  return undefined;
}

function toPem(der: Buffer): string {
  const body = der.toString('base64').replace(/.{1,64}/g, '$&\n');
  return `-----BEGIN CERTIFICATE-----\n${body}-----END CERTIFICATE-----\n`;
}

function error(status: number, message: string): HttpResponse {
  return { status, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code: status, message }) };
}
