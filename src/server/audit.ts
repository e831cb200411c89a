import { entryHash, PACKAGE_PREVIOUS } from '../core/registry/audit-log.ts';
import type { AuditEntry, AuditEvent } from '../core/registry/audit-log.ts';
import { appendLeaf, readFrontier, rootOfFrontier, splitFrontier } from './audit-tree.ts';
import { prepared } from './db.ts';
import type { Database, Queryable } from './db.ts';
import { ApiFailure } from './errors.ts';

export interface AuditAppend {
  event: AuditEvent;
  actor: string;
  package: string;
  version?: string | null;
  metadata?: Record<string, unknown>;
}

/**
 * Appends one audit entry in the caller's transaction (the mutation's own):
 * the head row is locked, so entries from any number of instances form one
 * chain, and a mutation that rolls back leaves no entry behind. The lock is
 * held until the transaction ends, so a caller appends as its last step.
 */
export async function appendAudit(tx: Queryable, entry: AuditAppend): Promise<AuditEntry> {
  return (await appendAuditBatch(tx, [entry]))[0]!;
}

/**
 * The log's head, locked until the commit, with its last entry's time (warmed
 * by planning it only: it locks the row).
 */
const LOCK_HEAD = prepared(
  `SELECT h.size, h.head_hash, h.frontier, (SELECT timestamp FROM audit_log WHERE seq = h.size) AS last_at
     FROM audit_head h WHERE h.id = 1 FOR UPDATE OF h`,
  { params: [], explain: true },
);
/** The last entry about each of some packages (warmed with none). */
const LAST_OF_PACKAGES = prepared(
  'SELECT package, MAX(seq) AS seq FROM audit_log WHERE package = ANY($1::text[]) GROUP BY package',
  { params: [[]] },
);
/** Entries, their tree nodes and the new head, in one statement (warmed by planning it only: it writes the head). */
const APPEND_ENTRIES = prepared(
  `WITH entry AS (
       INSERT INTO audit_log (seq, event, actor, package, version, timestamp, metadata, prev_hash, hash)
       SELECT s, e, a, p, v, t, m::jsonb, ph, h
         FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[])
           AS x(s, e, a, p, v, t, m, ph, h)
     ), nodes AS (
       INSERT INTO audit_nodes (level, idx, hash)
       SELECT l, i, decode(h, 'hex') FROM unnest($10::int[], $11::bigint[], $12::text[]) AS t(l, i, h)
     )
     UPDATE audit_head SET size = $13, head_hash = $14, root = $15, frontier = $16 WHERE id = 1`,
  { params: [[], [], [], [], [], [], [], [], [], [], [], [], null, null, null, null], explain: true },
);

/**
 * Appends several entries, in order, under one lock of the head (group
 * commit: a batch of publishes pays for one lock, one read and one write):
 * three statements whatever the count — lock the head, read the last entry
 * about each package, write the entries, their tree nodes and the new head.
 */
