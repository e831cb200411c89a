import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { prepared } from './db.ts';
import type { Queryable } from './db.ts';
import { ApiFailure } from './errors.ts';

/**
 * The spec's §6.2.2 scopes, which a user may give their own tokens: `read`
 * (what anyone may do anyway), `publish`, `yank`, and `admin` — manage the
 * owners of the packages (and scopes) the user owns, nothing more.
 */
export const USER_SCOPES = ['read', 'publish', 'yank', 'admin'] as const;

/**
 * This registry's addition: the operator's own power over the whole registry
 * (any package, reserved names, others' scopes, removing delegations). Only
 * the operator gives it — `aam-trust registry token create --scope operator`,
 * with access to the data folder — never a user through POST /users/tokens.
 */
export const OPERATOR = 'operator';

export const SCOPES = [...USER_SCOPES, OPERATOR] as const;
export type Scope = (typeof SCOPES)[number];

/** Whether a caller acts for the registry's operator (every package, every scope, every name). */
export function isOperator(caller: { scopes: Set<string> }): boolean {
  return caller.scopes.has(OPERATOR);
}

/**
 * `api`: made by its user (or the operator) for the CLI, with scopes and an
 * optional expiry. `session`: what a password login gives, short-lived and
 * read-only — it manages the account (its tokens) but publishes nothing.
 */
export type TokenKind = 'api' | 'session';

export const USERNAME = '^[a-z0-9][a-z0-9_-]{1,63}$';

/** How long a login's session token lasts. */
export const SESSION_MS = 60 * 60 * 1000;

/** A caller the registry knows: a user, through one of their tokens. */
export interface Caller {
  userId: string;
  username: string;
  tokenId: string;
  kind: TokenKind;
  scopes: Set<string>;
  expiresAt: Date | null;
}

/** A token as its user sees it later: everything but the token itself. */
export interface TokenInfo {
  id: string;
  name: string;
  kind: TokenKind;
  scopes: string[];
  created_at: string;
  last_used_at: string | null;
  expires_at: string | null;
}

interface TokenRow {
  id: string;
  name: string;
  kind: TokenKind;
  scopes: string[];
  created_at: Date;
  last_used_at: Date | null;
  expires_at: Date | null;
}

/** `aam_` and 256 random bits (spec §6.2.1); only its SHA-256 is ever stored. */
export function newToken(): { token: string; hash: string } {
  const token = `aam_${randomBytes(32).toString('base64url')}`;
  return { token, hash: tokenHash(token) };
}

