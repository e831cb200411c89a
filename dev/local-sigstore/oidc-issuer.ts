import { createHash, generateKeyPairSync } from 'node:crypto';
import type { JsonWebKey } from 'node:crypto';
import { jwk, randomId, signJwt } from './jwt.ts';
import type { JwtKey } from './jwt.ts';
import type { HttpRequest, HttpResponse } from './http.ts';

const CODE_LIFETIME_MS = 60_000;
/** The out-of-band redirect (urn:ietf:wg:oauth:2.0:oob), as the product's own flow sends it. */
const OOB_REDIRECT = 'urn:ietf:wg:oauth:2.0:oob';
const TOKEN_LIFETIME_S = 300;

interface PendingCode {
  clientId: string;
  redirectUri: string;
  challenge: string;
  nonce: string | undefined;
  email: string;
  expires: number;
}

/**
 * A local OpenID Connect issuer for tests and the demo. Its authorize
 * endpoint signs the user in without a human (as the configured or hinted
 * email) and redirects at once; everything after that — PKCE, single-use
 * codes, signed ID tokens, JWKS — behaves like a real issuer.
 */
export class LocalOidcIssuer {
  readonly issuer: string;
  private readonly key: JwtKey;
  private readonly codes = new Map<string, PendingCode>();
  defaultEmail: string;

  constructor(issuer: string, defaultEmail: string) {
    this.issuer = issuer;
    this.defaultEmail = defaultEmail;
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    this.key = { kid: randomId(8), privateKey, publicKey };
  }

  jwks(): JsonWebKey[] {
    return [jwk(this.key)];
  }

  /** An ID token for `email`, as the token endpoint would return it. */
  mint(email = this.defaultEmail, extra: Record<string, unknown> = {}): string {
    const now = Math.floor(Date.now() / 1000);
    return signJwt(this.key, {
      iss: this.issuer,
      sub: createHash('sha256').update(email).digest('hex').slice(0, 24),
      aud: 'sigstore',
      iat: now,
      nbf: now,
      exp: now + TOKEN_LIFETIME_S,
      email,
      email_verified: true,
      ...extra,
    });
  }

  handle(request: HttpRequest, path: string): HttpResponse {
    if (path === '/.well-known/openid-configuration') return json(200, this.discovery());
    if (path === '/jwks') return json(200, { keys: this.jwks() });
    if (path === '/authorize' && request.method === 'GET') return this.authorize(request.url.searchParams);
    if (path === '/token' && request.method === 'POST')
      return this.token(new URLSearchParams(request.body.toString('utf8')));
    return json(404, { error: 'not_found' });
  }

  private discovery() {
    return {
      issuer: this.issuer,
      authorization_endpoint: `${this.issuer}/authorize`,
      token_endpoint: `${this.issuer}/token`,
      jwks_uri: `${this.issuer}/jwks`,
      response_types_supported: ['code'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['ES256'],
      code_challenge_methods_supported: ['S256'],
      scopes_supported: ['openid', 'email'],
    };
  }

  private authorize(params: URLSearchParams): HttpResponse {
    const redirectUri = params.get('redirect_uri') ?? '';
    // Out of band (no browser here): the issuer shows the code for the user to paste, as Dex does.
    if (redirectUri === OOB_REDIRECT) return this.outOfBand(params);
    let redirect: URL;
    try {
      redirect = new URL(redirectUri);
    } catch {
      return text(400, 'invalid redirect_uri');
    }
    if (redirect.protocol !== 'http:' || !['127.0.0.1', 'localhost', '[::1]'].includes(redirect.hostname)) {
      return text(400, 'redirect_uri must be a loopback address for native clients (RFC 8252)');
    }
    const fail = (error: string, description: string): HttpResponse => {
      redirect.searchParams.set('error', error);
      redirect.searchParams.set('error_description', description);
      if (params.get('state')) redirect.searchParams.set('state', params.get('state')!);
      return { status: 302, headers: { location: redirect.toString() }, body: '' };
    };
    if (params.get('response_type') !== 'code')
      return fail('unsupported_response_type', 'only the code flow is supported');
    if (params.get('client_id') !== 'sigstore') return fail('unauthorized_client', 'unknown client_id');
    if (params.get('code_challenge_method') !== 'S256' || !params.get('code_challenge'))
      return fail('invalid_request', 'PKCE with S256 is required');
    const hint = params.get('login_hint');
    const code = randomId(24);
    this.codes.set(code, {
      clientId: 'sigstore',
      redirectUri,
      challenge: params.get('code_challenge')!,
      nonce: params.get('nonce') ?? undefined,
      email: hint && hint.includes('@') ? hint : this.defaultEmail,
      expires: Date.now() + CODE_LIFETIME_MS,
    });
    redirect.searchParams.set('code', code);
    if (params.get('state')) redirect.searchParams.set('state', params.get('state')!);
    return { status: 302, headers: { location: redirect.toString() }, body: '' };
  }

  /** The page an out-of-band sign-in lands on: the code, in an element tests (and people) can read. */
  private outOfBand(params: URLSearchParams): HttpResponse {
    if (params.get('response_type') !== 'code' || params.get('client_id') !== 'sigstore')
      return text(400, 'only the code flow of client "sigstore" is supported');
    if (params.get('code_challenge_method') !== 'S256' || !params.get('code_challenge'))
      return text(400, 'PKCE with S256 is required');
    const hint = params.get('login_hint');
    const code = randomId(24);
    this.codes.set(code, {
      clientId: 'sigstore',
      redirectUri: OOB_REDIRECT,
      challenge: params.get('code_challenge')!,
      nonce: params.get('nonce') ?? undefined,
      email: hint && hint.includes('@') ? hint : this.defaultEmail,
      expires: Date.now() + CODE_LIFETIME_MS,
    });
    return {
      status: 200,
      headers: { 'content-type': 'text/html' },
      body: `<!doctype html><title>Verification code</title><p>Paste this code into the terminal that asked for it:</p><p><code id="code">${code}</code></p>`,
    };
  }

  private token(form: URLSearchParams): HttpResponse {
    const error = (description: string) => json(400, { error: 'invalid_grant', error_description: description });
    if (form.get('grant_type') !== 'authorization_code') return json(400, { error: 'unsupported_grant_type' });
    const code = form.get('code') ?? '';
    const pending = this.codes.get(code);
    this.codes.delete(code); // single use, even when the exchange fails
    if (!pending || pending.expires < Date.now()) return error('unknown or expired code');
    if (form.get('client_id') !== pending.clientId) return error('client_id does not match');
    if (form.get('redirect_uri') !== pending.redirectUri) return error('redirect_uri does not match');
    const verifier = form.get('code_verifier') ?? '';
    if (createHash('sha256').update(verifier).digest('base64url') !== pending.challenge)
      return error('PKCE verification failed');
    const idToken = this.mint(pending.email, pending.nonce ? { nonce: pending.nonce } : {});
    return json(200, {
      access_token: randomId(),
      token_type: 'Bearer',
      expires_in: TOKEN_LIFETIME_S,
      id_token: idToken,
    });
  }
}

function json(status: number, value: unknown): HttpResponse {
  return { status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(value) };
}

function text(status: number, value: string): HttpResponse {
  return { status, headers: { 'content-type': 'text/plain' }, body: value };
}
