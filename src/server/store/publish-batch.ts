import { sha256Hex } from '../../core/archive/hash.ts';
import { parsePackageName } from '../../core/model/names.ts';
import type { Manifest } from '../../core/package/manifest.ts';
import { appendAuditBatch } from '../audit.ts';
import type { StagedBlob } from '../blobs.ts';
import type { RegistryContext } from '../context.ts';
import { prepared } from '../db.ts';
import type { Queryable } from '../db.ts';
import type { SignedUpload } from '../publish-checks.ts';
import { isOperator, withLiveTokens } from '../tokens.ts';
import type { Caller } from '../tokens.ts';
import { highestVersion } from './packages.ts';
import type { RegistrySettings, VersionRow } from './packages.ts';
import { attestationOf, publishEntry, writeVersions } from './publish-rows.ts';
import { committed } from './commit-outcome.ts';

/** A checked publish waiting for its batch. */
export interface PublishItem {
  settings: RegistrySettings;
  caller: Caller;
  manifest: Manifest;
  archive: Buffer;
  signed: SignedUpload | undefined;
  /** The archive, staged (a folder's store: written and flushed under a temporary name), for the batch to name under its key once it has allowed it. */
  staged: StagedBlob;
  /** Told when the batch it joined failed (its publishes are then stored one by one): the operator's log. */
  warn?: ((error: unknown) => void) | undefined;
}

interface Queued extends PublishItem {
  /** The stored version; `undefined`: not decided in a batch (the caller stores it alone, with its own answer). */
  settle(row: VersionRow | undefined): void;
}

/** At most this many publishes share one transaction. */
const MAX_BATCH = 64;

const queues = new WeakMap<RegistryContext, { waiting: Queued[]; running: boolean }>();

/**
 * Group commit of publishes, per instance: publishes that arrive while a
 * batch is being stored wait for the next one, and each batch is one
 * transaction of a few statements whatever its size — lock the packages,
 * check them, write every row, append every audit entry under one lock of
 * the log's head, commit. The archives of the publishes it allows are named
 * under their keys (at once, each flushed; written beforehand under temporary
 * names, see storePublish) after the check, while the rows are written and the
 * packages' rows are locked but not yet the log's head: a refused publish
 * leaves no blob. No publish is answered
 * before the commit that makes its version and its log entry durable and
 * visible together. A new package is created in the batch (createPackages),
 * its scope claimed there if no one has it, when the publisher may create in
 * it. A publish the batch cannot decide plainly (a new package in another's
 * scope, or whose name or scope another transaction is creating, a package
 * without owners, a version that exists, another owner's package, the same
 * version twice in one batch, or a batch that failed) resolves to `undefined`
 * and is stored alone by the caller, which gives it its exact answer.
 */
export function publishInBatch(ctx: RegistryContext, item: PublishItem): Promise<VersionRow | undefined> {
  let queue = queues.get(ctx);
  if (!queue) queues.set(ctx, (queue = { waiting: [], running: false }));
  const settled = new Promise<VersionRow | undefined>((settle) => queue.waiting.push({ ...item, settle }));
  if (!queue.running) void drain(ctx, queue);
  return settled;
}

async function drain(ctx: RegistryContext, queue: { waiting: Queued[]; running: boolean }): Promise<void> {
  queue.running = true;
  try {
    while (queue.waiting.length > 0) {
      const batch = queue.waiting.splice(0, MAX_BATCH);
      // What the transaction stored, and its id: when COMMIT fails, the server may still have committed.
      const attempt: Attempt = {};
      const stored = await ctx.db
        .transaction(async (tx) => (attempt.stored = await storeBatch(tx, ctx, batch, attempt)))
        .catch(async (error: unknown) => {
          if (attempt.stored && attempt.xid && (await committed(ctx.db, attempt.xid))) return attempt.stored;
          batch[0]!.warn?.(error);
          return undefined;
        });
      for (const item of batch) item.settle(stored?.get(item));
    }
  } finally {
    queue.running = false;
  }
}

interface Attempt {
  stored?: Map<Queued, VersionRow>;
  /** The transaction's id (`txid_current()`), to ask afterwards whether it committed. */
  xid?: string;
}

const precedence = (version: string) => version.split('+')[0]!;

/** A batch's packages, locked (warmed with none). */
const LOCK_PACKAGES = prepared(
  `SELECT id, scope, name FROM packages
      WHERE (scope, name) IN (SELECT s, n FROM unnest($1::text[], $2::text[]) AS u(s, n)) ORDER BY id FOR UPDATE`,
  { params: [[], []] },
);

