import { sha256Hex } from '../../core/archive/hash.ts';
import type { Manifest } from '../../core/package/manifest.ts';
import { parsePackageName } from '../../core/model/names.ts';
import { appendAudit } from '../audit.ts';
import type { RegistryContext } from '../context.ts';
import { isUniqueViolation, NIL_UUID, prepared, warmed } from '../db.ts';
import type { Queryable } from '../db.ts';
import { stageBlob } from '../blobs.ts';
import type { StagedBlob } from '../blobs.ts';
import { ApiFailure } from '../errors.ts';
import type { SignedUpload } from '../publish-checks.ts';
import { requireLiveToken } from '../tokens.ts';
import type { Caller } from '../tokens.ts';
import {
  highestVersion,
  installableVersions,
  packageRow,
  requireOwner,
  samePrecedence,
  settingsOf,
} from './packages.ts';
import { claimScope } from './scopes.ts';
import { publishInBatch } from './publish-batch.ts';
import { committed, transactionId } from './commit-outcome.ts';
import { attestationOf, publishEntry, writeVersions } from './publish-rows.ts';
import type { RegistrySettings, VersionRow } from './packages.ts';

const versionExists = (manifest: Manifest, existing: string) =>
  new ApiFailure(
    409,
    'version_exists',
    existing === manifest.version
      ? `Version ${manifest.version} of ${manifest.name} already exists`
      : `Version ${manifest.version} of ${manifest.name} already exists as ${existing} (build metadata does not make another version)`,
  );

/** The settings, and the package a publish names (warmed with a name no package has). */
const PUBLISH_CHECK = prepared(
  `SELECT s.settings, p.id, p.owned, p.mine, p.existing
       FROM (SELECT coalesce(json_agg(json_build_object('key', key, 'value', value)), '[]'::json) AS settings
               FROM registry_settings) s
       LEFT JOIN LATERAL (
         SELECT p.id,
                EXISTS (SELECT 1 FROM package_owners o WHERE o.package_id = p.id) AS owned,
                EXISTS (SELECT 1 FROM package_owners o WHERE o.package_id = p.id AND o.user_id = $3) AS mine,
                (SELECT v.version FROM package_versions v WHERE v.package_id = p.id
                    AND split_part(v.version, '+', 1) = split_part($4, '+', 1) LIMIT 1) AS existing
           FROM packages p WHERE p.scope = $1 AND p.name = $2) p ON true`,
  { params: ['', '', NIL_UUID, '0.0.0'] },
);

/**
 * Refuses, before anything is written, a publish its caller may not make:
 * a package owned by others, or a version that is already there (by SemVer
 * precedence). Checked again under the package's row lock when storing.
 * Resolves to whether the package exists (a new name has checks of its own)
 * and the registry's settings, read in the same round trip.
 */
export async function refusePublish(
  db: Queryable,
  caller: Caller,
  manifest: Manifest,
): Promise<{ exists: boolean; settings: RegistrySettings }> {
  const { scope, name } = parsePackageName(manifest.name);
  // One round trip: the settings; the package, whether it has owners and the caller is one, and the same version.
  const { rows } = await db.query<{
    id: string | null;
    settings: { key: string; value: unknown }[];
    owned: boolean | null;
    mine: boolean | null;
    existing: string | null;
  }>(PUBLISH_CHECK, [scope ?? '', name, caller.userId, manifest.version]);
  const { id, settings, owned, mine, existing } = rows[0]!;
  const found = { exists: id !== null, settings: settingsOf(settings) };
  if (id === null) return found;
  if (owned && !mine) await requireOwner(db, caller, { id }, manifest.name);
  if (existing) throw versionExists(manifest, existing);
  return found;
}

/**
 * Stores a checked publish: its rows with the other
 * publishes this instance is storing at the same moment, in one transaction
 * (group commit, publish-batch.ts), or else on its own (storePublishAlone).
 */
export async function storePublish(
  ctx: RegistryContext,
  settings: RegistrySettings,
  caller: Caller,
  manifest: Manifest,
  archive: Buffer,
  signed: SignedUpload | undefined,
  warn?: (error: unknown) => void,
): Promise<VersionRow> {
  // The archive is named only once the publish is allowed, under its package's row lock (in the
  // batch, or alone): a publish that loses a race (the same version, a new name, another owner's
  // package) is refused before it names anything, so it leaves no blob that no version names. A
  // folder's store has it written and flushed now, under a temporary name no reader sees (removed
  // below unless named): the transaction then only waits for the rename, not for the disk.
  const staged = await stageBlob(ctx.blobs, archive);
  try {
    return (
      (await publishInBatch(ctx, { settings, caller, manifest, archive, signed, staged, warn })) ??
      (await storePublishAlone(ctx, settings, caller, manifest, archive, signed, staged))
    );
  } finally {
    await staged.discard();
  }
}

