import type { Server } from 'node:http';
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AamError } from '../core/errors.ts';
import { loadTrustRoot } from '../core/sigstore/trusted-root.ts';
import { approverProblem } from '../core/registry/approval.ts';
import { buildRegistryApp } from './app.ts';
import type { AppOptions, RateLimits } from './app.ts';
import { openBlobStore } from './blobs.ts';
import type { BlobStore } from './blobs.ts';
import { openDatabase } from './db.ts';
import type { Database } from './db.ts';
import { loadOrCreateRegistryKey } from './keys.ts';
import { migrate } from './schema.ts';
import { acquireServeLock } from './serve-lock.ts';
import { sweepStartFiles } from './start-sweep.ts';
import { tokenHash } from './tokens.ts';
import type { Timeouts, TlsFiles } from './transport.ts';

export interface RegistryServerOptions {
  /** The registry's folder: the embedded database (without `databaseUrl`) and, by default, the blobs. */
  dataDir: string;
  /** postgres://… — a PostgreSQL server instead of the embedded PGlite. */
  databaseUrl?: string | undefined;
  /** A folder, or s3://BUCKET[/PREFIX]; default `<dataDir>/blobs`. */
  blobs?: string | undefined;
  host?: string;
  port?: number;
  /** Saved in the database: every instance of the registry answers with the same. */
  name?: string | undefined;
  requireSignatures?: boolean | undefined;
  /** trusted_root.json for checking uploaded Sigstore bundles (default: Sigstore public-good). */
  trustedRoot?: string | undefined;
  /** The registry's signing key (ECDSA P-256 PEM); default `<dataDir>/registry-key.pem`, made on first start. */
  keyFile?: string | undefined;
  /** publish_policy: new versions wait for a signed approval by one of `approvers`. Saved in the database. */
  requireApproval?: boolean | undefined;
  approvers?: string[] | undefined;
  /** Whether anyone may register an account (saved in the database); open unless set to false. */
  registration?: boolean | undefined;
  /** Requests a minute per client address and per account, by kind of route (default: the spec's §9.3 table, all four). */
  rateLimits?: RateLimits | undefined;
  /** What the operator should know of (a lock taken over from a dead process): one line each. */
  notice?: ((message: string) => void) | undefined;
  /** The structured request log: one JSON object a line. */
  log?: ((line: string) => void) | undefined;
  /** Check every JSON answer against its route's declared schema (for tests). */
  checkResponses?: boolean | undefined;
  /** PEM files: serve HTTPS only, with HSTS (spec §9.1). */
  tlsCert?: string | undefined;
  tlsKey?: string | undefined;
  /** Reverse proxies whose X-Forwarded-For/-Proto are believed (addresses or CIDRs). */
  trustProxy?: string[] | undefined;
  /** How long a client may take (tests shorten them). */
  timeouts?: Partial<Timeouts> | undefined;
  /** The bytes of uploads read at once, in all (beyond: 503 with Retry-After); 256 MB by default. */
  uploadBudgetBytes?: number | undefined;
  /** Connections held at once, in all and per client address (connection-caps.ts). */
  connections?: AppOptions['connections'];
  /** Tests only: a lower cap on a listing by page, a shorter rate-limit window. */
  testing?: AppOptions['testing'];
}

export interface RunningRegistry {
  url: string;
  server: Server;
  db: Database;
  blobs: BlobStore;
  close(): Promise<void>;
}

/** Opens (and migrates) the registry's storage: for serving, and for `registry token create`. */
export async function openRegistryStorage(
  options: Pick<
    RegistryServerOptions,
    'dataDir' | 'databaseUrl' | 'name' | 'requireSignatures' | 'requireApproval' | 'approvers' | 'registration'
  >,
): Promise<Database> {
  const db = await openDatabase({ url: options.databaseUrl, dataDir: join(options.dataDir, 'pglite') });
  try {
    await migrate(db);
    if (options.name !== undefined)
      await db.query(
        `INSERT INTO registry_settings (key, value) VALUES ('name', $1) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value`,
        [JSON.stringify(options.name)],
      );
    const save = (key: string, value: unknown) =>
      db.query(
        `INSERT INTO registry_settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value`,
        [key, JSON.stringify(value)],
      );
    if (options.requireApproval !== undefined) await save('require_approval', options.requireApproval);
    if (options.registration !== undefined) await save('registration', options.registration);
    if (options.approvers !== undefined) {
      const problems = options.approvers.map(approverProblem).filter((p): p is string => p !== undefined);
      if (problems.length > 0)
        throw new AamError('USAGE', `An approver would match no one: ${problems.join('; ')}.`, {
          hint: 'An approver is an identity pattern (as in trusted_identities) or a full 40-digit OpenPGP fingerprint.',
        });
      await save('approvers', options.approvers);
    }
    if (options.requireSignatures !== undefined)
      await db.query(
        `INSERT INTO registry_settings (key, value) VALUES ('require_signatures', $1) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value`,
        [JSON.stringify(options.requireSignatures)],
      );
    return db;
  } catch (error) {
    await db.close().catch(() => undefined);
    throw error;
  }
}