/**
 * The unclaimed scopes of a batch's new names, each claimed by the first
 * publish naming it, as the alone path's claimScope would: its publisher
 * becomes the scope's owner, unless the scope is another user's name (only
 * they may claim it; the operator's token may). A scope another transaction
 * is claiming is left to it (`ON CONFLICT`: the insert waits for that
 * transaction, then does nothing); CREATE_PACKAGES then finds whether the
 * publisher is a member. In one order, by scope name, as the packages are
 * created. A scope claimed here holds no package of anyone else's (a package
 * is only ever created in a claimed scope), so its claimer's new name is
 * created next; a batch that fails later takes the claim back with it. Warmed
 * with none.
 */
const CLAIM_SCOPES = prepared(
  `WITH n AS (
       SELECT DISTINCT ON (scope) scope, user_id, username, operator
         FROM unnest($1::text[], $2::uuid[], $3::text[], $4::bool[]) WITH ORDINALITY
           AS n(scope, user_id, username, operator, i)
        WHERE scope <> ''
        ORDER BY scope, i
     ), claimed AS (
       INSERT INTO scopes (name, created_by)
       SELECT scope, user_id FROM n
        WHERE NOT EXISTS (SELECT 1 FROM scopes s WHERE s.name = n.scope)
          AND (operator OR scope = username OR NOT EXISTS (SELECT 1 FROM users u WHERE u.username = n.scope))
        ORDER BY scope
       ON CONFLICT (name) DO NOTHING
       RETURNING name, created_by
     )
     INSERT INTO scope_members (scope, user_id, role) SELECT name, created_by, 'owner' FROM claimed`,
  { params: [[], [], [], []] },
);

/**
 * A batch's new packages, created with their first publisher as owner (warmed
 * with none): those in no scope, or in a scope that exists and whose member
 * the publisher is (the operator's token: any scope that exists — CLAIM_SCOPES
 * has just claimed the batch's new ones). A name that another transaction
 * holds or has created is left out (`ON CONFLICT`: its insert waits for that
 * transaction to end). In one order, by name, so two batches creating the
 * same names wait for each other and never deadlock.
 */
const CREATE_PACKAGES = prepared(
  `WITH n AS (
       SELECT scope, name, description, author, license, repository, user_id, operator
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::uuid[], $8::bool[])
           AS n(scope, name, description, author, license, repository, user_id, operator)
        WHERE n.scope = ''
           OR EXISTS (SELECT 1 FROM scopes s WHERE s.name = n.scope AND (n.operator
                 OR EXISTS (SELECT 1 FROM scope_members m WHERE m.scope = n.scope AND m.user_id = n.user_id)))
     ), created AS (
       INSERT INTO packages (scope, name, description, author, license, repository)
       SELECT scope, name, description, author, license, repository FROM n ORDER BY scope, name
       ON CONFLICT (scope, name) DO NOTHING
       RETURNING id, scope, name
     ), owners AS (
       INSERT INTO package_owners (package_id, user_id)
       SELECT c.id, n.user_id FROM created c JOIN n ON n.scope = c.scope AND n.name = c.name
     )
     SELECT id, scope, name FROM created`,
  { params: [[], [], [], [], [], [], [], []] },
);

/** A batch's checks, once its packages are locked (warmed with none). */
const CHECK_BATCH = prepared(
  `SELECT w.i, txid_current()::text AS xid,
            EXISTS (SELECT 1 FROM package_owners o WHERE o.package_id = w.id) AS owned,
            EXISTS (SELECT 1 FROM package_owners o WHERE o.package_id = w.id AND o.user_id = w.user_id) AS mine,
            EXISTS (SELECT 1 FROM package_versions v WHERE v.package_id = w.id
                       AND split_part(v.version, '+', 1) = split_part(w.version, '+', 1)) AS taken,
            ARRAY(SELECT v.version FROM package_versions v
                   WHERE v.package_id = w.id AND NOT v.yanked AND v.approval_status = 'approved') AS installable
       FROM unnest($1::uuid[], $2::uuid[], $3::text[]) WITH ORDINALITY AS w(id, user_id, version, i)`,
  { params: [[], [], []] },
);