export async function appendAuditBatch(tx: Queryable, entries: readonly AuditAppend[]): Promise<AuditEntry[]> {
  const { rows } = await tx.query<{
    size: number;
    head_hash: string;
    frontier: Uint8Array | null;
    last_at: string | null;
  }>(LOCK_HEAD);
  const head = rows[0]!;
  // Each entry names the one before it about the same package, so a client reading one package's
  // entries (each proven in the tree) also sees when one of them was left out.
  const packages = [...new Set(entries.map((e) => e.package))];
  const previous = await tx.query<{ package: string; seq: number | string }>(LAST_OF_PACKAGES, [packages]);
  const last = new Map(previous.rows.map((r) => [r.package, Number(r.seq)]));
  let size = Number(head.size);
  let prevHash = head.head_hash.trim();
  let frontier = splitFrontier(head.frontier) ?? (await readFrontier(tx, size));
  const nodes: [number, number, Buffer][] = [];
  const appended: AuditEntry[] = [];
  // Never before the entry it follows: instances' clocks may disagree, and the log's time is its order, which a
  // time range relies on (timeSpan; diff3-review 3). ISO 8601 in UTC sorts as the times it writes.
  // An entry stamped more than an hour ahead is a clock gone wrong, not a skew: it is not carried forward, or one
  // entry from 2099 would stamp every later one 2099 (diff4-review F12).
  const now = new Date().toISOString();
  const ahead = head.last_at ? Date.parse(head.last_at) - Date.parse(now) : 0;
  const timestamp = head.last_at && ahead > 0 && ahead <= MAX_SKEW_MS ? head.last_at : now;
  for (const entry of entries) {
    const content = {
      seq: size + 1,
      event: entry.event,
      actor: entry.actor,
      package: entry.package,
      version: entry.version ?? null,
      timestamp,
      metadata: { ...entry.metadata, [PACKAGE_PREVIOUS]: last.get(entry.package) ?? 0 },
      prev_hash: prevHash,
    };
    const hash = entryHash(content);
    // The entry is also the next leaf of the Merkle tree (its hash is the leaf's data).
    const tree = appendLeaf(frontier, size, hash);
    nodes.push(...tree.nodes);
    frontier = tree.frontier;
    appended.push({ ...content, hash });
    last.set(entry.package, content.seq);
    prevHash = hash;
    size++;
  }
  // One statement writes the entries, the subtrees they complete and the new head.
  const column = <K extends keyof AuditEntry>(key: K) => appended.map((e) => e[key]);
  await tx.query(APPEND_ENTRIES, [
    column('seq'),
    column('event'),
    column('actor'),
    column('package'),
    column('version'),
    column('timestamp'),
    appended.map((e) => JSON.stringify(e.metadata)),
    column('prev_hash'),
    column('hash'),
    nodes.map((n) => n[0]),
    nodes.map((n) => n[1]),
    nodes.map((n) => n[2].toString('hex')),
    size,
    prevHash,
    rootOfFrontier(frontier),
    Buffer.concat(frontier),
  ]);
  return appended;
}

/** A row of audit_log: an entry, before its number and hashes are normalised (bigint, padded CHAR). */
type AuditRow = AuditEntry;

function toEntry(row: AuditRow): AuditEntry {
  return {
    seq: Number(row.seq),
    event: row.event,
    actor: row.actor,
    package: row.package,
    version: row.version,
    timestamp: row.timestamp,
    metadata: row.metadata,
    prev_hash: row.prev_hash.trim(),
    hash: row.hash.trim(),
  };
}

/** Entries after `from` (by sequence), at most `limit`, optionally of one package. */
export async function auditEntries(
  db: Queryable,
  options: { from?: number; limit?: number; package?: string | undefined; until?: number },
): Promise<AuditEntry[]> {
  const values: unknown[] = [options.from ?? 0, Math.min(Math.max(options.limit ?? 1000, 1), 1001)];
  let filter = options.package ? (values.push(options.package), `AND package = $${values.length}`) : '';
  if (options.until !== undefined) filter += (values.push(options.until), ` AND seq <= $${values.length}`);
  const { rows } = await db.query<AuditRow>(
    `SELECT * FROM audit_log WHERE seq > $1 ${filter} ORDER BY seq LIMIT $2`,
    values,
  );
  return rows.map(toEntry);
}

export async function auditHead(db: Queryable): Promise<{ size: number; head_hash: string }> {
  const { rows } = await db.query<{ size: number; head_hash: string }>(
    'SELECT size, head_hash FROM audit_head WHERE id = 1',
  );
  return { size: Number(rows[0]?.size ?? 0), head_hash: (rows[0]?.head_hash ?? '').trim() };
}

/** How far ahead of an instance's clock the last entry's time may be and still be carried forward. */
const MAX_SKEW_MS = 60 * 60 * 1000;

/** The spec's query counts a filter's matches up to this many, and serves its pages up to there. */
export const AUDIT_COUNT_CAP = 10_000;

/**
 * The spec's query (§3.3.10): filters by package, event, actor and time
 * (ISO 8601, inclusive), a page at a time in log order. Each entry keeps its
 * sequence number and hashes, so whoever reads a page can check it too.
 * Anyone may ask, so no page costs in proportion to the log: the whole log
 * is a range of sequence numbers (1 to `size`) and its total the head's
 * size, and so is a time range (timeSpan); a filter by package, actor or
 * event reads its index in log order (migration 10), counted up to
 * AUDIT_COUNT_CAP matches (`total_capped` beyond, and no pages past it), as
 * a bounded read. Every entry can be read in order with `after` (auditEntries).
 */
