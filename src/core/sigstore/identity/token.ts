import { AamError } from '../../errors.ts';

/** The claims of a JWT, unverified: for display and expiry only (Fulcio verifies the token). */
export function claimsOf(token: string): Record<string, unknown> {
  const payload = token.split('.')[1];
  try {
    return JSON.parse(Buffer.from(payload ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
  } catch {
    throw new AamError('IDENTITY_TOKEN', 'The identity token is not a JWT.', { hint: 'Sign in to Sigstore again.' });
  }
}

/** Who a token speaks for, as the seeds print it: "Authenticated as: alice@example.com". */
export function tokenIdentity(token: string): { identity: string; issuer: string; expiresAt: Date | undefined } {
  const claims = claimsOf(token);
  const identity =
    typeof claims.email === 'string'
      ? claims.email
      : typeof claims.job_workflow_ref === 'string'
        ? `https://github.com/${claims.job_workflow_ref}`
        : String(claims.sub ?? 'unknown');
  return {
    identity,
    issuer: String(claims.iss ?? ''),
    expiresAt: typeof claims.exp === 'number' ? new Date(claims.exp * 1000) : undefined,
  };
}

/** Whether a token is still usable for at least `marginMs`. */
export function isFresh(token: string, marginMs = 30_000, now = Date.now()): boolean {
  const { expiresAt } = tokenIdentity(token);
  return expiresAt !== undefined && expiresAt.getTime() - marginMs > now;
}

/**
 * A JWT (or JWE) anywhere in a text: a JOSE header, which is JSON and so starts
 * `eyJ` in base64url, then two or more dot-separated base64url parts.
 */
const JWT_SHAPED = /eyJ[\w-]*(?:\.[\w-]*){2,4}/g;

/**
 * Text with every JWT-shaped string replaced: a library's message may quote
 * the identity token whole, and a message is shown, logged and turned into
 * CI annotations that anyone who can read the run sees.
 */
export function withoutTokens(text: string): string {
  return text.replace(JWT_SHAPED, '[identity token hidden]');
}
