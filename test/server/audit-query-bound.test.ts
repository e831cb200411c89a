import { after, before, describe, it, mock } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { openDatabase } from '../../src/server/db.ts';
import type { Database } from '../../src/server/db.ts';
import { migrate } from '../../src/server/schema.ts';
import { appendAudit, AUDIT_COUNT_CAP, queryAudit } from '../../src/server/audit.ts';
import { tempDir } from '../helpers/temp.ts';
import { awayFromMinuteEnd, startTestRegistry } from '../helpers/registry.ts';

const SIZE = 30_000;

interface PlanNode {
  'Node Type': string;
  'Actual Rows': number;
  'Actual Loops': number;
  'Rows Removed by Filter'?: number;
  Plans?: PlanNode[];
}

/** The rows the scans of a plan looked at: emitted and filtered out, every loop. */
function rowsRead(node: PlanNode): number {
  const own = node['Node Type'].includes('Scan')
    ? (node['Actual Rows'] + (node['Rows Removed by Filter'] ?? 0)) * node['Actual Loops']
    : 0;
  return own + (node.Plans ?? []).reduce((sum, child) => sum + rowsRead(child), 0);
}

/**
 * The spec's audit-log query is public: no page of it may cost in proportion to the log
 * (amplify-review F1: `?actor=x&page=1000000` counted and skipped through the whole log on every
 * request). Each statement a query runs is measured by what its scans read (EXPLAIN ANALYZE), on a
 * log of 30,000 entries.
 */
/** Every statement queryAudit runs for one query on `db`, and the most rows one statement's scans read. */
function measuring(db: () => Database, size: number) {
  return async (query: Parameters<typeof queryAudit>[1]) => {
    const statements: [string, unknown[]][] = [];
    const recording = {
      query: <T>(sql: string, params: unknown[] = []) => (statements.push([sql, params]), db().query<T>(sql, params)),
      boundedQuery: <T>(sql: string, params: unknown[] = []) => (
        statements.push([sql, params]),
        db().boundedQuery<T>(sql, params)
      ),
    };
    const page = await queryAudit(recording, query, size);
    const reads: number[] = [];
    for (const [sql, params] of statements) {
      const { rows } = await db().query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(
        `EXPLAIN (ANALYZE, FORMAT JSON) ${sql}`,
        params,
      );
      reads.push(rowsRead(rows[0]!['QUERY PLAN'][0].Plan));
    }
    return { page, read: Math.max(...reads) };
  };
}

describe('the audit log query reads its indexes, not the whole log', () => {
  let db: Database;
  const measured = measuring(() => db, SIZE);

  before(async () => {
    db = await openDatabase({ dataDir: join(await tempDir('aam-audit-bound-'), 'db') });
    await migrate(db);
    // Two actors of every three entries are alice's; carol has three entries, at the end.
    await db.query(
      `INSERT INTO audit_log (seq, event, actor, package, version, timestamp, metadata, prev_hash, hash)
       SELECT s, CASE WHEN s % 10 = 0 THEN 'tag.set' ELSE 'package.publish' END,
              CASE WHEN s > ${SIZE - 3} THEN 'carol' WHEN s % 3 = 0 THEN 'bob' ELSE 'alice' END,
              '@acme/p' || (s % 500), '1.0.' || s, '2026-12-01T00:00:00.000Z', '{}', repeat('0', 64), repeat('1', 64)
       FROM generate_series(1, ${SIZE}) AS s`,
    );
    await db.query(`UPDATE audit_head SET size = ${SIZE} WHERE id = 1`);
    await db.query('ANALYZE audit_log');
  });
  after(async () => db?.close());

  it('a deep page of the whole log: a range of sequence numbers, the total the head size', async () => {
    const { page, read } = await measured({ page: 100, limit: 200 });
    assert.equal(page.total, SIZE);
    assert.equal(page.pages, SIZE / 200);
    assert.deepEqual([page.entries[0]!.id, page.entries.at(-1)!.id], ['19801', '20000']);
    assert.ok(read <= 200, `${read} rows read`);
    const past = await measured({ page: 1_000_000, limit: 200 });
    assert.deepEqual(past.page.entries, []);
    assert.ok(past.read <= 1, `${past.read} rows read`);
  });

  it('a filter that matches nothing, or a few entries at the end, reads only them', async () => {
    const nobody = await measured({ actor: 'x', page: 1_000_000, limit: 200 });
    assert.deepEqual([nobody.page.total, nobody.page.entries], [0, []]);
    assert.ok(nobody.read <= 1, `${nobody.read} rows read`);
    const carol = await measured({ actor: 'carol', page: 1, limit: 50 });
    assert.deepEqual(
      carol.page.entries.map((e) => e.id),
      [String(SIZE - 2), String(SIZE - 1), String(SIZE)],
    );
    assert.ok(carol.read <= 6, `${carol.read} rows read`);
    const later = await measured({ from: '2027-01-01T00:00:00.000Z', page: 1, limit: 200 });
    assert.deepEqual([later.page.total, later.page.entries], [0, []]);
    assert.ok(later.read <= 1, `a time range after every entry: ${later.read} rows read`);
  });

  it('a filter that matches most of the log is counted up to the cap, and has no pages past it', async () => {
    const alice = await measured({ actor: 'alice', page: 2, limit: 50 });
    assert.equal(alice.page.total, AUDIT_COUNT_CAP);
    assert.equal(alice.page.total_capped, true);
    assert.equal(alice.page.pages, AUDIT_COUNT_CAP / 50);
    // alice's entries 51–100, in log order: sequence numbers not divisible by 3.
    const ids = alice.page.entries.map((e) => Number(e.id));
    assert.equal(ids.length, 50);
    assert.ok(ids.every((id, i) => id % 3 !== 0 && (i === 0 || id > ids[i - 1]!)));
    assert.equal(ids[0], 76);
    assert.ok(alice.read <= 2 * (AUDIT_COUNT_CAP + 1), `${alice.read} rows read`);
    const beyond = await measured({ actor: 'alice', page: AUDIT_COUNT_CAP / 50 + 1, limit: 50 });
    assert.deepEqual(beyond.page.entries, []);
    const tags = await measured({ event: 'tag.set', package: '@acme/p0', page: 1, limit: 200 });
    assert.equal(tags.page.total, SIZE / 500 / 1);
    assert.ok(tags.page.entries.every((e) => e.event === 'tag.set' && e.package === '@acme/p0'));
  });
});