export { servingInstance } from './serve-lock.ts';

/** `aam-trust registry serve`: the HTTP API on host:port until closed. */
export async function startRegistryServer(options: RegistryServerOptions): Promise<RunningRegistry> {
  const embedded = !options.databaseUrl;
  if (!options.tlsCert !== !options.tlsKey) throw new AamError('USAGE', 'HTTPS needs both --tls-cert and --tls-key.');
  const tls = options.tlsCert && options.tlsKey ? await readTls(options.tlsCert, options.tlsKey) : undefined;
  const adminKey = randomBytes(32).toString('base64url');
  // Taken before the database is opened: an embedded database must never be opened by two processes.
  const lock = embedded ? await acquireServeLock(options.dataDir, adminKey, options.notice ?? (() => {})) : undefined;
  let db: Database | undefined;
  let app: Awaited<ReturnType<typeof buildRegistryApp>> | undefined;
  const host = options.host ?? '127.0.0.1';
  try {
    db = await openRegistryStorage(options);
    const blobs = openBlobStore(options.blobs, options.dataDir);
    // What a publish killed midway left behind (a blob being written) is removed before anything is served.
    const swept = (await blobs.sweep?.()) ?? 0;
    if (swept > 0)
      options.notice?.(
        `Removed ${swept} temporary file${swept === 1 ? '' : 's'} left by a blob write that did not finish.`,
      );
    // And what a start or a lock update killed midway left in the data folder (a key, the lock file).
    const keyFile = options.keyFile ?? join(options.dataDir, 'registry-key.pem');
    const started = await sweepStartFiles(options.dataDir, keyFile);
    if (started > 0)
      options.notice?.(
        `Removed ${started} temporary file${started === 1 ? '' : 's'} left in ${options.dataDir} by a start that did not finish.`,
      );
    const sigstoreRoot = await loadTrustRoot(options.trustedRoot);
    const key = await loadOrCreateRegistryKey(keyFile);
    app = await buildRegistryApp(
      { db, blobs, sigstoreRoot, key, adminKeyHash: embedded ? tokenHash(adminKey) : undefined },
      {
        log: options.log,
        rateLimits: options.rateLimits,
        checkResponses: options.checkResponses,
        tls,
        trustProxy: options.trustProxy,
        timeouts: options.timeouts,
        uploadBudgetBytes: options.uploadBudgetBytes,
        connections: options.connections,
        testing: options.testing,
      },
    );
    // Every connection of the pool opened and its caches filled before the first request (nothing written).
    await db
      .warm()
      .catch((error: unknown) =>
        options.notice?.(
          `The database's connections were not warmed (${(error as Error).message}): they open as needed.`,
        ),
      );
    await app.listen({ host, port: options.port ?? 0 });
  } catch (error) {
    await app?.close().catch(() => undefined);
    await db?.close().catch(() => undefined);
    await lock?.release().catch(() => undefined);
    throw error;
  }
  const blobs = app.registry.blobs;
  const server = app.server;
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const shown = host.includes(':') ? `[${host}]` : host;
  const url = `${tls ? 'https' : 'http'}://${shown}:${port}`;
  await lock?.publish(url);
  // Closing twice (a test's after hook, a signal) closes once.
  let closing: Promise<void> | undefined;
  return {
    url,
    server,
    db,
    blobs,
    close: () =>
      (closing ??= (async () => {
        await app!.close();
        await db!.close();
        await lock?.release();
      })()),
  };
}

async function readTls(cert: string, key: string): Promise<TlsFiles> {
  const read = (path: string, what: string) =>
    readFile(path).catch((error: unknown) => {
      throw new AamError('IO', `The TLS ${what} ${path} cannot be read.`, { cause: error });
    });
  return { cert: await read(cert, 'certificate'), key: await read(key, 'key') };
}
