/**
 * Search (spec §3.3.1): the packages whose name, description, author or
 * keywords hold the query's words, best first, a page at a time.
 *
 * Ranked in tiers, each read from an index in the order it is shown and cut
 * at the page's end, so no query reads every package that matches:
 *   0. the exact name (`hello` is `hello` and `@any/hello`; `@a/b` is itself),
 *   1. a name that starts with the query,
 *   2. every word of the query in the name (or scope), as a word or its start,
 *   3. every word anywhere (description, author, keywords too).
 * Within a tier, by scope then name, in byte order. The total is counted up to COUNT_CAP
 * matches (what a page count needs; npm's search is no more exact than that)
 * and flagged `total_capped` beyond.
 */
import type { Queryable } from '../db.ts';
import { iso } from './packages.ts';
import type { PackageRow } from './packages.ts';

/** Search counts its matches exactly up to this many. */
export const COUNT_CAP = 10_000;

export const ARTIFACT_TYPES = ['skill', 'agent', 'prompt', 'instruction'] as const;

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
const ORDER = 'p.scope COLLATE "C", p.name COLLATE "C"';
const SCOPE = 'p.scope COLLATE "C"';
const NAME = 'p.name COLLATE "C"';

const COLUMNS = 'p.id, p.scope, p.name, p.description, p.author, p.latest_version, p.downloads_total, p.updated_at';

type Statement = [sql: string, values: unknown[]];

/** The two statements of a search: its count (capped) and its page of ids, ranked. */
export function searchStatements(query: SearchQuery): { count: Statement; page: Statement } {
  const q = (query.q ?? '').trim().toLowerCase();
  const { page, limit } = query;
  const values: unknown[] = [];
  const param = (value: unknown) => `$${values.push(value)}`;
  const typed = query.type
    ? ` AND EXISTS (SELECT 1 FROM artifacts a JOIN package_versions v ON v.id = a.version_id WHERE v.package_id = p.id AND a.artifact_type = ${param(query.type)})`
    : '';
  // Every tier reads at most as many rows as the pages up to this one show.
  const upTo = page * limit;
  let matches: string;
  let ranked: string;
  if (!q) {
    matches = `TRUE${typed}`;
    ranked = `SELECT p.id, 0 AS tier, p.scope, p.name FROM packages p WHERE ${matches} ORDER BY ${ORDER} LIMIT ${upTo}`;
  } else {
    const { exact, prefix } = nameConditions(q, param);
    const words = queryWords(q);
    const tiers = [
      `SELECT p.id, 0 AS tier, p.scope, p.name FROM packages p WHERE ${exact}${typed} ORDER BY ${ORDER} LIMIT ${upTo}`,
      `SELECT p.id, 1, p.scope, p.name FROM packages p WHERE ${prefix} AND NOT (${exact})${typed} ORDER BY ${ORDER} LIMIT ${upTo}`,
    ];
    let anyWords = '';
    if (words.length > 0) {
      // Each word as itself or the start of a word (prefix matching), all of them (AND); weight A is the name's.
      const inName = `p.search_words @@ to_tsquery('simple', ${param(words.map((w) => `${w}:*A`).join(' & '))})`;
      anyWords = `p.search_words @@ to_tsquery('simple', ${param(words.map((w) => `${w}:*`).join(' & '))})`;
      tiers.push(
        `SELECT p.id, 2, p.scope, p.name FROM packages p WHERE ${inName} AND NOT (${prefix})${typed} ORDER BY ${ORDER} LIMIT ${upTo}`,
        `SELECT p.id, 3, p.scope, p.name FROM packages p WHERE ${anyWords} AND NOT (${inName}) AND NOT (${prefix})${typed} ORDER BY ${ORDER} LIMIT ${upTo}`,
      );
    }
    matches = `(${prefix}${anyWords ? ` OR ${anyWords}` : ''})${typed}`;
    ranked = tiers.map((tier) => `(${tier})`).join(' UNION ALL ');
  }
  return {
    // Counted exactly up to COUNT_CAP: beyond it a count costs a read of every match, for a number no one pages through.
    count: onlyUsed(
      `SELECT COUNT(*)::int AS count FROM (SELECT 1 FROM packages p WHERE ${matches} LIMIT ${COUNT_CAP + 1}) AS matches`,
      values,
    ),
    page: [
      `SELECT ${COLUMNS},
              (SELECT array_agg(DISTINCT a.artifact_type) FROM artifacts a JOIN package_versions v ON v.id = a.version_id WHERE v.package_id = p.id) AS types,
              (SELECT array_agg(k.keyword ORDER BY k.keyword) FROM package_keywords k WHERE k.package_id = p.id) AS keywords
         FROM (SELECT id, tier, scope, name FROM (${ranked}) AS hits ORDER BY tier, scope COLLATE "C", name COLLATE "C" LIMIT ${limit} OFFSET ${(page - 1) * limit}) AS h
         JOIN packages p ON p.id = h.id
        ORDER BY h.tier, h.scope COLLATE "C", h.name COLLATE "C"`,
      values,
    ],
  };
}