export function tokenHash(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/**
 * API tokens one user may hold at once (unrevoked, unexpired): each is a row
 * the registry keeps and lists, and minting them takes no more than a session.
 */
export const MAX_LIVE_API_TOKENS = 100;

/** Issues a token to a user; the token is returned once and never kept. */
export async function issueToken(
  db: Queryable,
  options: { userId: string; kind: TokenKind; scopes: readonly string[]; name: string; expiresAt: Date | null },
): Promise<{ token: string; info: TokenInfo }> {
  return (await issueTokenWithin(db, options, null))!;
}

/** A token that still works, as SQL: not revoked, not expired (`live('t.')` for a table named t). */
const live = (table = '') =>
  `${table}revoked_at IS NULL AND (${table}expires_at IS NULL OR ${table}expires_at > NOW())`;
const LIVE = live();

/**
 * As issueToken, unless the user already holds `limit` live tokens of that
 * kind (null: no limit): then undefined, and nothing is stored. Counted in the statement that
 * inserts, so a burst of requests passes the limit by at most the requests
 * that ran at the same moment.
 */
export async function issueTokenWithin(
  db: Queryable,
  options: { userId: string; kind: TokenKind; scopes: readonly string[]; name: string; expiresAt: Date | null },
  limit: number | null,
): Promise<{ token: string; info: TokenInfo } | undefined> {
  const { token, hash } = newToken();
  const { rows } = await db.query<TokenRow>(
    `INSERT INTO api_tokens (user_id, token_hash, name, scopes, kind, expires_at)
     SELECT $1::uuid, $2::text, $3::text, $4::varchar(16)[], $5::text, $6::timestamptz
      WHERE $7::bigint IS NULL OR (SELECT count(*) FROM api_tokens
              WHERE user_id = $1::uuid AND kind = $5::text AND ${LIVE}) < $7
     RETURNING id, name, kind, scopes, created_at, last_used_at, expires_at`,
    [options.userId, hash, options.name, [...options.scopes], options.kind, options.expiresAt, limit],
  );
  return rows[0] && { token, info: tokenInfo(rows[0]) };
}

/** The operator's way (`registry token create`): creates the user if needed, then an API token for them. */
export async function createToken(
  db: Queryable,
  options: { user: string; scopes: readonly string[]; name?: string | undefined },
): Promise<{ token: string; user: string; scopes: string[] }> {
  const unknown = options.scopes.filter((s) => !(SCOPES as readonly string[]).includes(s));
  if (unknown.length > 0) throw new Error(`Unknown scope ${unknown.join(', ')}: use ${SCOPES.join(', ')}.`);
  if (!new RegExp(USERNAME).test(options.user))
    throw new Error(`"${options.user}" is not a user name: lowercase letters, digits, _ and -, 2 to 64 characters.`);
  const duplicate = options.scopes.find((s, i) => options.scopes.indexOf(s) !== i);
  if (duplicate) throw new Error(`The scope "${duplicate}" was given twice.`);
  if (options.name !== undefined && !/^[\x20-\x7e]{1,64}$/.test(options.name))
    throw new Error('A token name is 1 to 64 printable ASCII characters.');
  await db.query('INSERT INTO users (username) VALUES ($1) ON CONFLICT (username) DO NOTHING', [options.user]);
  const { rows } = await db.query<{ id: string }>('SELECT id FROM users WHERE username = $1', [options.user]);
  const scopes = options.scopes.length > 0 ? [...options.scopes] : ['publish', 'yank'];
  const { token } = await issueToken(db, {
    userId: rows[0]!.id,
    kind: 'api',
    scopes,
    name: options.name ?? 'cli',
    expiresAt: null,
  });
  return { token, user: options.user, scopes };
}

/** A token by its hash (warmed with a hash no token has). */
const TOKEN_LOOKUP = prepared(
  `SELECT t.id, t.user_id, u.username, t.scopes, t.kind, t.token_hash, t.expires_at
       FROM api_tokens t JOIN users u ON u.id = t.user_id
      WHERE t.token_hash = $1 AND ${live('t.')}`,
  { params: [''] },
);

/**
 * Refuses a write whose token was revoked or expired since its request was
 * authenticated: a slow upload started with a leaked token must not land
 * after its owner revoked it (registry2-review F2). The token's row is held
 * until the write commits, so a revocation waits for a write already past
 * this check, and one made first is seen by it.
 */
export async function requireLiveToken(tx: Queryable, caller: Pick<Caller, 'tokenId'>): Promise<void> {
  const { rows } = await tx.query(`SELECT 1 FROM api_tokens WHERE id = $1 AND ${LIVE} FOR SHARE`, [caller.tokenId]);
  if (rows.length === 0)
    throw new ApiFailure(
      401,
      'unauthorized',
      'The token this request was sent with was revoked or expired before it could be stored: nothing was written. Send it again with a token that works.',
    );
}

/** The items whose caller's token still works, the tokens' rows held until the transaction ends (see requireLiveToken). */
export async function withLiveTokens<T>(
  tx: Queryable,
  items: readonly T[],
  callerOf: (item: T) => Pick<Caller, 'tokenId'>,
): Promise<T[]> {
  const { rows } = await tx.query<{ id: string }>(
    `SELECT id FROM api_tokens WHERE id = ANY($1::uuid[]) AND ${LIVE} ORDER BY id FOR SHARE`,
    [[...new Set(items.map((item) => callerOf(item).tokenId))]],
  );
  const live = new Set(rows.map((r) => r.id));
  return items.filter((item) => live.has(callerOf(item).tokenId));
}

/** Who a bearer token speaks for, if it is a live token of this registry (not revoked, not expired). */
export async function authenticate(db: Queryable, header: string | undefined): Promise<Caller | undefined> {
  const match = /^Bearer (aam_[A-Za-z0-9_-]{20,100})$/.exec(header ?? '');
  if (!match) return undefined;
  const hash = tokenHash(match[1]!);
  const { rows } = await db.query<{
    id: string;
    user_id: string;
    username: string;
    scopes: string[];
    kind: TokenKind;
    token_hash: string;
    expires_at: Date | null;
  }>(TOKEN_LOOKUP, [hash]);
  const row = rows[0];
  if (!row || !timingSafeEqual(Buffer.from(row.token_hash), Buffer.from(hash))) return undefined;
  return {
    userId: row.user_id,
    username: row.username,
    tokenId: row.id,
    kind: row.kind,
    scopes: new Set(row.scopes),
    expiresAt: row.expires_at ? new Date(row.expires_at) : null,
  };
}

/** Notes that a token was used, once a request it sent has succeeded (a refused one leaves no trace). */
/** When each token's last use was last written by this instance. */
const marked = new Map<string, number>();

/** Notes a token's use: at most once a minute per token and instance, so a burst of requests is not a burst of writes. */
export async function markUsed(db: Queryable, tokenId: string): Promise<void> {
  const now = Date.now();
  if (now - (marked.get(tokenId) ?? 0) < 60_000) return;
  if (marked.size > 100_000) marked.clear();
  marked.set(tokenId, now);
  await db.query('UPDATE api_tokens SET last_used_at = NOW() WHERE id = $1', [tokenId]).catch(() => undefined);
}

/** A user's tokens that still work (not revoked, not expired), newest first. */
export async function listTokens(db: Queryable, userId: string): Promise<TokenInfo[]> {
  const { rows } = await db.query<TokenRow>(
    `SELECT id, name, kind, scopes, created_at, last_used_at, expires_at FROM api_tokens
      WHERE user_id = $1 AND ${LIVE}
      ORDER BY created_at DESC, id`,
    [userId],
  );
  return rows.map(tokenInfo);
}

/**
 * Revokes one of the user's own tokens: 'missing' when they have no live token with that id, 'wider'
 * when `within` is given (the scopes of the API token asking) and the token is not an API token whose
 * scopes are all among them — a leaked read-only token must not cut its user off from publishing.
 */
export async function revokeToken(
  db: Queryable,
  userId: string,
  id: string,
  within?: ReadonlySet<string>,
): Promise<'revoked' | 'missing' | 'wider'> {
  if (within) {
    const { rows } = await db.query<{ kind: TokenKind; scopes: string[] }>(
      'SELECT kind, scopes FROM api_tokens WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL',
      [id, userId],
    );
    const [target] = rows;
    if (!target) return 'missing';
    if (target.kind !== 'api' || !target.scopes.every((s) => within.has(s))) return 'wider';
  }
  const { rows } = await db.query(
    'UPDATE api_tokens SET revoked_at = NOW() WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL RETURNING id',
    [id, userId],
  );
  return rows.length > 0 ? 'revoked' : 'missing';
}

function tokenInfo(row: TokenRow): TokenInfo {
  const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);
  return {
    id: row.id,
    name: row.name,
    kind: row.kind,
    scopes: row.scopes,
    created_at: new Date(row.created_at).toISOString(),
    last_used_at: iso(row.last_used_at),
    expires_at: iso(row.expires_at),
  };
}
