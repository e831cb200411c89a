import { parsePackageName } from '../core/model/names.ts';
import { likeness, RESERVED_NAMES } from '../core/model/similar-names.ts';
import type { Likeness } from '../core/model/similar-names.ts';
import type { Queryable } from './db.ts';
import { ApiFailure } from './errors.ts';
import { refuseForeignScope } from './store/scopes.ts';
import { isOperator } from './tokens.ts';
import type { Caller } from './tokens.ts';

/** The packages a new name is compared with: this many of the most popular… */
const POPULAR_COUNT = 1_000;
/** …that have at least this score: downloads, plus this much for each other package depending on them. */
const POPULAR_MIN_SCORE = 100;
const PER_DEPENDENT = 100;

/**
 * What may stand in the way of a new package's name (spec §9.4), checked
 * before its archive is stored or its signature checked: a reserved name or
 * scope, a scope that belongs to others, and a likeness to a popular package
 * (refused outright when only look-alike characters differ; otherwise
 * published only when `confirmed` names the package it resembles). An
 * existing package is its owners' business, and the operator's token passes.
 */
export async function refuseNewName(
  db: Queryable,
  caller: Caller,
  name: string,
  confirmed: readonly string[] = [],
): Promise<void> {
  const { scope, name: bare } = parsePackageName(name);
  const { rows } = await db.query('SELECT 1 FROM packages WHERE scope = $1 AND name = $2', [scope ?? '', bare]);
  if (rows.length > 0 || isOperator(caller)) return;
  const reserved = scope === undefined ? bare : scope;
  if (RESERVED_NAMES.has(reserved))
    throw new ApiFailure(
      403,
      'name_reserved',
      `${scope === undefined ? `The name "${bare}"` : `The scope @${scope}`} is reserved on this registry; choose another.`,
    );
  await refuseForeignScope(db, caller, name);
  const likenesses = await likenessesToPopular(db, caller, name);
  const refused = likenesses.find((l) => !l.confirmable) ?? likenesses.find((l) => !confirmed.includes(l.resembles));
  if (refused) throw similarName(name, refused);
}

function similarName(name: string, found: Likeness): ApiFailure {
  const how = {
    confusable: 'with look-alike characters (0/o, 1/l, rn/m, vv/w)',
    separators: 'but for its separators',
    'other-scope': 'in another scope',
    edit: `within ${found.distance === 1 ? 'one edit' : `${found.distance} edits`}`,
  }[found.how];
  const next = found.confirmable
    ? ` If it is not meant to pass for it, publish again confirming so: --confirm-name ${found.resembles} (the "confirm_name" field).`
    : ' It cannot be published here.';
  return new ApiFailure(409, 'similar_name', `"${name}" is the popular package "${found.resembles}" ${how}.${next}`, {
    resembles: found.resembles,
    how: found.how,
    confirmable: found.confirmable,
  });
}

/** The popular packages `name` could be taken for, most popular first; the caller's own (and their scopes') left out. */
async function likenessesToPopular(db: Queryable, caller: Caller, name: string): Promise<Likeness[]> {
  const { rows } = await db.query<{ full_name: string; score: number; own: boolean }>(
    `WITH dependents AS (
       SELECT d.dependency_name, COUNT(DISTINCT v.package_id) AS n
         FROM dependencies d JOIN package_versions v ON v.id = d.version_id GROUP BY d.dependency_name),
     named AS (
       SELECT p.id, p.scope, p.downloads_total,
              CASE WHEN p.scope = '' THEN p.name ELSE '@' || p.scope || '/' || p.name END AS full_name
         FROM packages p)
     SELECT n.full_name, n.downloads_total + $2 * COALESCE(dep.n, 0) AS score,
            EXISTS (SELECT 1 FROM package_owners o WHERE o.package_id = n.id AND o.user_id = $1)
         OR EXISTS (SELECT 1 FROM scope_members m WHERE m.scope = n.scope AND m.user_id = $1) AS own
       FROM named n LEFT JOIN dependents dep ON dep.dependency_name = n.full_name
      ORDER BY score DESC, n.full_name LIMIT $3`,
    [caller.userId, PER_DEPENDENT, POPULAR_COUNT],
  );
  return rows
    .filter((row) => Number(row.score) >= POPULAR_MIN_SCORE && !row.own)
    .map((row) => likeness(name, row.full_name))
    .filter((l): l is Likeness => l !== undefined);
}