export async function queryAudit(
  db: Pick<Database, 'query' | 'boundedQuery'>,
  query: { package?: string; event?: string; actor?: string; from?: string; to?: string; page: number; limit: number },
  size: number,
): Promise<{
  entries: (AuditEntry & { id: string })[];
  total: number;
  total_capped?: true;
  page: number;
  pages: number;
}> {
  const values: unknown[] = [];
  const conditions: string[] = [];
  const add = (sql: string, value: unknown) => {
    values.push(value);
    conditions.push(sql.replace('?', `$${values.length}`));
  };
  if (query.package) add('package = ?', query.package);
  if (query.event) add('event = ?', query.event);
  if (query.actor) add('actor = ?', query.actor);
  const offset = (query.page - 1) * query.limit;
  const paged = (total: number, rows: AuditRow[], capped = false) => ({
    entries: rows.map((row) => ({ id: String(row.seq), ...toEntry(row) })),
    total,
    ...(capped ? { total_capped: true as const } : {}),
    page: query.page,
    pages: Math.max(1, Math.ceil(total / query.limit)),
  });
  const span = await timeSpan(db, query, size);
  if (!span) return paged(0, []);
  if (conditions.length === 0) {
    // Sequence numbers have no gaps, so a page is the next rows from its first (one-sided: no engine
    // then guesses the range small enough to sort whole).
    const start = span.first + offset;
    const { rows } =
      start <= span.last
        ? await db.query<AuditRow>('SELECT * FROM audit_log WHERE seq >= $1 ORDER BY seq LIMIT $2', [
            start,
            Math.min(query.limit, span.last - start + 1),
          ])
        : { rows: [] };
    return paged(span.last - span.first + 1, rows);
  }
  if (query.from) add('seq >= ?', span.first);
  if (query.to) add('seq <= ?', span.last);
  const where = conditions.join(' AND ');
  // A query any client shapes: on PostgreSQL, past the bound it is refused (503), not waited for.
  const bounded = <T>(sql: string, params: unknown[]) =>
    db.boundedQuery<T>(sql, params).catch((error: unknown) => {
      if ((error as { code?: unknown } | null)?.code !== '57014') throw error;
      throw new ApiFailure(503, 'audit_query_timeout', 'The query took too long; filter by package, actor or event.');
    });
  const counted = Number(
    (
      await bounded<{ count: number }>(
        `SELECT COUNT(*)::int AS count FROM (SELECT 1 FROM audit_log WHERE ${where} LIMIT ${AUDIT_COUNT_CAP + 1}) AS c`,
        values,
      )
    ).rows[0]?.count ?? 0,
  );
  const total = Math.min(counted, AUDIT_COUNT_CAP);
  const rows =
    offset < total
      ? (
          await bounded<AuditRow>(
            `SELECT * FROM audit_log WHERE ${where} ORDER BY seq LIMIT $${values.length + 1} OFFSET $${values.length + 2}`,
            [...values, Math.min(query.limit, total - offset), offset],
          )
        ).rows
      : [];
  return paged(total, rows, counted > AUDIT_COUNT_CAP);
}

/**
 * The entries a query's time range holds, as a span of sequence numbers:
 * from the first entry stamped at or after `from` to the last stamped at or
 * before `to` (the whole log, 1 to `size`, without them), or null when no
 * entry is in it. Each end is one step into the (timestamp, seq) index.
 * Entries are stamped in log order, under the head's lock, so the span is
 * the range, and a filter then reads its own index within it: whatever plan
 * an engine without statistics guesses, no time range is a scan of the log
 * (diff2-review 3).
 */
async function timeSpan(
  db: Pick<Database, 'query'>,
  range: { from?: string; to?: string },
  size: number,
): Promise<{ first: number; last: number } | null> {
  const end = async (sql: string, bound: string) => {
    const { rows } = await db.query<{ seq: number | string }>(sql, [bound]);
    return rows[0] ? Number(rows[0].seq) : 0;
  };
  const first = range.from ? await end(FIRST_AT_OR_AFTER, range.from) : 1;
  const last = Math.min(range.to ? await end(LAST_AT_OR_BEFORE, range.to) : size, size);
  return first >= 1 && first <= last ? { first, last } : null;
}

const FIRST_AT_OR_AFTER = 'SELECT seq FROM audit_log WHERE timestamp >= $1 ORDER BY timestamp, seq LIMIT 1';
const LAST_AT_OR_BEFORE = 'SELECT seq FROM audit_log WHERE timestamp <= $1 ORDER BY timestamp DESC, seq DESC LIMIT 1';