export async function searchPackages(db: Queryable, query: SearchQuery) {
  const { page, limit } = query;
  const statements = searchStatements(query);
  // Two statements at once: on a server, two connections of the pool (PGlite runs them one after the other).
  const [count, { rows }] = await Promise.all([
    db.query<{ count: number }>(...statements.count),
    db.query<PackageRow & { types: string[] | null; keywords: string[] | null }>(...statements.page),
  ]);
  const counted = Number(count.rows[0]?.count ?? 0);
  const total = Math.min(counted, COUNT_CAP);
  return {
    packages: rows.map((p) => ({
      name: p.scope ? `@${p.scope}/${p.name}` : p.name,
      scope: p.scope || null,
      description: p.description ?? '',
      author: p.author,
      latest_version: p.latest_version,
      keywords: p.keywords ?? [],
      artifact_types: p.types ?? [],
      downloads: Number(p.downloads_total),
      updated_at: iso(p.updated_at),
    })),
    total,
    ...(counted > COUNT_CAP ? { total_capped: true } : {}),
    page,
    pages: Math.max(1, Math.ceil(total / limit)),
  };
}

/** A statement with only the parameters it refers to, renumbered (PostgreSQL cannot type one it never sees). */
function onlyUsed(sql: string, values: unknown[]): [string, unknown[]] {
  const used: unknown[] = [];
  const renumbered = new Map<number, number>();
  const text = sql.replace(/\$(\d+)/g, (_, n: string) => {
    const index = Number(n);
    if (!renumbered.has(index)) renumbered.set(index, used.push(values[index - 1]));
    return `$${renumbered.get(index)}`;
  });
  return [text, used];
}

/**
 * The exact-name and name-prefix conditions of a query, both answered by a
 * btree (text_pattern_ops): `@scope/name…` is within that scope, `@sco…` a
 * scope's prefix, anything else a name in any scope or none.
 */
function nameConditions(q: string, param: (value: unknown) => string): { exact: string; prefix: string } {
  const scoped = /^@([^/]*)(?:\/(.*))?$/.exec(q);
  if (!scoped) return { exact: `${NAME} = ${param(q)}`, prefix: `${NAME} LIKE ${param(likePrefix(q))}` };
  const [, scope = '', name] = scoped;
  if (!scope) return { exact: 'FALSE', prefix: 'FALSE' };
  if (name === undefined)
    return { exact: 'FALSE', prefix: `(p.scope <> '' AND ${SCOPE} LIKE ${param(likePrefix(scope))})` };
  const s = param(scope);
  return {
    exact: name ? `(${SCOPE} = ${s} AND ${NAME} = ${param(name)})` : 'FALSE',
    prefix: `(${SCOPE} = ${s} AND ${NAME} LIKE ${param(likePrefix(name))})`,
  };
}
