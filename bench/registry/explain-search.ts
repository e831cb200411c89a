/**
 * EXPLAIN (ANALYZE, BUFFERS) of search's statements on a seeded database
 * (one kept by AAM_BENCH_DATABASE_URL), for the kinds of query the bench
 * sends: what the planner does and how long each statement takes, alone.
 *
 *   node bench/registry/explain-search.ts postgres://…            the statements of src/server/store/search.ts
 *   node bench/registry/explain-search.ts postgres://… --before   migration 6's (trigram LIKE '%q%'), on a copy
 *                                                                 of its column and indexes made for the purpose
 *
 * Prints the plans, then one line per query: execution and planning times in ms (before: the count's + the page's).
 */
import pg from 'pg';
import { searchStatement } from '../../src/server/store/search.ts';
import type { SearchQuery } from '../../src/server/store/search.ts';
import { fixturePackage, VOCABULARY } from './names.ts';

const url = process.argv[2];
if (!url?.startsWith('postgres://')) throw new Error('usage: explain-search.ts postgres://… [--before]');
const before = process.argv.includes('--before');
const client = new pg.Client({ connectionString: url });
await client.connect();

const named = fixturePackage(4242);
const scoped = [...Array(5000).keys()].map(fixturePackage).find((p) => p.scope)!;
const queries: Record<string, Omit<SearchQuery, 'limit'>> = {
  exact: { q: named.full, page: 1 },
  exact_scoped: { q: scoped.full, page: 1 },
  prefix: { q: named.full.slice(0, Math.ceil(named.full.length / 2)), page: 1 },
  common_word: { q: VOCABULARY[0]!, page: 1 },
  two_common_words: { q: `${VOCABULARY[0]}-${VOCABULARY[1]}`, page: 1 },
  rare_word: { q: VOCABULARY[12_345]!, page: 1 },
  common_and_rare: { q: `${VOCABULARY[2]} ${VOCABULARY[5_000]}`, page: 1 },
  // Words of descriptions, in about a third of the packages each: together in a few thousand.
  combination: { q: 'the with', page: 1 },
  combination_page_40: { q: 'the with', page: 40 },
  // A name word in just over 1,000 packages: the name index is walked for them (or they are sorted).
  just_over_1000: { q: 'types', page: 1 },
  just_over_1000_page_50: { q: 'types', page: 50 },
  // The fixture's types: every package a prompt, 1 in 10 an agent, 1 in 200 a skill.
  list_rare_type: { type: 'skill', page: 1 },
  list_rare_type_page_20: { type: 'skill', page: 20 },
  list_type: { type: 'agent', page: 1 },
  word_rare_type: { q: VOCABULARY[0]!, type: 'skill', page: 1 },
  prefix_rare_type: { q: 'ca', type: 'skill', page: 1 },
};

/** Migration 6's search, as it was: a trigram index over one lowercased text and the keywords. */
async function beforeStatements(q: string): Promise<[string, unknown[]][]> {
  const where = `WHERE p.id IN (SELECT id FROM packages WHERE search_text LIKE $1 UNION SELECT package_id FROM package_keywords WHERE keyword LIKE $1)`;
  const values = [`%${q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`];
  return [
    [`SELECT COUNT(*)::int AS count FROM (SELECT 1 FROM packages p ${where} LIMIT 10001) AS matches`, values],
    [
      `SELECT p.id, (SELECT array_agg(DISTINCT a.artifact_type) FROM artifacts a JOIN package_versions v ON v.id = a.version_id WHERE v.package_id = p.id) AS types,
              (SELECT array_agg(k.keyword ORDER BY k.keyword) FROM package_keywords k WHERE k.package_id = p.id) AS keywords
         FROM packages p ${where} ORDER BY p.scope, p.name LIMIT 20`,
      values,
    ],
  ];
}

if (before) {
  await client.query(
    `ALTER TABLE packages ADD COLUMN IF NOT EXISTS search_text TEXT GENERATED ALWAYS AS (lower((CASE WHEN scope = '' THEN name ELSE '@' || scope || '/' || name END) || ' ' || coalesce(description, '') || ' ' || coalesce(author, ''))) STORED`,
  );
  await client.query(
    'CREATE INDEX IF NOT EXISTS idx_packages_search_trgm ON packages USING gin (search_text gin_trgm_ops)',
  );
  await client.query(
    'CREATE INDEX IF NOT EXISTS idx_keywords_trgm ON package_keywords USING gin (keyword gin_trgm_ops)',
  );
  await client.query('ANALYZE packages, package_keywords');
}

const times: string[] = [];
try {
  for (const [kind, query] of Object.entries(queries)) {
    if (before && (query.type || query.page > 1)) continue;
    const q = query.q ?? '';
    const statements = before ? await beforeStatements(q) : [searchStatement({ ...query, limit: 20 })];
    const ms: number[] = [];
    const planning: number[] = [];
    for (const [sql, values] of statements) {
      // Once to warm the cache (the bench measures a warm server), then explained.
      await client.query(sql, values);
      const { rows } = await client.query(`EXPLAIN (ANALYZE, BUFFERS) ${sql}`, values);
      const plan = rows.map((r: Record<string, string>) => r['QUERY PLAN']).join('\n');
      console.log(`\n### ${kind}: q=${JSON.stringify(q)}\n${plan}`);
      ms.push(Number(/Execution Time: ([\d.]+) ms/.exec(plan)?.[1]));
      planning.push(Number(/Planning Time: ([\d.]+) ms/.exec(plan)?.[1]));
    }
    times.push(
      `${kind.padEnd(22)} ${JSON.stringify(query).padEnd(52)} ${ms.join(' + ')} ms (planning ${planning.join(' + ')} ms)`,
    );
  }
} finally {
  if (before) {
    await client.query('DROP INDEX IF EXISTS idx_packages_search_trgm');
    await client.query('DROP INDEX IF EXISTS idx_keywords_trgm');
    await client.query('ALTER TABLE packages DROP COLUMN IF EXISTS search_text');
  }
  await client.end();
}
console.log(`\n${before ? 'before (migration 6, trigrams)' : 'after (migrations 7–8)'}:\n${times.join('\n')}`);