async function storeBatch(
  tx: Queryable,
  ctx: RegistryContext,
  queued: Queued[],
  attempt: Attempt,
): Promise<Map<Queued, VersionRow>> {
  // A publish whose token was revoked while its body arrived is left out, refused alone.
  const batch = await withLiveTokens(tx, queued, (item) => item.caller);
  const names = batch.map((item) => parsePackageName(item.manifest.name));
  // The packages' rows, locked in one order (by id) so that two instances' batches never deadlock.
  const locked = await tx.query<{ id: string; scope: string; name: string }>(LOCK_PACKAGES, [
    names.map((n) => n.scope ?? ''),
    names.map((n) => n.name),
  ]);
  const idOf = new Map(locked.rows.map((r) => [`${r.scope}/${r.name}`, r.id]));
  await createPackages(tx, batch, names, idOf);
  const ids = names.map((n) => idOf.get(`${n.scope ?? ''}/${n.name}`));
  // Checked once the locks are held (a statement of its own: it sees what the lock holders committed).
  const checks = await tx.query<{
    i: number | string;
    owned: boolean;
    mine: boolean;
    taken: boolean;
    installable: string[];
    xid: string;
  }>(CHECK_BATCH, [
    ids.map((id) => id ?? null),
    batch.map((item) => item.caller.userId),
    batch.map((item) => item.manifest.version),
  ]);
  attempt.xid = checks.rows[0]?.xid;
  const accepted: { item: Queued; packageId: string }[] = [];
  const installable = new Map<string, string[]>();
  const claimed = new Set<string>();
  for (const check of checks.rows) {
    const index = Number(check.i) - 1;
    const item = batch[index]!;
    const packageId = ids[index];
    const key = `${packageId}/${precedence(item.manifest.version)}`;
    const allowed = check.owned && (check.mine || isOperator(item.caller));
    if (!packageId || !allowed || check.taken || claimed.has(key)) continue;
    claimed.add(key);
    accepted.push({ item, packageId });
    installable.set(packageId, check.installable);
  }
  if (accepted.length === 0) return new Map();
  const publishedAt = new Date().toISOString();
  const versions = accepted.map(({ item, packageId }) => {
    const checksum = sha256Hex(item.archive);
    const approved = !item.settings.requireApproval;
    if (approved) installable.get(packageId)!.push(item.manifest.version);
    return {
      ...item,
      packageId,
      key: item.staged.key,
      checksum,
      publishedAt,
      approval: approved ? 'approved' : 'pending',
      attestation: attestationOf(ctx, item.settings, item.caller, item.manifest, checksum, item.signed, publishedAt),
    };
  });
  const latest = new Map([...installable].map(([id, list]) => [id, highestVersion(list) ?? null]));
  // Allowed: the archives are named (staged ones renamed, else written; flushed) while the rows are written,
  // both before the commit, waiting for the slower: no archive is still being written after a rollback.
  const [rowsWritten, archivesWritten] = await Promise.allSettled([
    writeVersions(tx, versions, latest),
    Promise.all(accepted.map(({ item }) => item.staged.commit())),
  ]);
  if (rowsWritten.status === 'rejected') throw rowsWritten.reason;
  if (archivesWritten.status === 'rejected') throw archivesWritten.reason;
  const rows = rowsWritten.value;
  const stored = new Map<Queued, VersionRow>();
  for (const [i, { item }] of accepted.entries()) stored.set(item, rows[i]!);
  await appendAuditBatch(
    tx,
    accepted.map(({ item }, i) => publishEntry(item.settings, item.caller, item.manifest, rows[i]!, item.signed)),
  );
  return stored;
}

/**
 * The batch's new names, each created (the package, its first publisher as
 * owner) by the first publish naming it, as the alone path would (its scope
 * claimed or its membership, then the row, then the owner), and added to
 * `idOf`. The checks that follow then see them as any locked package: the
 * other publishes naming them are allowed or left to the alone path as for an
 * existing package. What is not created here (another's scope, a name or scope
 * another transaction holds) stays unknown: stored alone.
 */
async function createPackages(
  tx: Queryable,
  batch: readonly Queued[],
  names: readonly { scope?: string | undefined; name: string }[],
  idOf: Map<string, string>,
): Promise<void> {
  const first = new Map<string, { item: Queued; n: (typeof names)[number] }>();
  for (const [i, n] of names.entries()) {
    const key = `${n.scope ?? ''}/${n.name}`;
    if (!idOf.has(key) && !first.has(key)) first.set(key, { item: batch[i]!, n });
  }
  if (first.size === 0) return;
  const items = [...first.values()].map((f) => f.item);
  const named = [...first.values()].map((f) => f.n);
  if (named.some((n) => n.scope !== undefined))
    await tx.query(CLAIM_SCOPES, [
      named.map((n) => n.scope ?? ''),
      items.map((item) => item.caller.userId),
      items.map((item) => item.caller.username),
      items.map((item) => isOperator(item.caller)),
    ]);
  const created = await tx.query<{ id: string; scope: string; name: string }>(CREATE_PACKAGES, [
    named.map((n) => n.scope ?? ''),
    named.map((n) => n.name),
    items.map((item) => item.manifest.description),
    items.map((item) => item.manifest.author ?? null),
    items.map((item) => item.manifest.license ?? null),
    items.map((item) => item.manifest.repository ?? null),
    items.map((item) => item.caller.userId),
    items.map((item) => isOperator(item.caller)),
  ]);
  for (const r of created.rows) idOf.set(`${r.scope}/${r.name}`, r.id);
}
