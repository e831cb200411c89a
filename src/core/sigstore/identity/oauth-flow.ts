import { createHash, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AamError, messageOf } from '../../errors.ts';
import { claimsOf } from './token.ts';
import { assertSigstoreTransport } from '../endpoints.ts';

export interface OAuthFlowOptions {
  /** The OIDC issuer, e.g. https://oauth2.sigstore.dev/auth. */
  issuer: string;
  clientId?: string;
  /** Opens the authorization URL in the user's browser (vscode.env.openExternal, xdg-open, …). */
  openUrl: (url: string) => Promise<void>;
  loginHint?: string;
  timeoutMs?: number;
  signal?: AbortSignal;
}

const CALLBACK_PATH = '/auth/callback';
const PAGE = (title: string, text: string) =>
  `<!doctype html><meta charset="utf-8"><title>${title}</title><body style="font-family:system-ui;margin:4em"><h1>${title}</h1><p>${text}</p></body>`;

/**
 * OAuth 2.0 authorization code flow with PKCE (RFC 7636) and a loopback
 * redirect on 127.0.0.1 (RFC 8252), returning the ID token. The token is only
 * ever returned: never written, never logged, never put in an error.
 */
export async function signInWithBrowser(options: OAuthFlowOptions): Promise<string> {
  const clientId = options.clientId ?? 'sigstore';
  const discovery = await discover(options.issuer);
  const secrets = signInSecrets();
  const { redirectUri, code, close } = await waitForCallback(
    secrets.state,
    options.timeoutMs ?? 5 * 60_000,
    options.signal,
  );
  try {
    const request = { clientId, redirectUri: await redirectUri, loginHint: options.loginHint, ...secrets };
    await options.openUrl(authorizationUrl(discovery, request));
    return await redeemCode(discovery, await code, request);
  } finally {
    close();
  }
}

/** What binds one sign-in's code and token to it: the PKCE verifier, the state and the nonce. */
export function signInSecrets(): { verifier: string; state: string; nonce: string } {
  return {
    verifier: randomBytes(32).toString('base64url'),
    state: randomBytes(16).toString('base64url'),
    nonce: randomBytes(16).toString('base64url'),
  };
}

interface SignInRequest {
  clientId: string;
  redirectUri: string;
  loginHint?: string | undefined;
  verifier: string;
  state: string;
  nonce: string;
}

/** The authorization URL of a code flow with PKCE (S256). */
export function authorizationUrl(discovery: Discovery, request: SignInRequest): string {
  const url = new URL(discovery.authorization_endpoint);
  const params: Record<string, string> = {
    response_type: 'code',
    client_id: request.clientId,
    redirect_uri: request.redirectUri,
    scope: 'openid email',
    state: request.state,
    nonce: request.nonce,
    code_challenge: createHash('sha256').update(request.verifier).digest('base64url'),
    code_challenge_method: 'S256',
  };
  if (request.loginHint) params.login_hint = request.loginHint;
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  return url.toString();
}

/** The ID token for an authorization code, checked to belong to this sign-in (its nonce). */
export async function redeemCode(discovery: Discovery, code: string, request: SignInRequest): Promise<string> {
  // The issuer's own document names the token endpoint: https there too, or the code and verifier go in clear text.
  assertSigstoreTransport(
    discovery.token_endpoint,
    "The sign-in service's token endpoint",
    'the sign-in code',
    'OIDC_FLOW',
  );
  const token = await exchange(discovery.token_endpoint, {
    grant_type: 'authorization_code',
    code,
    redirect_uri: request.redirectUri,
    code_verifier: request.verifier,
    client_id: request.clientId,
  });
  if (claimsOf(token).nonce !== request.nonce)
    throw new AamError('OIDC_FLOW', 'The issuer returned an ID token for a different sign-in (nonce mismatch).', {
      hint: 'Sign in again.',
    });
  return token;
}

export interface Discovery {
  authorization_endpoint: string;
  token_endpoint: string;
}

export async function discover(issuer: string): Promise<Discovery> {
  assertSigstoreTransport(issuer, 'The sign-in service', 'a sign-in', 'OIDC_FLOW');
  const url = `${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
  let body: Partial<Discovery>;
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(15_000) });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    body = (await response.json()) as Partial<Discovery>;
  } catch (error) {
    throw new AamError('OIDC_FLOW', `Cannot reach the sign-in service ${issuer}: ${messageOf(error)}.`, {
      hint: 'Check your connection and sigstore_oidc_issuer, then try again.',
      cause: error,
    });
  }
  if (!body.authorization_endpoint || !body.token_endpoint)
    throw new AamError('OIDC_FLOW', `${issuer} does not describe an authorization and token endpoint.`);
  return body as Discovery;
}

function waitForCallback(state: string, timeoutMs: number, signal: AbortSignal | undefined) {
  let resolveCode!: (code: string) => void;
  let rejectCode!: (error: Error) => void;
  const code = new Promise<string>((resolve, reject) => {
    resolveCode = resolve;
    rejectCode = reject;
  });
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname !== CALLBACK_PATH) return void res.writeHead(404).end();
    const error = url.searchParams.get('error');
    if (url.searchParams.get('state') !== state) {
      res
        .writeHead(400, { 'content-type': 'text/html' })
        .end(PAGE('Sign-in failed', 'This response does not belong to the sign-in AAM Trust started.'));
      return;
    }
    if (error) {
      res
        .writeHead(400, { 'content-type': 'text/html' })
        .end(PAGE('Sign-in failed', 'You can close this tab and try again.'));
      rejectCode(
        new AamError(
          'OIDC_FLOW',
          `Sign-in was refused: ${error}${url.searchParams.get('error_description') ? ` (${url.searchParams.get('error_description')})` : ''}.`,
        ),
      );
      return;
    }
    const value = url.searchParams.get('code');
    if (!value) return void res.writeHead(400).end();
    res
      .writeHead(200, { 'content-type': 'text/html' })
      .end(PAGE('Signed in', 'AAM Trust has your sign-in. You can close this tab.'));
    resolveCode(value);
  });
  const redirectUri = new Promise<string>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () =>
      resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}${CALLBACK_PATH}`),
    );
  });
  const timer = setTimeout(
    () =>
      rejectCode(
        new AamError('OIDC_FLOW', 'Sign-in timed out: no response from the browser.', {
          hint: 'Run the command again and finish signing in within five minutes.',
        }),
      ),
    timeoutMs,
  );
  const onAbort = () => rejectCode(new AamError('CANCELLED', 'Sign-in was cancelled.'));
  signal?.addEventListener('abort', onAbort, { once: true });
  const close = () => {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
    server.closeAllConnections();
    server.close();
  };
  return { redirectUri, code, close };
}

async function exchange(tokenEndpoint: string, form: Record<string, string>): Promise<string> {
  let response: Response;
  try {
    response = await fetch(tokenEndpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form),
      signal: AbortSignal.timeout(15_000),
    });
  } catch (error) {
    throw new AamError('OIDC_FLOW', `Cannot reach the token endpoint ${tokenEndpoint}: ${messageOf(error)}.`, {
      cause: error,
    });
  }
  const body = (await response.json().catch(() => ({}))) as {
    id_token?: string;
    error?: string;
    error_description?: string;
  };
  if (!response.ok || !body.id_token) {
    throw new AamError(
      'OIDC_FLOW',
      `The sign-in service refused the code exchange${body.error ? `: ${body.error}` : ''}${body.error_description ? ` (${body.error_description})` : ''}.`,
      { hint: 'Sign in again.' },
    );
  }
  return body.id_token;
}
