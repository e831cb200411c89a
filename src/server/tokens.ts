import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Queryable } from './db.ts';

export const SCOPES = ['publish', 'yank', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];

/** A caller the registry knows: a user, through one of their tokens. */
export interface Caller {
  userId: string;
  username: string;
  scopes: Set<string>;
}

/** `aam_` and 256 random bits (spec §6.2.1); only its SHA-256 is ever stored. */
export function newToken(): { token: string; hash: string } {
  const token = `aam_${randomBytes(32).toString('base64url')}`;
  return { token, hash: tokenHash(token) };
}

export function tokenHash(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** Creates the user if needed and a token for them; the token is returned once and not kept. */
export async function createToken(
  db: Queryable,
  options: { user: string; scopes: readonly string[]; name?: string },
): Promise<{ token: string; user: string; scopes: string[] }> {
  const unknown = options.scopes.filter((s) => !(SCOPES as readonly string[]).includes(s));
  if (unknown.length > 0) throw new Error(`Unknown scope ${unknown.join(', ')}: use ${SCOPES.join(', ')}.`);
  if (!/^[a-z0-9][a-z0-9_-]{1,63}$/.test(options.user))
    throw new Error(`"${options.user}" is not a user name: lowercase letters, digits, _ and -, 2 to 64 characters.`);
  await db.query('INSERT INTO users (username) VALUES ($1) ON CONFLICT (username) DO NOTHING', [options.user]);
  const { rows } = await db.query<{ id: string }>('SELECT id FROM users WHERE username = $1', [options.user]);
  const { token, hash } = newToken();
  const scopes = [...new Set(options.scopes.length > 0 ? options.scopes : ['publish', 'yank'])];
  await db.query('INSERT INTO api_tokens (user_id, token_hash, name, scopes) VALUES ($1, $2, $3, $4)', [
    rows[0]!.id,
    hash,
    options.name ?? 'cli',
    scopes,
  ]);
  return { token, user: options.user, scopes };
}

/** Who a bearer token speaks for, if it is a live token of this registry. */
export async function authenticate(db: Queryable, header: string | undefined): Promise<Caller | undefined> {
  const match = /^Bearer\s+(aam_[A-Za-z0-9_-]{20,100})\s*$/.exec(header ?? '');
  if (!match) return undefined;
  const hash = tokenHash(match[1]!);
  const { rows } = await db.query<{
    id: string;
    user_id: string;
    username: string;
    scopes: string[];
    token_hash: string;
  }>(
    `SELECT t.id, t.user_id, u.username, t.scopes, t.token_hash
       FROM api_tokens t JOIN users u ON u.id = t.user_id
      WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > NOW())`,
    [hash],
  );
  const row = rows[0];
  if (!row || !timingSafeEqual(Buffer.from(row.token_hash), Buffer.from(hash))) return undefined;
  await db.query('UPDATE api_tokens SET last_used_at = NOW() WHERE id = $1', [row.id]).catch(() => undefined);
  return { userId: row.user_id, username: row.username, scopes: new Set(row.scopes) };
}
