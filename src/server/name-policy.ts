import { parsePackageName } from '../core/model/names.ts';
import { likeness, RESERVED_NAMES } from '../core/model/similar-names.ts';
import type { Likeness } from '../core/model/similar-names.ts';
import { NIL_UUID, prepared } from './db.ts';
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

/** The popular packages and whether each is the caller's (see popularPackages; warmed for a user that does not exist). */
const POPULAR_PACKAGES = prepared(
  `WITH dependents AS (
       SELECT d.dependency_name, COUNT(DISTINCT v.package_id) AS n
         FROM dependencies d JOIN package_versions v ON v.id = d.version_id GROUP BY d.dependency_name),
     candidates AS (
       SELECT p.id, p.scope, p.name, p.downloads_total FROM packages p
        WHERE p.downloads_total >= GREATEST($4::bigint,
                (SELECT q.downloads_total FROM packages q ORDER BY q.downloads_total DESC LIMIT 1 OFFSET $3::int - 1))
       UNION
       SELECT p.id, p.scope, p.name, p.downloads_total FROM dependents dep JOIN packages p
           ON p.scope = CASE WHEN left(dep.dependency_name, 1) = '@'
                             THEN split_part(substr(dep.dependency_name, 2), '/', 1) ELSE '' END
          AND p.name = CASE WHEN left(dep.dependency_name, 1) = '@'
                            THEN split_part(dep.dependency_name, '/', 2) ELSE dep.dependency_name END),
     named AS (
       SELECT c.id, c.scope, c.downloads_total,
              CASE WHEN c.scope = '' THEN c.name ELSE '@' || c.scope || '/' || c.name END AS full_name
         FROM candidates c),
     ranked AS (
       SELECT n.id, n.scope, n.full_name, n.downloads_total + $2 * COALESCE(dep.n, 0) AS score
         FROM named n LEFT JOIN dependents dep ON dep.dependency_name = n.full_name
        ORDER BY score DESC, n.full_name LIMIT $3)
     SELECT r.full_name, r.score,
            (SELECT true FROM package_owners o WHERE o.package_id = r.id AND o.user_id = $1 LIMIT 1) IS NOT NULL
         OR (SELECT true FROM scope_members m WHERE m.scope = r.scope AND m.user_id = $1 LIMIT 1) IS NOT NULL AS own
       FROM ranked r ORDER BY r.score DESC, r.full_name`,
  { params: [NIL_UUID, PER_DEPENDENT, POPULAR_COUNT, POPULAR_MIN_SCORE] },
);

/**
 * The popular packages, most popular first, each with whether it is `userId`'s (theirs, or in one of their scopes).
 *
 * The popular ones are the `POPULAR_COUNT` with the highest score (downloads, plus `PER_DEPENDENT` for each
 * package depending on them), of those scoring at least `POPULAR_MIN_SCORE`. Only two kinds of package can be
 * among them, so only those are read (through indexes), not every package: one among the `POPULAR_COUNT` most
 * downloaded with at least `POPULAR_MIN_SCORE` downloads, or one that others depend on. Any other has no
 * dependents, so its score is its downloads, and the `POPULAR_COUNT` packages downloaded more (or as often,
 * with a name sorting first) each score at least as much and sort before it: it is not among the first
 * `POPULAR_COUNT`. Then the same ranking as over every package, so the same list.
 */
export async function popularPackages(
  db: Queryable,
  userId: string,
): Promise<{ full_name: string; score: number | string; own: boolean }[]> {
  const { rows } = await db.query<{ full_name: string; score: number | string; own: boolean }>(POPULAR_PACKAGES, [
    userId,
    PER_DEPENDENT,
    POPULAR_COUNT,
    POPULAR_MIN_SCORE,
  ]);
  return rows.filter((row) => Number(row.score) >= POPULAR_MIN_SCORE);
}

/** The popular packages `name` could be taken for, most popular first; the caller's own (and their scopes') left out. */
async function likenessesToPopular(db: Queryable, caller: Caller, name: string): Promise<Likeness[]> {
  return (await popularPackages(db, caller.userId))
    .filter((row) => !row.own)
    .map((row) => likeness(name, row.full_name))
    .filter((l): l is Likeness => l !== undefined);
}