/**
 * The embedded engine gathers no statistics, so its planner guesses: with an index on the time alone
 * it read the whole log for a range after every entry (diff2-review 3: 87 ms at 300,000 entries).
 * A time range is found as a span of sequence numbers, whatever the planner would guess.
 */
describe('a time range reads no more than it returns, on a log the planner has no statistics of', () => {
  let db: Database;
  const measured = measuring(() => db, SIZE);
  /** Entry s is stamped s seconds into December 2026; entries 1001–1010 are one batch, stamped alike. */
  const at = (s: number) => new Date(Date.UTC(2026, 11, 1) + s * 1000).toISOString();

  before(async () => {
    db = await openDatabase({ dataDir: join(await tempDir('aam-audit-time-'), 'db') });
    await migrate(db);
    await db.query(
      `INSERT INTO audit_log (seq, event, actor, package, version, timestamp, metadata, prev_hash, hash)
       SELECT s, 'package.publish', 'alice', '@acme/p' || (s % 500), '1.0.' || s,
              to_char(timestamp '2026-12-01' + (CASE WHEN s BETWEEN 1001 AND 1010 THEN 1001 ELSE s END) * interval '1 second',
                      'YYYY-MM-DD"T"HH24:MI:SS".000Z"'),
              '{}', repeat('0', 64), repeat('1', 64)
       FROM generate_series(1, ${SIZE}) AS s`,
    );
    await db.query(`UPDATE audit_head SET size = ${SIZE} WHERE id = 1`);
  });
  after(async () => db?.close());

  it('a range after every entry, or before every entry, reads nothing', async () => {
    for (const query of [{ from: at(SIZE + 1) }, { to: at(0) }, { from: at(200), to: at(100) }]) {
      const { page, read } = await measured({ ...query, page: 1, limit: 200 });
      assert.deepEqual([page.total, page.entries], [0, []], JSON.stringify(query));
      assert.ok(read <= 1, `${JSON.stringify(query)}: ${read} rows read`);
    }
  });

  it('a window is its entries, in log order, and reads about them', async () => {
    const { page, read } = await measured({ from: at(20_000), to: at(20_099), page: 2, limit: 40 });
    assert.equal(page.total, 100);
    assert.deepEqual(
      page.entries.map((e) => Number(e.id)),
      Array.from({ length: 40 }, (_, i) => 20_040 + i),
    );
    assert.ok(read <= 2 * 101, `${read} rows read`);
  });

  it('a range that starts inside a batch stamped alike takes the whole batch', async () => {
    const { page } = await measured({ from: at(1001), to: at(1011), page: 1, limit: 50 });
    assert.deepEqual(
      page.entries.map((e) => Number(e.id)),
      Array.from({ length: 11 }, (_, i) => 1001 + i),
    );
  });

  it('a range over most of the log is a range of sequence numbers, and so is it with a package filter', async () => {
    const wide = await measured({ from: at(2), page: 3, limit: 100 });
    assert.deepEqual([wide.page.total, wide.page.total_capped, wide.page.pages], [SIZE - 1, undefined, 300]);
    assert.equal(wide.page.entries[0]!.id, '202');
    assert.ok(wide.read <= 100, `${wide.read} rows read`);
    const one = await measured({ package: '@acme/p7', from: at(25_000), page: 1, limit: 200 });
    assert.equal(one.page.total, 10);
    assert.ok(one.page.entries.every((e) => e.package === '@acme/p7' && Number(e.id) >= 25_000));
    assert.ok(one.read <= 2 * 11, `${one.read} rows read`);
    const early = await measured({ package: '@acme/p7', to: at(5_000), page: 1, limit: 200 });
    assert.equal(early.page.total, 10);
    assert.ok(early.read <= 2 * 11, `${early.read} rows read`);
    const between = await measured({ package: '@acme/p7', from: at(10_000), to: at(15_000), page: 1, limit: 200 });
    assert.deepEqual(between.page.entries.map((e) => Number(e.id)).slice(0, 2), [10_007, 10_507]);
    assert.equal(between.page.total, 10);
    assert.ok(between.read <= 2 * 11, `${between.read} rows read`);
  });
});

