import { mkdir } from 'node:fs/promises';

/** Statement texts kept prepared, each under its own name (see `prepared`). */
const preparedNames = new Map<string, string>();

/**
 * Marks a statement a hot path sends again and again (a publish's): on
 * PostgreSQL each connection then parses it once and sends only its name and
 * parameters after that (PostgreSQL may also keep its plan), which cuts the
 * server's work per publish by about a quarter. Only for a constant text (each
 * text is one prepared statement per connection, kept) that names its
 * columns (a `*` could change its result's type under a migration). The
 * embedded engine runs it as any query.
 */
export function prepared(sql: string, warm?: Warm): string {
  if (warm) warmed(sql, warm);
  if (preparedNames.has(sql)) return sql;
  if (/(?:^|[\s,.])\*\s*(?:,|\bFROM\b|$)/im.test(sql))
    throw new Error(`a prepared statement names its columns: ${sql}`);
  preparedNames.set(sql, `aam_${preparedNames.size + 1}`);
  return sql;
}

/**
 * How a statement is warmed on a new connection (see `Database.warm`): run with
 * `params` that match and write nothing (a prepared one is then parsed and kept
 * by name), or, for one that would lock or write a row whatever its
 * parameters, only planned (`explain`: EXPLAIN with these parameters).
 */
export interface Warm {
  params: unknown[];
  explain?: boolean;
}

/** A user, package or version id no row has: a parameter that matches nothing (warming). */
export const NIL_UUID = '00000000-0000-0000-0000-000000000000';

/** What `Database.warm` runs on each connection, in order: the publish path's statements. */
const warmStatements = new Map<string, Warm>();

/** Marks `sql` (held in a module constant, so it is known at start) as warmed `warm`'s way; returns it. */
export function warmed(sql: string, warm: Warm): string {
  warmStatements.set(sql, warm);
  return sql;
}

/** The statements marked so far (those of every module imported), for `Database.warm`. */
export function warmList(): [string, Warm][] {
  return [...warmStatements];
}

/**
 * The query node-postgres is given: by name when the text was marked
 * `prepared` and `named` (see openPostgres).
 */
function pgQuery(
  sql: string,
  params: unknown[] | undefined,
  named: boolean,
): { text: string; values?: unknown[]; name?: string } {
  const name = params && named ? preparedNames.get(sql) : undefined;
  return name ? { text: sql, values: params!, name } : { text: sql, ...(params ? { values: params } : {}) };
}

/** What the handlers need of PostgreSQL: parameterized queries, and transactions. */
export interface Queryable {
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<{ rows: T[] }>;
}

export interface Database extends Queryable {
  /** Runs `fn` in one transaction (BEGIN … COMMIT, ROLLBACK on a throw). */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /** A script of several statements (migrations). */
  exec(sql: string): Promise<void>;
  close(): Promise<void>;
  /**
   * Calls `onNotify` with each NOTIFY on `channel` once its transaction commits (from any
   * instance); `onLost` when notifications may have been missed (the connection dropped).
   * Resolves to a function that stops listening.
   */
  listen(channel: string, onNotify: (payload: string) => void, onLost: () => void): Promise<() => Promise<void>>;
  /** 'pglite' (embedded, one process) or 'postgres' (a server, any number of instances). */
  readonly engine: 'pglite' | 'postgres';
  /**
   * A read the database stops after `boundedMs` (search: a query anyone may send). PostgreSQL: a
   * small pool of its own whose sessions have that statement_timeout, so it is one round trip and
   * no more than that many such reads run at once; an error with code 57014 when stopped. The
   * embedded engine runs it as any query (it has no statement timeout).
   */
  boundedQuery<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<{ rows: T[] }>;
  /**
   * Opens every connection of the pool now and runs `statements` on each, in a
   * transaction rolled back — refused (an error) if one of them wrote anything
   * (a transaction id assigned) — so the first requests do not pay for a new
   * server process's caches (tables, indexes, plans, trigger functions) nor for
   * the connection itself. The connections are then kept open. Resolves to how
   * many connections were warmed; the embedded engine has nothing to warm (0).
   */
  warm(statements?: [string, Warm][]): Promise<number>;
}

/** How long a bounded read may run, by default. */
export const BOUNDED_MS = 2_000;
/** How many bounded reads one instance runs at once on PostgreSQL (two cores are busy with fewer). */
const BOUNDED_CONNECTIONS = 4;
/** The pool of an instance on PostgreSQL: this many connections at most, and as many kept open once warmed. */
const POOL_CONNECTIONS = 10;

/**
 * PostgreSQL's settings for the embedded engine, where they differ from its
 * defaults (measured in bench/memory.ts). shared_buffers is memory the WASM
 * instance touches at start and keeps: its 128 MB default was most of an idle
 * registry's resident memory, and it duplicates what the operating system
 * caches of the same files anyway (PGlite reads and writes real files).
 */
const PGLITE_SETTINGS = ['shared_buffers=16MB'];

/**
 * Opens the registry's database: a PostgreSQL server when `url` is given
 * (postgres://…), otherwise PGlite — PostgreSQL compiled to WebAssembly,
 * in-process, its files in `dataDir`. Both speak the same SQL; the drivers
 * are loaded only here, so the rest of the CLI never needs them.
 */
