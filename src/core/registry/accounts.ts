import { AamError } from '../errors.ts';
import type { HttpRegistry } from './http-registry.ts';

/**
 * An account on an HTTP registry (spec §3.2, §6): registering, logging in,
 * and the user's own API tokens. What the CLI's login, logout, whoami and
 * token commands and VS Code's registry sign-in share.
 */

/** A token as its user sees it after it was made: never the token itself. */
export interface AccountToken {
  id: string;
  name: string;
  kind: 'api' | 'session';
  scopes: string[];
  created_at: string;
  last_used_at: string | null;
  expires_at: string | null;
}

export interface Account {
  username: string;
  email: string | null;
  created_at: string;
  /** The token the request was made with. */
  token: AccountToken;
}

export const TOKEN_SCOPES = ['read', 'publish', 'yank', 'admin'] as const;

/**
 * A token a registry hands out is kept in credentials.yaml, which the AAM CLI
 * reads as YAML 1.1, and sent in an Authorization header: printable ASCII,
 * no spaces, as every token AAM registries make is. Anything else (a U+2028
 * that PyYAML reads as a line break, to plant another registry's token) is
 * refused before it is kept.
 */
function checkedToken(registry: HttpRegistry, token: unknown, answer: string): string {
  if (typeof token !== 'string')
    throw new AamError('REGISTRY_ERROR', `Registry "${registry.name}" answered ${answer} without a token.`);
  if (!/^[\x21-\x7e]+$/.test(token))
    throw new AamError(
      'REGISTRY_ERROR',
      `Registry "${registry.name}" answered ${answer} with a token that is not printable ASCII without spaces; it was not kept.`,
      { hint: "Tell the registry's operator: AAM tokens are printable ASCII." },
    );
  return token;
}

export async function registerAccount(
  registry: HttpRegistry,
  account: { username: string; email: string; password: string },
): Promise<void> {
  await registry.call('POST', '/users/register', { body: account });
}

/** A session token (an hour) for `username`, if the password is theirs. */
export async function logIn(
  registry: HttpRegistry,
  username: string,
  password: string,
): Promise<{ token: string; expires_at: string }> {
  const body = (await registry.call('POST', '/users/login', { body: { username, password } })) as {
    token?: unknown;
    expires_at?: unknown;
  };
  return { token: checkedToken(registry, body?.token, 'a login'), expires_at: String(body?.expires_at ?? '') };
}

export async function whoAmI(registry: HttpRegistry, token: string): Promise<Account> {
  return (await registry.call('GET', '/users/me', { token })) as Account;
}

/** Makes an API token with a session token; the token is in the answer once. */
export async function createApiToken(
  registry: HttpRegistry,
  session: string,
  options: { name: string; scopes: readonly string[]; expiresAt?: Date | undefined },
): Promise<AccountToken & { token: string }> {
  const made = (await registry.call('POST', '/users/tokens', {
    token: session,
    body: {
      name: options.name,
      scopes: options.scopes,
      ...(options.expiresAt ? { expires_at: options.expiresAt.toISOString() } : {}),
    },
  })) as AccountToken & { token: string };
  checkedToken(registry, made?.token, 'a new API token');
  return made;
}

export async function listApiTokens(registry: HttpRegistry, token: string): Promise<AccountToken[]> {
  const body = (await registry.call('GET', '/users/tokens', { token })) as { tokens?: AccountToken[] };
  return Array.isArray(body?.tokens) ? body.tokens : [];
}

export async function revokeApiToken(registry: HttpRegistry, token: string, id: string): Promise<void> {
  await registry.call('DELETE', `/users/tokens/${encodeURIComponent(id)}`, { token });
}

/**
 * Logs in and trades the session for a named API token with `scopes`
 * (publish and yank unless said), then ends the session: what is kept is
 * one token its user can list and revoke, never the password.
 */
export async function signIn(
  registry: HttpRegistry,
  options: {
    username: string;
    password: string;
    tokenName: string;
    scopes?: readonly string[] | undefined;
    expiresAt?: Date | undefined;
  },
): Promise<AccountToken & { token: string; username: string }> {
  const session = await logIn(registry, options.username, options.password);
  try {
    const made = await createApiToken(registry, session.token, {
      name: options.tokenName,
      scopes: options.scopes && options.scopes.length > 0 ? options.scopes : ['publish', 'yank'],
      expiresAt: options.expiresAt,
    });
    return { ...made, username: options.username };
  } finally {
    const me = await whoAmI(registry, session.token).catch(() => undefined);
    if (me) await revokeApiToken(registry, session.token, me.token.id).catch(() => undefined);
  }
}
