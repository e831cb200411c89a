/**
 * Search (spec §3.3.1): the packages whose name, description, author or
 * keywords hold the query's words, best first, a page at a time.
 *
 * Ranked in tiers:
 *   0. the exact name (`hello` is `hello` and `@any/hello`; `@a/b` is itself),
 *   1. a name that starts with the query,
 *   2. every word of the query in the name (or scope) — the last one as a word
 *      or the start of one, as it may be still being typed,
 *   3. every word anywhere (description, author, keywords too).
 * Within a tier, by scope then name (a prefix: by name then scope), in byte
 * order. No tier reads every package that matches: 0 and 1 are ranges of a
 * btree read in the order shown and cut at the page's end; 2 and 3 take at
 * most few + 1 matches from their GIN index (few: 1,000 on the first pages,
 * more on deep ones, see fewFor) — all of them when there are no more than
 * few, then sorted — and when there are more, the words are common enough
 * that walking the name index in order finds a page's worth within about
 * (page's end × packages / few) rows. A type filter is part of every index
 * read (migration 8): a column of the word indexes, a partial btree per type
 * for the walks and listings. The total is counted up to
 * COUNT_CAP matches and flagged `total_capped` beyond (an exact count of a
 * common word would read every match, for a page number no one goes to),
 * from the rows the tiers read anyway; one statement does it all.
 */
import type { Database } from '../db.ts';
import { ApiFailure } from '../errors.ts';
import { iso } from './packages.ts';
import type { PackageRow } from './packages.ts';

/** Search counts its matches exactly up to this many. */
export const COUNT_CAP = 1_000;

/**
 * A listing by page (no query) counts up to this many and serves every page up to it. A client that
 * must see every package lists them after a name instead (listing.ts), which has no cap.
 */
export const LIST_CAP = 10_000;

/** What a search's total is counted up to. */
export const countCap = (query: SearchQuery, listCap = LIST_CAP) => ((query.q ?? '').trim() ? COUNT_CAP : listCap);

/**
 * A word tier with at most this many matches is read whole from its index and sorted; above, the
 * name index is walked in order. Deciding reads up to this many + 1 rows, whichever way it goes;
 * a walk then reads about upTo × packages / matches rows. On the first pages that is a few
 * thousand at worst (matches just above the line), and common words — what is asked most — pay
 * for the line on every ask, so it stays at 1,000. On deep pages a walk for matches just above
 * 1,000 would read most of the table (upTo 1,000: ~100,000 rows for 100,000 packages), so the line
 * moves up with the page's end, to 10,000 for the last page a query serves (either side then reads
 * about 20,000 rows at most, where a walk and a sort cross at √(upTo × packages)).
 */
const FEW = 1_000;
const fewFor = (upTo: number) => Math.min(10 * FEW, Math.max(FEW, 10 * upTo));

export const ARTIFACT_TYPES = ['skill', 'agent', 'prompt', 'instruction'] as const;

/**
 * A package has an artifact of this type: the condition each type's partial index holds (migration
 * 8), written the same way here, as a literal, so the planner can use it.
 */
export function hasType(type: (typeof ARTIFACT_TYPES)[number], alias = 'p.'): string {
  if (!ARTIFACT_TYPES.includes(type)) throw new Error(`not an artifact type: ${String(type)}`);
  return `${alias}artifact_types @> '{${type}}'::text[]`;
}

export interface SearchQuery {
  q?: string;
  type?: (typeof ARTIFACT_TYPES)[number];
  page: number;
  limit: number;
}

/** At most this many words of a query are searched for (a query is at most 100 characters). */
const MAX_WORDS = 8;

/** A query's words as the index holds them: lowercased letters and digits, split at anything else. */
export function queryWords(q: string): string[] {
  return q
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean)
    .slice(0, MAX_WORDS);
}