/**
 * Instances share one log, each stamping with its own clock: an entry stamped before the one it follows put
 * the log's time out of its order, and a time range (a span of sequence numbers) then dropped entries inside
 * it and took others outside (diff3-review 3). An entry is stamped no earlier than the one before it.
 */
describe("the log's time is its order, whatever the appending instance's clock says", () => {
  it("stamps an entry appended by a clock behind the last entry with the last entry's time", async () => {
    const db = await openDatabase({ dataDir: join(await tempDir('aam-audit-clock-'), 'db') });
    try {
      await migrate(db);
      const append = async (at: string, version: string) => {
        mock.timers.enable({ apis: ['Date'], now: Date.parse(at) });
        try {
          return await db.transaction((tx) =>
            appendAudit(tx, { event: 'package.publish', actor: 'alice', package: '@acme/p', version }),
          );
        } finally {
          mock.timers.reset();
        }
      };
      const ahead = await append('2026-12-01T10:00:03.000Z', '1.0.0'); // an instance 2 s ahead
      const behind = await append('2026-12-01T10:00:01.500Z', '1.0.1');
      const later = await append('2026-12-01T10:00:04.000Z', '1.0.2');
      assert.deepEqual(
        [ahead.timestamp, behind.timestamp, later.timestamp],
        ['2026-12-01T10:00:03.000Z', '2026-12-01T10:00:03.000Z', '2026-12-01T10:00:04.000Z'],
      );
      // A clock gone wrong by years is not carried forward (diff4-review F12).
      const wrong = await append('2099-01-01T00:00:00.000Z', '1.0.3');
      const next = await append('2026-12-01T10:00:05.000Z', '1.0.4');
      assert.deepEqual([wrong.timestamp, next.timestamp], ['2099-01-01T00:00:00.000Z', '2026-12-01T10:00:05.000Z']);
      const range = await queryAudit(
        db,
        { from: '2026-12-01T10:00:02.000Z', to: '2026-12-01T10:00:03.000Z', page: 1, limit: 10 },
        3,
      );
      assert.deepEqual(
        range.entries.map((e) => e.version),
        ['1.0.0', '1.0.1'],
      );
    } finally {
      await db.close();
    }
  });
});

describe('the audit log query is rate limited as a search is; reading the chain is not', () => {
  it('answers 429 past the limit to ?page and filters, and every ?after= read', async () => {
    const registry = await startTestRegistry({ rateLimits: { search: 3 } });
    try {
      await awayFromMinuteEnd();
      const status = async (path: string) => (await fetch(`${registry.url}/api/v1${path}`)).status;
      const chain = [];
      for (let i = 0; i < 6; i++) chain.push(await status(`/audit-log?after=${i}&limit=1000`));
      assert.deepEqual(chain, [200, 200, 200, 200, 200, 200]);
      const queries = [
        await status('/audit-log'),
        await status('/audit-log?actor=x&page=1000000'),
        await status('/packages/@acme/tool/audit-log?event=tag.set'),
        await status('/audit-log?page=2'),
      ];
      assert.deepEqual(queries, [200, 200, 200, 429]);
      assert.equal(await status('/packages/@acme/tool/audit-log?after=0'), 200);
    } finally {
      await registry.close();
    }
  });
});
