import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../../src/server/db.ts';
import type { Database, Queryable } from '../../src/server/db.ts';
import { migrate, MIGRATIONS } from '../../src/server/schema.ts';
import { searchPackages, searchStatement } from '../../src/server/store/search.ts';
import type { SearchQuery } from '../../src/server/store/search.ts';
import type { TestPostgres } from '../helpers/postgres.ts';
import { ENGINES, packPackage, startTestRegistry } from '../helpers/registry.ts';
import type { TestRegistry } from '../helpers/registry.ts';

interface Found {
  packages: { name: string; description: string; keywords: string[] }[];
  total: number;
  page: number;
  pages: number;
}

/** Search (spec §3.3.1) by words of names, scopes, descriptions and keywords, the exact name first. */
for (const engine of ENGINES) {
  describe(`search on ${engine.name}`, { skip: engine.skip }, () => {
    let postgres: TestPostgres | undefined;
    let registry: TestRegistry;
    const search = async (query: string) =>
      (await (await fetch(`${registry.url}/api/v1/packages?${query}`)).json()) as Found;
    const names = async (q: string) => (await search(`q=${encodeURIComponent(q)}`)).packages.map((p) => p.name);

    before(async () => {
      postgres = await engine.start();
      registry = await startTestRegistry({ postgres });
      const token = await registry.token('alice');
      const publish = async (name: string, description: string, keywords: string[] = []) =>
        registry
          .client(token)
          .publish(
            await packPackage(name, '1.0.0', { description, manifest: `keywords: [${keywords.join(', ')}]\n` }),
            [],
          );
      await publish('review', 'Reads a diff');
      await publish('@acme/review', 'Reads a diff the acme way');
      await publish('reviewer-bot', 'A bot that comments');
      await publish('audit-review', 'Checks audit findings');
      await publish('@acme/audit-review-kit', 'Templates for auditors');
      await publish('@tools/code-review', 'Finds security holes in pull requests', ['compliance', 'sast']);
      await publish('changelog', 'Writes release notes; no review here', ['review-free']);
    });
    after(async () => {
      await registry?.close();
      await postgres?.stop();
    });

    it('ranks the exact name first, then names that start with the query, then names with its words, then the rest', async () => {
      assert.deepEqual(await names('review'), [
        // Exact: unscoped first (scope '' sorts first), then the same name in a scope.
        'review',
        '@acme/review',
        // The name starts with the query.
        'reviewer-bot',
        // The word is in the name.
        'audit-review',
        '@acme/audit-review-kit',
        '@tools/code-review',
        // The word is only in a description or keyword ("review-free" holds the word "review").
        'changelog',
      ]);
      assert.equal((await search('q=review')).total, 7);
    });

    it('finds hyphenated names by the whole name, a prefix of it, or its words in any order', async () => {
      assert.deepEqual(await names('audit-review'), ['audit-review', '@acme/audit-review-kit']);
      assert.deepEqual(await names('audit-rev'), ['audit-review', '@acme/audit-review-kit']);
      assert.deepEqual(await names('review audit'), ['audit-review', '@acme/audit-review-kit']);
      assert.deepEqual(await names('Audit Review'), ['audit-review', '@acme/audit-review-kit']);
      // The last word may be the start of one (still being typed); the others are whole words.
      assert.deepEqual(await names('review aud'), ['audit-review', '@acme/audit-review-kit']);
      assert.deepEqual(await names('rev audit'), []);
      // Names that start with the query by name, then scope.
      assert.deepEqual(await names('revi'), [
        'review',
        '@acme/review',
        'reviewer-bot',
        'audit-review',
        '@acme/audit-review-kit',
        '@tools/code-review',
        'changelog',
      ]);
    });

    it('finds scoped names by their full name, their scope, and a prefix within a scope', async () => {
      // The exact name, then the other names in that scope with its words.
      assert.deepEqual(await names('@acme/review'), ['@acme/review', '@acme/audit-review-kit']);
      assert.deepEqual(await names('@acme/aud'), ['@acme/audit-review-kit']);
      assert.deepEqual(await names('@acme'), ['@acme/audit-review-kit', '@acme/review']);
      assert.deepEqual(await names('@ac'), ['@acme/audit-review-kit', '@acme/review']);
      // The scope is a word of the name too.
      assert.deepEqual(await names('tools review'), ['@tools/code-review']);
    });

    it('finds description words and keywords, all of the words of a query', async () => {
      assert.deepEqual(await names('security holes'), ['@tools/code-review']);
      assert.deepEqual(await names('compliance'), ['@tools/code-review']);
      assert.deepEqual(await names('sast code'), ['@tools/code-review']);
      assert.deepEqual(await names('security audit'), []);
      assert.deepEqual(await names('release notes'), ['changelog']);
    });

    it('searches keywords as they are now, after a version changes them', async () => {
      const token = await registry.token('alice');
      await registry.client(token).publish(
        await packPackage('@tools/code-review', '1.1.0', {
          description: 'Finds security holes in pull requests',
          manifest: 'keywords: [sbom]\n',
        }),
        [],
      );
      assert.deepEqual(await names('compliance'), []);
      assert.deepEqual(await names('sbom'), ['@tools/code-review']);
      const [found] = (await search('q=sbom')).packages;
      assert.deepEqual(found!.keywords, ['sbom']);
    });

    it('pages through the ranked list without repeating or skipping a package', async () => {
      const all = await names('review');
      const paged: string[] = [];
      for (let page = 1; page <= 4; page++) {
        const found = await search(`q=review&limit=2&page=${page}`);
        assert.equal(found.total, 7);
        assert.equal(found.pages, 4);
        paged.push(...found.packages.map((p) => p.name));
      }
      assert.deepEqual(paged, all);
    });

    it('reads punctuation, SQL and operators of full-text queries as text', async () => {
      for (const q of ["' OR 1=1 --", 'zz & yy | !xx', 'qq:*', '(', '\\', '%', '_', '@', '@/', '---'])
        assert.equal((await search(`q=${encodeURIComponent(q)}`)).total, 0, q);
      // No query lists everything, in name order.
      assert.equal((await search('limit=100')).total, 7);
      // A NUL, which no stored text can hold, is a bad request (it was a 500).
      const nul = await fetch(`${registry.url}/api/v1/packages?q=a%00b`);
      assert.equal(nul.status, 400);
    });
  });
}

