import { AamError } from '../../errors.ts';
import { authorizationUrl, discover, redeemCode, signInSecrets } from './oauth-flow.ts';

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
  const discovery = await discover(options.issuer);
  const request = {
    clientId: options.clientId ?? 'sigstore',
    redirectUri: OOB_REDIRECT,
    loginHint: options.loginHint,
    ...signInSecrets(),
  };
  const code = (await options.askCode(authorizationUrl(discovery, request)))?.trim();
  if (!code) throw new AamError('CANCELLED', 'Sign-in was cancelled: no verification code was entered.');
  return redeemCode(discovery, code, request);
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