export async function openDatabase(options: {
  url?: string | undefined;
  dataDir: string;
  boundedMs?: number;
}): Promise<Database> {
  if (options.url) return openPostgres(options.url, options.boundedMs ?? BOUNDED_MS);
  await mkdir(options.dataDir, { recursive: true });
  const { PGlite } = await import('@electric-sql/pglite');
  // pg_trgm indexes search; PGlite ships it as an extension loaded at start.
  const { pg_trgm } = await import('@electric-sql/pglite/contrib/pg_trgm');
  const db = await PGlite.create(options.dataDir, {
    extensions: { pg_trgm },
    startParams: [...PGlite.defaultStartParams, ...PGLITE_SETTINGS.flatMap((setting) => ['-c', setting])],
  });
  // PGlite runs one query at a time; a transaction holds it, so nothing interleaves with one.
  const query = async <T>(sql: string, params?: unknown[]) => ({ rows: (await db.query<T>(sql, params)).rows });
  return {
    engine: 'pglite',
    query,
    boundedQuery: query,
    warm: async () => 0,
    transaction: <T>(fn: (tx: Queryable) => Promise<T>) =>
      db.transaction(async (tx) =>
        fn({ query: async <R>(sql: string, params?: unknown[]) => ({ rows: (await tx.query<R>(sql, params)).rows }) }),
      ),
    exec: async (sql) => {
      await db.exec(sql);
    },
    // One process, one connection: nothing is ever missed, so `onLost` is never called.
    listen: async (channel, onNotify) => {
      const stop = await db.listen(channel, onNotify);
      return () => stop();
    },
    close: () => db.close(),
  };
}

async function openPostgres(url: string, boundedMs: number): Promise<Database> {
  const pg = (await import('pg')).default;
  // BIGINT (downloads, sizes) as numbers: a registry's counts stay far below 2^53.
  pg.types.setTypeParser(20, (value: string) => Number(value));
  // `min`: the connections `warm` opened stay open when idle (others close after 10 s idle, as before).
  const pool = new pg.Pool({ connectionString: url, max: POOL_CONNECTIONS, min: POOL_CONNECTIONS });
  pool.on('error', () => undefined);
  const bounded = new pg.Pool({ connectionString: url, max: BOUNDED_CONNECTIONS, statement_timeout: boundedMs });
  bounded.on('error', () => undefined);
  // Named statements are off with AAM_REGISTRY_PREPARED_STATEMENTS=off: for a pooler in transaction mode
  // that does not carry them (PgBouncer before 1.21, or without max_prepared_statements), where a name
  // prepared on one server connection is unknown on the next.
  const named = process.env.AAM_REGISTRY_PREPARED_STATEMENTS !== 'off';
  const query = async <T>(sql: string, params?: unknown[]) => {
    try {
      return { rows: (await pool.query(pgQuery(sql, params, named))).rows as T[] };
    } catch (error) {
      // A prepared statement whose result changed type under it (a migration by another instance) fails
      // before it runs, once on each connection that had planned it; asked once more, it is planned anew.
      if ((error as { code?: string }).code !== '0A000' || !preparedNames.has(sql)) throw error;
      return { rows: (await pool.query(pgQuery(sql, params, named))).rows as T[] };
    }
  };
  return {
    engine: 'postgres',
    query,
    boundedQuery: async <T>(sql: string, params?: unknown[]) => ({
      rows: (await bounded.query(sql, params as unknown[])).rows as T[],
    }),
    transaction: async <T>(fn: (tx: Queryable) => Promise<T>) => {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const result = await fn({
          query: async <R>(sql: string, params?: unknown[]) => ({
            rows: (await client.query(pgQuery(sql, params, named))).rows as R[],
          }),
        });
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    },
    exec: async (sql) => {
      await pool.query(sql);
    },
    warm: async (statements = warmList()) => {
      // All at once (each connection is a server process of its own), each in a transaction rolled back.
      const opened = await Promise.allSettled(Array.from({ length: POOL_CONNECTIONS }, () => pool.connect()));
      const clients = opened.flatMap((o) => (o.status === 'fulfilled' ? [o.value] : []));
      const warmed = await Promise.allSettled(
        clients.map(async (client) => {
          await client.query('BEGIN');
          try {
            for (const [sql, { params, explain }] of statements)
              await client.query(explain ? { text: `EXPLAIN ${sql}`, values: params } : pgQuery(sql, params, named));
            const { rows } = await client.query<{ xid: string | null }>('SELECT txid_current_if_assigned() AS xid');
            if (rows[0]!.xid !== null) throw new Error('a statement run to warm a connection wrote to the database');
          } finally {
            await client.query('ROLLBACK');
          }
        }),
      );
      // Given back only once every transaction has ended; a connection whose warm-up failed is closed.
      clients.forEach((client, i) => client.release(warmed[i]!.status === 'rejected'));
      const failed = [...opened, ...warmed].find((o) => o.status === 'rejected');
      if (failed) throw failed.reason;
      return clients.length;
    },
    listen: async (channel, onNotify, onLost) => {
      // A connection of its own, outside the pool: LISTEN lasts as long as the session.
      const client = new pg.Client({ connectionString: url });
      let stopped = false;
      const lost = () => {
        if (!stopped) onLost();
        stopped = true;
      };
      client.on('notification', (message) => {
        if (message.channel === channel) onNotify(message.payload ?? '');
      });
      client.on('error', lost);
      client.on('end', lost);
      await client.connect();
      await client.query(`LISTEN ${channel}`);
      return async () => {
        stopped = true;
        await client.end().catch(() => undefined);
      };
    },
    close: async () => {
      await Promise.all([pool.end(), bounded.end()]);
    },
  };
}

/** PostgreSQL's unique_violation: another writer got there first. */
export function isUniqueViolation(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === '23505';
}