describe('search past its count cap', () => {
  it('counts up to 1,000 matches of a query, then says so, and serves no page past them; a listing has every page up to 10,000 packages', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'aam-search-cap-'));
    const db = await openDatabase({ dataDir: dir });
    try {
      await migrate(db);
      await db.query(
        `INSERT INTO packages (name, description) SELECT 'pkg-' || lpad(i::text, 4, '0'), 'A common word' FROM generate_series(1, 1100) AS i`,
      );
      const search = (q: string, page: number) => searchPackages(db, { q, page, limit: 20 });
      for (const q of ['common', 'pkg']) {
        const first = await search(q, 1);
        assert.deepEqual([first.total, first.total_capped, first.pages], [1000, true, 50], q);
        assert.equal(first.packages[0]!.name, 'pkg-0001', q);
        const last = await search(q, 50);
        assert.deepEqual(
          last.packages.map((p) => p.name),
          Array.from({ length: 20 }, (_, i) => `pkg-${String(981 + i).padStart(4, '0')}`),
          q,
        );
        const past = await search(q, 51);
        assert.deepEqual([past.packages, past.total, past.total_capped], [[], 1000, true], q);
      }
      // A listing (no query) is what a client pages through to see every package: all of them.
      const listing = await searchPackages(db, { page: 11, limit: 100 });
      assert.deepEqual([listing.total, listing.total_capped, listing.pages], [1100, undefined, 11]);
      assert.deepEqual(listing.packages.map((p) => p.name).slice(-1), ['pkg-1100']);
      // …up to 10,000 packages: past them its pages are empty too, so no request reads the whole table.
      await db.query(
        `INSERT INTO packages (name, description) SELECT 'more-' || lpad(i::text, 5, '0'), 'x' FROM generate_series(1, 8950) AS i`,
      );
      const lastListed = await searchPackages(db, { page: 100, limit: 100 });
      assert.deepEqual([lastListed.total, lastListed.total_capped, lastListed.packages.length], [10000, true, 100]);
      for (const page of [101, 1_000_000])
        assert.deepEqual((await searchPackages(db, { page, limit: 100 })).packages, [], `page ${page}`);
      const few = await search('pkg-00', 1);
      assert.deepEqual([few.total, few.total_capped, few.pages], [99, undefined, 5]);
    } finally {
      await db.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('migration 7 on a registry from before it', () => {
  it('indexes the packages and keywords it already holds', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'aam-search-migration-'));
    const db = await openDatabase({ dataDir: dir });
    try {
      // The schema as migration 6 left it, with a package and its keywords.
      for (const { version, sql } of MIGRATIONS.filter((m) => m.version <= 6)) {
        await db.exec(sql);
        await db.query(
          'CREATE TABLE IF NOT EXISTS schema_migrations (version INT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT NOW())',
        );
        await db.query('INSERT INTO schema_migrations (version) VALUES ($1)', [version]);
      }
      const { rows } = await db.query<{ id: string }>(
        `INSERT INTO packages (scope, name, description) VALUES ('acme', 'lint-rules', 'Rules for linters') RETURNING id`,
      );
      for (const keyword of ['style', 'quality'])
        await db.query('INSERT INTO package_keywords (package_id, keyword) VALUES ($1, $2)', [rows[0]!.id, keyword]);
      assert.equal(await migrate(db), MIGRATIONS.at(-1)!.version);
      const found = async (q: string) =>
        (await searchPackages(db, { q, page: 1, limit: 20 })).packages.map((p) => p.name);
      assert.deepEqual(await found('quality'), ['@acme/lint-rules']);
      assert.deepEqual(await found('rules linters'), ['@acme/lint-rules']);
      assert.deepEqual(await found('@acme/lint'), ['@acme/lint-rules']);
    } finally {
      await db.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

/** Rows as a publish writes them: a package, a version, its artifacts (the triggers do the rest). */
async function addVersion(db: Queryable, name: string, version: string, types: string[], description = 'A tool') {
  const { rows } = await db.query<{ id: string }>(
    `INSERT INTO packages (name, description) VALUES ($1, $2) ON CONFLICT (scope, name) DO UPDATE SET description = EXCLUDED.description RETURNING id`,
    [name, description],
  );
  const { rows: versions } = await db.query<{ id: string }>(
    `INSERT INTO package_versions (package_id, version, checksum_sha256, archive_size, archive_key, manifest_json)
     VALUES ($1, $2, repeat('0', 64), 1, 'k', '{}') RETURNING id`,
    [rows[0]!.id, version],
  );
  // One statement for all of a version's artifacts, as publish-rows.ts does; one per artifact, as publish.ts does.
  if (types.length > 0)
    await db.query(
      `INSERT INTO artifacts (version_id, artifact_type, name) SELECT $1, t, 'a' FROM unnest($2::text[]) AS t`,
      [versions[0]!.id, types],
    );
  return versions[0]!.id;
}

/** Migration 8: a type filter reads the packages of that type, from the package's row. */
for (const engine of ENGINES)
  describe(`search by artifact type on ${engine.name}`, { skip: engine.skip }, () => {
    let postgres: TestPostgres | undefined;
    let db: Database;
    let dir: string;
    before(async () => {
      postgres = await engine.start();
      dir = await mkdtemp(join(tmpdir(), 'aam-search-types-'));
      db = await openDatabase({ url: await postgres?.createDatabase(), dataDir: dir });
      await migrate(db);
    });
    after(async () => {
      await db?.close();
      await postgres?.stop();
      await rm(dir, { recursive: true, force: true });
    });
    const found = async (query: Omit<SearchQuery, 'page' | 'limit'>) =>
      (await searchPackages(db, { ...query, page: 1, limit: 20 })).packages.map((p) => [p.name, p.artifact_types]);

    it('lists and searches by type, as the versions published so far have them', async () => {
      await addVersion(db, 'lint-prompts', '1.0.0', ['prompt']);
      const skills = await addVersion(db, 'lint-skills', '1.0.0', ['skill', 'prompt']);
      await addVersion(db, 'lint-agent', '1.0.0', ['agent']);
      await addVersion(db, 'other-agent', '1.0.0', ['agent'], 'Reads nothing');
      assert.deepEqual(await found({ type: 'skill' }), [['lint-skills', ['prompt', 'skill']]]);
      assert.deepEqual(await found({ type: 'agent' }), [
        ['lint-agent', ['agent']],
        ['other-agent', ['agent']],
      ]);
      assert.deepEqual(await found({ q: 'lint', type: 'agent' }), [['lint-agent', ['agent']]]);
      assert.deepEqual(await found({ q: 'reads', type: 'agent' }), [['other-agent', ['agent']]]);
      assert.deepEqual(await found({ q: 'lint-p', type: 'prompt' }), [['lint-prompts', ['prompt']]]);
      assert.deepEqual(await found({ type: 'instruction' }), []);
      assert.equal((await searchPackages(db, { type: 'agent', page: 1, limit: 20 })).total, 2);

      // A new version with another type adds it; a version deleted takes its types along, unless another
      // version still has them; an artifact deleted on its own too.
      const second = await addVersion(db, 'lint-prompts', '2.0.0', ['skill']);
      assert.deepEqual(await found({ type: 'skill' }), [
        ['lint-prompts', ['prompt', 'skill']],
        ['lint-skills', ['prompt', 'skill']],
      ]);
      await db.query('DELETE FROM package_versions WHERE id = $1', [second]);
      assert.deepEqual(await found({ q: 'lint-prompts' }), [['lint-prompts', ['prompt']]]);
      await db.query(`DELETE FROM artifacts WHERE version_id = $1 AND artifact_type = 'skill'`, [skills]);
      assert.deepEqual(await found({ type: 'skill' }), []);
      assert.deepEqual(await found({ q: 'lint-skills' }), [['lint-skills', ['prompt']]]);
    });

    it('reads only the packages of a rare type, not every package, for a listing and for common words', async () => {
      // 3,000 packages with a common word, 3 of them with a skill: the plan must not walk the 3,000.
      await db.query(
        `INSERT INTO packages (name, description, artifact_types) SELECT 'common-' || lpad(i::text, 4, '0'), 'A common tool', CASE WHEN i % 1000 = 0 THEN '{prompt,skill}'::text[] ELSE '{prompt}'::text[] END FROM generate_series(1, 3000) AS i`,
      );
      await db.query('ANALYZE packages');
      for (const query of [{ type: 'skill' as const }, { q: 'common', type: 'skill' as const }]) {
        const [sql, values] = searchStatement({ ...query, page: 1, limit: 20 });
        const { rows } = await db.query<Record<string, string>>(`EXPLAIN (ANALYZE, FORMAT JSON) ${sql}`, values);
        const plan = JSON.stringify(rows[0]);
        // Rows every node of the plan read, over all its loops: the type's few, not the table.
        const read = [...plan.matchAll(/"Actual Rows":(\d+)[^{}]*?"Actual Loops":(\d+)/g)].reduce(
          (sum, [, r, l]) => sum + Number(r) * Number(l),
          0,
        );
        assert.ok(read < 300, `${JSON.stringify(query)} read ${read} rows`);
        assert.deepEqual(
          (await found(query)).map(([name]) => name),
          ['common-1000', 'common-2000', 'common-3000'],
        );
      }
    });
  });

describe('migration 8 on a registry from before it', () => {
  it('gives the packages it holds their types', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'aam-search-migration-8-'));
    const db = await openDatabase({ dataDir: dir });
    try {
      for (const { version, sql } of MIGRATIONS.filter((m) => m.version <= 7)) {
        await db.exec(sql);
        await db.query(
          'CREATE TABLE IF NOT EXISTS schema_migrations (version INT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT NOW())',
        );
        await db.query('INSERT INTO schema_migrations (version) VALUES ($1)', [version]);
      }
      await addVersion(db, 'old-skill', '1.0.0', ['skill', 'agent']);
      await addVersion(db, 'old-prompt', '1.0.0', ['prompt']);
      assert.equal(await migrate(db), MIGRATIONS.at(-1)!.version);
      const found = async (type: SearchQuery['type']) =>
        (await searchPackages(db, { type, page: 1, limit: 20 })).packages.map((p) => [p.name, p.artifact_types]);
      assert.deepEqual(await found('skill'), [['old-skill', ['agent', 'skill']]]);
      assert.deepEqual(await found('prompt'), [['old-prompt', ['prompt']]]);
    } finally {
      await db.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
