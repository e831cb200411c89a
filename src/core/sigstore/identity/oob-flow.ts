import { createHash, randomBytes } from 'node:crypto';
import { AamError } from '../../errors.ts';
import { discover, exchange } from './oauth-flow.ts';
import { claimsOf } from './token.ts';

/** The redirect of the out-of-band flow: the issuer shows the code, and the user pastes it (RFC 8252 §7 predecessor). */
export const OOB_REDIRECT = 'urn:ietf:wg:oauth:2.0:oob';

export interface OutOfBandOptions {
  issuer: string;
  clientId?: string;
  /** Shows the sign-in URL and reads back the code the user pastes; undefined or empty cancels. */
  askCode: (url: string) => Promise<string | undefined>;
  loginHint?: string;
}

/**
 * Signing in when no browser can open here (an SSH session, a container),
 * as sigstore-python and sigstore-rust do: the authorization URL is shown
 * for a browser anywhere, the issuer shows a code instead of redirecting,
 * and the code comes back through the terminal. PKCE and the nonce bind the
 * code and the token to this sign-in, as in the loopback flow.
 */
export async function signInOutOfBand(options: OutOfBandOptions): Promise<string> {
  const clientId = options.clientId ?? 'sigstore';
  const discovery = await discover(options.issuer);
  const verifier = randomBytes(32).toString('base64url');
  const state = randomBytes(16).toString('base64url');
  const nonce = randomBytes(16).toString('base64url');
  const url = new URL(discovery.authorization_endpoint);
  const params: Record<string, string> = {
    response_type: 'code',
    client_id: clientId,
    redirect_uri: OOB_REDIRECT,
    scope: 'openid email',
    state,
    nonce,
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
  };
  if (options.loginHint) params.login_hint = options.loginHint;
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  const code = (await options.askCode(url.toString()))?.trim();
  if (!code) throw new AamError('CANCELLED', 'Sign-in was cancelled: no verification code was entered.');
  const token = await exchange(discovery.token_endpoint, {
    grant_type: 'authorization_code',
    code,
    redirect_uri: OOB_REDIRECT,
    code_verifier: verifier,
    client_id: clientId,
  });
  if (claimsOf(token).nonce !== nonce)
    throw new AamError('OIDC_FLOW', 'The issuer returned an ID token for a different sign-in (nonce mismatch).', {
      hint: 'Sign in again.',
    });
  return token;
}

/**
 * Whether a browser this process opens can reach the user: not over SSH,
 * and on Linux only with a display. Where it cannot, sign-in goes out of band.
 */
export function browserReachable(env: Record<string, string | undefined>, platform = process.platform): boolean {
  if (env.SSH_CONNECTION || env.SSH_TTY) return false;
  if (platform === 'linux' || platform === 'freebsd' || platform === 'openbsd')
    return !!(env.DISPLAY || env.WAYLAND_DISPLAY || env.BROWSER);
  return true;
}
