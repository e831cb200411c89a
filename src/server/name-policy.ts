import { isValidPackageName, parsePackageName, toFsName } from '../core/model/names.ts';
import type { PackageName } from '../core/model/names.ts';
import { likeness, RESERVED_NAMES } from '../core/model/similar-names.ts';
import type { Likeness } from '../core/model/similar-names.ts';
import { NIL_UUID, prepared } from './db.ts';
import type { Queryable } from './db.ts';
import { ApiFailure } from './errors.ts';
import { refuseForeignScope, scopeRefusal } from './store/scopes.ts';
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
 * published only when `confirmed` names the package it resembles), and a
 * name a client would install in another's folder (refuseFolderTwins). An
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
  await refuseFolderTwins(db, caller, name);
  const likenesses = await likenessesToPopular(db, caller, name);
  const refused = likenesses.find((l) => !l.confirmable) ?? likenesses.find((l) => !confirmed.includes(l.resembles));
  if (refused) throw similarName(name, refused);
}

/**
 * The other names a client installs in `name`'s folder (`.aam/packages/<fs-name>/`): aam stores
 * `@scope/name` as `scope--name`, and names may hold `--` themselves, so `acme--tool` is `@acme/tool`'s
 * folder, and `@acme--x/tool` is `@acme/x--tool`'s. The unscoped name first, then by scope, shortest first.
 */
export function folderTwins(name: string): PackageName[] {
  const folder = toFsName(name);
  const names = [folder];
  for (let at = folder.indexOf('--'); at > 0; at = folder.indexOf('--', at + 1))
    names.push(`@${folder.slice(0, at)}/${folder.slice(at + 2)}`);
  return names.filter((twin) => twin !== name && isValidPackageName(twin)).map(parsePackageName);
}

const label = (twin: PackageName) => (twin.scope === undefined ? twin.name : `@${twin.scope}/${twin.name}`);

/** Of `twins`, those stored, each with whether it is the caller's (they own it, or are a member of its scope). */
const STORED_TWINS = `
  SELECT p.scope, p.name,
         EXISTS (SELECT 1 FROM package_owners o WHERE o.package_id = p.id AND o.user_id = $3)
      OR EXISTS (SELECT 1 FROM scope_members m WHERE m.scope = p.scope AND m.user_id = $3) AS own
    FROM packages p
   WHERE (p.scope, p.name) IN (SELECT s, n FROM unnest($1::text[], $2::text[]) AS u(s, n))
   ORDER BY p.scope, p.name`;

/**
 * On a client, two names with one folder overwrite each other's files, and
 * verification then blames the one overwritten: the folder of `@acme/tool`
 * must not be anyone else's to fill. A new name whose folder begins with
 * `X--`, for a scope X before its own (any, for an unscoped name: `acme--tool`
 * is in @acme's folders), is refused when the caller may not publish in X
 * (its members may; an unclaimed scope anyone may, but another user's name);
 * and a new name whose folder an existing package has is refused unless that
 * package is the caller's (theirs, or in a scope of theirs), as `@acme/tool`
 * after someone else's `acme--tool`.
 */
async function refuseFolderTwins(db: Queryable, caller: Caller, name: string): Promise<void> {
  const twins = folderTwins(name);
  if (twins.length === 0) return;
  const own = parsePackageName(name).scope;
  const folder = toFsName(name);
  // The scopes whose folders hold this one: those that end before its own scope does (any, for an unscoped name).
  for (const twin of twins.filter((t) => t.scope !== undefined && (own === undefined || t.scope.length < own.length))) {
    const why = await scopeRefusal(db, caller, twin.scope!);
    if (why)
      throw new ApiFailure(
        403,
        'scope_forbidden',
        `"${name}" would be installed in the folder clients give ${label(twin)} (.aam/packages/${folder}/: aam stores @scope/name as scope--name), and the scope @${twin.scope} ${why}: only its members may publish a name whose folder begins "${twin.scope}--". Choose another name, or publish in a scope of your own.`,
        { folder, conflicts_with: label(twin) },
      );
  }
  const { rows } = await db.query<{ scope: string; name: string; own: boolean }>(STORED_TWINS, [
    twins.map((t) => t.scope ?? ''),
    twins.map((t) => t.name),
    caller.userId,
  ]);
  const taken = rows.find((row) => !row.own);
  if (taken) {
    const other = label({ scope: taken.scope || undefined, name: taken.name });
    throw new ApiFailure(
      409,
      'folder_taken',
      `"${name}" would be installed in the same folder as "${other}" (.aam/packages/${folder}/: aam stores @scope/name as scope--name), which belongs to others: on a client one would overwrite the other's files. Choose another name.`,
      { folder, conflicts_with: other },
    );
  }
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
