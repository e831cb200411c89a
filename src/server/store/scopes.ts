import { parsePackageName } from '../../core/model/names.ts';
import type { Queryable } from '../db.ts';
import { ApiFailure } from '../errors.ts';
import { isOperator } from '../tokens.ts';
import type { Caller } from '../tokens.ts';

/** A scope's members: `owner`s manage who is a member; every member may publish new packages in it. */
export interface ScopeMember {
  username: string;
  role: 'owner' | 'member';
}

export async function scopeMembers(db: Queryable, scope: string): Promise<ScopeMember[] | undefined> {
  const exists = await db.query('SELECT 1 FROM scopes WHERE name = $1', [scope]);
  if (exists.rows.length === 0) return undefined;
  const { rows } = await db.query<ScopeMember>(
    `SELECT u.username, m.role FROM scope_members m JOIN users u ON u.id = m.user_id
      WHERE m.scope = $1 ORDER BY m.role DESC, u.username`,
    [scope],
  );
  return rows;
}

const notYours = (scope: string, members: ScopeMember[]) =>
  new ApiFailure(
    403,
    'scope_forbidden',
    `The scope @${scope} belongs to ${members.map((m) => m.username).join(', ') || 'others'}: ask an owner of @${scope} to add you as a member.`,
  );

/**
 * Whether the caller may create a new package under its scope: the scope is
 * unclaimed (the publish will claim it), or the caller is one of its
 * members. The operator's token may publish anywhere. Read-only: for refusing
 * early, before anything is read or checked.
 */
export async function refuseForeignScope(db: Queryable, caller: Caller, name: string): Promise<void> {
  const { scope } = parsePackageName(name);
  if (scope === undefined || isOperator(caller)) return;
  const members = await scopeMembers(db, scope);
  if (members && !members.some((m) => m.username === caller.username)) throw notYours(scope, members);
  if (!members) await refuseOthersName(db, caller, scope);
}

/**
 * Why the caller may not publish in a scope, as the end of "The scope @acme
 * …": it belongs to others (its members), or it is unclaimed but named like
 * another user; undefined when they may (a member, the operator, or a scope
 * anyone may claim). The rule of refuseForeignScope, for a scope a name's
 * folder falls in (see name-policy.ts refuseFolderTwins).
 */
export async function scopeRefusal(db: Queryable, caller: Caller, scope: string): Promise<string | undefined> {
  if (isOperator(caller)) return undefined;
  const members = await scopeMembers(db, scope);
  if (members)
    return members.some((m) => m.username === caller.username)
      ? undefined
      : `belongs to ${members.map((m) => m.username).join(', ') || 'others'}`;
  if (scope === caller.username) return undefined;
  const { rows } = await db.query('SELECT 1 FROM users WHERE username = $1', [scope]);
  return rows.length > 0 ? 'is the name of another user of this registry' : undefined;
}

/** A scope named like a user is that user's to claim: no one else's @alice. */
async function refuseOthersName(db: Queryable, caller: Caller, scope: string): Promise<void> {
  if (scope === caller.username) return;
  const { rows } = await db.query('SELECT 1 FROM users WHERE username = $1', [scope]);
  if (rows.length > 0)
    throw new ApiFailure(
      403,
      'scope_forbidden',
      `The scope @${scope} is the name of another user of this registry: only they can claim it.`,
    );
}

/**
 * In the publish's transaction, before a new package is inserted: its scope
 * is claimed by the caller if no one has it (its first publisher becomes its
 * owner), or the caller must be a member. Two first publishes into one scope
 * meet at its primary key: the second waits, then finds it taken.
 */
export async function claimScope(tx: Queryable, caller: Caller, name: string): Promise<void> {
  const { scope, name: bare } = parsePackageName(name);
  if (scope === undefined) return;
  const existing = await tx.query('SELECT 1 FROM packages WHERE scope = $1 AND name = $2', [scope, bare]);
  if (existing.rows.length > 0) return;
  if (!isOperator(caller) && !(await scopeMembers(tx, scope))) await refuseOthersName(tx, caller, scope);
  const claimed = await tx.query(
    'INSERT INTO scopes (name, created_by) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING RETURNING name',
    [scope, caller.userId],
  );
  if (claimed.rows.length > 0) {
    await tx.query(`INSERT INTO scope_members (scope, user_id, role) VALUES ($1, $2, 'owner')`, [scope, caller.userId]);
    return;
  }
  if (isOperator(caller)) return;
  const member = await tx.query('SELECT 1 FROM scope_members WHERE scope = $1 AND user_id = $2', [
    scope,
    caller.userId,
  ]);
  if (member.rows.length === 0) throw notYours(scope, (await scopeMembers(tx, scope)) ?? []);
}