const likePrefix = (text: string) => `${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** Byte order (collation "C"): what the name indexes hold, so a tier is read in index order. */
const C = (column: string) => `${column} COLLATE "C"`;
const SCOPE = C('p.scope');
const NAME = C('p.name');

const COLUMNS = 'p.id, p.scope, p.name, p.description, p.author, p.latest_version, p.downloads_total, p.updated_at';

type Statement = [sql: string, values: unknown[]];

/** A tier's rows: the package, its tier, and its two sort keys. */
const tier = (n: number, where: string, [k1, k2]: [string, string], upTo: number, from = 'packages p') =>
  `SELECT p.id, ${n} AS tier, ${k1} AS k1, ${k2} AS k2 FROM ${from} WHERE ${where} ORDER BY ${C(k1)}, ${C(k2)} LIMIT ${upTo}`;

/**
 * A search as one statement: a row per package of the page, ranked, each with
 * `total` (capped at its cap + 1); one row with `total` alone when the page
 * is empty.
 */
export function searchStatement(query: SearchQuery, listCap = LIST_CAP): Statement {
  const q = (query.q ?? '').trim().toLowerCase();
  const { page, limit } = query;
  const values: unknown[] = [];
  const param = (value: unknown) => `$${values.push(value)}`;
  // The package's types are in its row, in the word indexes and in a btree per type (migration 8).
  const typed = query.type ? ` AND ${hasType(query.type)}` : '';
  // Every tier reads at most as many rows as the pages up to this one show, and no further than
  // the count's cap (COUNT_CAP for a query, LIST_CAP for a listing): pages past it are empty (the
  // total says the cap, capped), so no request can make the tiers read the whole table. A listing
  // is one index read in order.
  const offset = (page - 1) * limit;
  const cap = countCap(query, listCap);
  const upTo = Math.min(page * limit, cap);
  const shown = offset < cap ? limit : 0;
  const few = fewFor(upTo);
  const byScope: [string, string] = ['p.scope', 'p.name'];
  const capped = (where: string) =>
    `(SELECT COUNT(*) FROM (SELECT 1 FROM packages p WHERE ${where} LIMIT ${cap + 1}) AS c)`;
  let total: string;
  const ctes: string[] = [];
  const tiers: string[] = [];
  if (!q) {
    total = capped(`TRUE${typed}`);
    tiers.push(tier(0, `TRUE${typed}`, byScope, upTo));
  } else {
    const { exact, prefix, byName } = nameConditions(q, param);
    tiers.push(
      tier(0, `${exact}${typed}`, byScope, upTo),
      tier(1, `${prefix} AND NOT (${exact})${typed}`, byName ? ['p.name', 'p.scope'] : byScope, upTo),
    );
    const words = queryWords(q);
    if (words.length > 0) {
      // All the words (AND); the last as a word or the start of one (it may be still being typed),
      // the others as whole words: a prefix is a range of the index's words, each to merge.
      const tsquery = `to_tsquery('simple', ${param(words.map((w, i) => (i === words.length - 1 ? `${w}:*` : w)).join(' & '))})`;
      // ts_match_vq is @@ as a function: the same test, which the planner cannot answer from the GIN
      // index, so a tier with many matches walks the name index in order instead.
      const inName = (indexed: boolean) =>
        indexed ? `p.search_name @@ ${tsquery}` : `ts_match_vq(p.search_name, ${tsquery})`;
      const anywhere = (indexed: boolean) =>
        indexed ? `p.search_words @@ ${tsquery}` : `ts_match_vq(p.search_words, ${tsquery})`;
      const conditions = [
        (indexed: boolean) => `${inName(indexed)} AND NOT (${prefix})${typed}`,
        (indexed: boolean) => `${anywhere(indexed)} AND NOT ${inName(false)} AND NOT (${prefix})${typed}`,
      ];
      conditions.forEach((condition, i) => {
        const m = `m${i + 2}`;
        ctes.push(
          `${m} AS MATERIALIZED (SELECT p.id, p.scope, p.name FROM packages p WHERE ${condition(true)} LIMIT ${few + 1})`,
        );
        tiers.push(
          tier(i + 2, `(SELECT COUNT(*) FROM ${m}) <= ${few}`, byScope, upTo, `${m} p`),
          tier(i + 2, `(SELECT COUNT(*) FROM ${m}) > ${few} AND ${condition(false)}`, byScope, upTo),
        );
      });
      // The tiers' candidates are disjoint, and with the prefix's they are every match: counted from
      // what the tiers read already, not by reading the matches again.
      total = `${capped(`${prefix}${typed}`)} + (SELECT COUNT(*) FROM m2) + (SELECT COUNT(*) FROM m3)`;
    } else total = capped(`${prefix}${typed}`);
  }
  const ranked = tiers.map((t) => `(${t})`).join(' UNION ALL ');
  return [
    `${ctes.length > 0 ? `WITH ${ctes.join(', ')} ` : ''}SELECT LEAST(${total}, ${cap + 1})::int AS total, found.*
       FROM (SELECT 1) AS one LEFT JOIN (
         SELECT ${COLUMNS}, h.tier, h.k1, h.k2,
                p.artifact_types AS types,
                (SELECT array_agg(k.keyword ORDER BY k.keyword) FROM package_keywords k WHERE k.package_id = p.id) AS keywords
           FROM (SELECT id, tier, k1, k2 FROM (${ranked}) AS hits ORDER BY tier, ${C('k1')}, ${C('k2')} LIMIT ${shown} OFFSET ${offset}) AS h
           JOIN packages p ON p.id = h.id
       ) AS found ON TRUE
      ORDER BY found.tier, ${C('found.k1')}, ${C('found.k2')}`,
    values,
  ];
}

type Row = Partial<PackageRow> & { total: number; types: string[] | null; keywords: string[] | null };

/** A package as a search or a listing shows it. */
export function listedPackage(p: PackageRow & { types: string[] | null; keywords: string[] | null }) {
  return {
    name: p.scope ? `@${p.scope}/${p.name}` : p.name,
    scope: p.scope || null,
    description: p.description ?? '',
    author: p.author,
    latest_version: p.latest_version,
    keywords: p.keywords ?? [],
    artifact_types: p.types ?? [],
    downloads: Number(p.downloads_total),
    updated_at: iso(p.updated_at),
  };
}

/**
 * A search, as a bounded read (db.ts): on PostgreSQL no statement runs longer than the bound (2 s).
 * Every tier is bounded by the table's size (at most one walk of an index), but a query made to
 * defeat the answer cache must not hold a connection for long either: past the bound it is
 * refused (503), not waited for.
 */
export async function searchPackages(db: Pick<Database, 'boundedQuery'>, query: SearchQuery, listCap = LIST_CAP) {
  const { page, limit } = query;
  const { rows } = await db.boundedQuery<Row>(...searchStatement(query, listCap)).catch((error: unknown) => {
    if ((error as { code?: unknown } | null)?.code !== '57014') throw error;
    throw new ApiFailure(503, 'search_timeout', 'The search took too long; try more words or a longer name.');
  });
  const counted = Number(rows[0]?.total ?? 0);
  const cap = countCap(query, listCap);
  const total = Math.min(counted, cap);
  return {
    packages: rows.flatMap((p) => (p.id ? [listedPackage(p as PackageRow & typeof p)] : [])),
    total,
    ...(counted > cap ? { total_capped: true } : {}),
    page,
    pages: Math.max(1, Math.ceil(total / limit)),
  };
}

/**
 * The exact-name and name-prefix conditions of a query, both answered by a
 * btree in byte order: `@scope/name…` is within that scope, `@sco…` a scope's
 * prefix (both read by scope then name), anything else a name in any scope or
 * none (read by name then scope: `byName`).
 */
function nameConditions(
  q: string,
  param: (value: unknown) => string,
): { exact: string; prefix: string; byName: boolean } {
  const scoped = /^@([^/]*)(?:\/(.*))?$/.exec(q);
  if (!scoped) return { exact: `${NAME} = ${param(q)}`, prefix: `${NAME} LIKE ${param(likePrefix(q))}`, byName: true };
  const [, scope = '', name] = scoped;
  if (!scope) return { exact: 'FALSE', prefix: 'FALSE', byName: false };
  if (name === undefined)
    return { exact: 'FALSE', prefix: `(p.scope <> '' AND ${SCOPE} LIKE ${param(likePrefix(scope))})`, byName: false };
  const s = param(scope);
  return {
    exact: name ? `(${SCOPE} = ${s} AND ${NAME} = ${param(name)})` : 'FALSE',
    prefix: `(${SCOPE} = ${s} AND ${NAME} LIKE ${param(likePrefix(name))})`,
    byName: false,
  };
}