/**
 * A new package's row (a publish stored alone), warmed by planning it only: a
 * new server process then has the table, its indexes and triggers loaded
 * before the first new package.
 */
const INSERT_PACKAGE = warmed(
  `INSERT INTO packages (scope, name, description, author, license, repository)
   VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (scope, name) DO NOTHING`,
  { params: ['', '', '', null, null, null], explain: true },
);

/**
 * Stores a checked publish in one transaction: the package's row is locked
 * (so two publishes of one version, on any number of instances, are decided
 * one after the other), ownership and the version are checked again, and only
 * then are the archive (under its key) and the version written. A publish that
 * loses a race has written no row and no blob; the (package, precedence)
 * unique index is the last word.
 */
async function storePublishAlone(
  ctx: RegistryContext,
  settings: RegistrySettings,
  caller: Caller,
  manifest: Manifest,
  archive: Buffer,
  signed: SignedUpload | undefined,
  staged: StagedBlob,
): Promise<VersionRow> {
  const { scope, name: bare } = parsePackageName(manifest.name);
  // When COMMIT fails on the way back, the database may have committed: then the version is stored.
  const attempt: { version?: VersionRow; xid?: string | undefined } = {};
  try {
    return await ctx.db.transaction(async (tx) => {
      await requireLiveToken(tx, caller);
      // A new package's scope: claimed by its first publisher, else theirs and their members' only.
      await claimScope(tx, caller, manifest.name);
      await tx.query(INSERT_PACKAGE, [
        scope ?? '',
        bare,
        manifest.description,
        manifest.author ?? null,
        manifest.license ?? null,
        manifest.repository ?? null,
      ]);
      const pkg = (await packageRow(tx, manifest.name, true))!;
      const owners = await tx.query('SELECT 1 FROM package_owners WHERE package_id = $1', [pkg.id]);
      if (owners.rows.length === 0)
        await tx.query('INSERT INTO package_owners (package_id, user_id) VALUES ($1, $2)', [pkg.id, caller.userId]);
      else await requireOwner(tx, caller, pkg, manifest.name);
      const existing = await samePrecedence(tx, pkg.id, manifest.version);
      if (existing) throw versionExists(manifest, existing);
      // Allowed: the archive now (flushed before the commit that names it). These bytes name this
      // package, whose row we hold: no other publish can be writing or deciding on them meanwhile.
      await staged.commit();
      const version = await insertVersion(tx, ctx, settings, caller, manifest, pkg.id, archive, staged.key, signed);
      // Last: the audit log's head stays locked until the commit, so every publish holds it briefly.
      await appendAudit(tx, publishEntry(settings, caller, manifest, version, signed));
      attempt.xid = await transactionId(tx);
      return (attempt.version = version);
    });
  } catch (error) {
    if (attempt.version && attempt.xid && (await committed(ctx.db, attempt.xid))) return attempt.version;
    if (isUniqueViolation(error)) throw versionExists(manifest, manifest.version);
    throw error;
  }
}

/**
 * The version's rows, the package's fields and "latest" (the row and the tag)
 * in one statement: the batch's (writeVersions), for one version. "latest" is
 * the highest installable version once this one is in: the installable ones
 * so far, read under the package's row lock, and this one if it needs no
 * approval.
 */
async function insertVersion(
  tx: Queryable,
  ctx: RegistryContext,
  settings: RegistrySettings,
  caller: Caller,
  manifest: Manifest,
  packageId: string,
  archive: Buffer,
  key: string,
  signed: SignedUpload | undefined,
): Promise<VersionRow> {
  const checksum = sha256Hex(archive);
  const publishedAt = new Date().toISOString();
  const approved = !settings.requireApproval;
  const installable = await installableVersions(tx, packageId);
  if (approved) installable.push(manifest.version);
  // Validated (archive, manifest, the author's signature): the registry attests what it accepted.
  const attestation = attestationOf(ctx, settings, caller, manifest, checksum, signed, publishedAt);
  const [version] = await writeVersions(
    tx,
    [
      {
        packageId,
        caller,
        manifest,
        archive,
        signed,
        checksum,
        key,
        publishedAt,
        approval: approved ? 'approved' : 'pending',
        attestation,
      },
    ],
    new Map([[packageId, highestVersion(installable) ?? null]]),
  );
  return version!;
}
