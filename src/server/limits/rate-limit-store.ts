import type { Queryable } from '../db.ts';

type Callback = (error: Error | null, result?: { current: number; ttl: number }) => void;

/** Expired counters are deleted at most this often, by whichever instance counts next. */
const SWEEP_EVERY_MS = 60_000;

/**
 * A store for @fastify/rate-limit in the registry's own PostgreSQL: one
 * fixed-window counter per key (the kind of route and who asks), counted
 * with one atomic upsert, so every instance serving the database shares the
 * limit. Windows follow the database's clock, not each instance's.
 */
export class DatabaseRateLimitStore {
  private readonly db: Queryable;
  private lastSweep = 0;

  constructor(db: Queryable) {
    this.db = db;
  }

  incr(key: string, callback: Callback, timeWindow: number): void {
    this.count(key, timeWindow).then(
      (result) => callback(null, result),
      (error: Error) => callback(error),
    );
  }

  /** The counter as it is, without counting (for `{ increment: false }`). */
  read(key: string, callback: Callback, timeWindow: number): void {
    this.db
      .query<{ hits: number; ttl: string }>(
        `SELECT hits, window_start + $2 - floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint AS ttl
           FROM rate_limit_counters WHERE key = $1 AND window_start + $2 > floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint`,
        [key, timeWindow],
      )
      .then(
        ({ rows }) => callback(null, { current: rows[0]?.hits ?? 0, ttl: Number(rows[0]?.ttl ?? 0) }),
        (error: Error) => callback(error),
      );
  }

  /** One store for every route: keys carry the kind of route. */
  child(): DatabaseRateLimitStore {
    return this;
  }

  private async count(key: string, window: number): Promise<{ current: number; ttl: number }> {
    const { rows } = await this.db.query<{ hits: number; ttl: string }>(
      `WITH now AS (SELECT floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint AS ms)
       INSERT INTO rate_limit_counters AS c (key, window_start, hits)
       SELECT $1, ms - ms % $2, 1 FROM now
       ON CONFLICT (key) DO UPDATE
         SET hits = CASE WHEN c.window_start = EXCLUDED.window_start THEN c.hits + 1 ELSE 1 END,
             window_start = EXCLUDED.window_start
       RETURNING hits, window_start + $2 - (SELECT ms FROM now) AS ttl`,
      [key, window],
    );
    this.sweep(window);
    return { current: rows[0]!.hits, ttl: Math.max(0, Number(rows[0]!.ttl)) };
  }

  /** Forgets counters whose window has passed, so the table holds about one row per recent caller. */
  private sweep(window: number): void {
    const now = Date.now();
    if (now - this.lastSweep < SWEEP_EVERY_MS) return;
    this.lastSweep = now;
    void this.db
      .query(
        'DELETE FROM rate_limit_counters WHERE window_start < floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint - $1',
        [2 * Math.max(window, SWEEP_EVERY_MS)],
      )
      .catch(() => undefined);
  }
}
