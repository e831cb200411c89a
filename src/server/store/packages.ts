import type { Manifest } from '../../core/package/manifest.ts';
import { parsePackageName } from '../../core/model/names.ts';
import { compareVersions, isValidVersion, parseVersion } from '../../core/model/versions.ts';
import { appendAudit } from '../audit.ts';
import type { Queryable } from '../db.ts';
import { ApiFailure } from '../errors.ts';
import { isOperator, requireLiveToken } from '../tokens.ts';
import type { Caller } from '../tokens.ts';

/** The registry-wide settings `registry serve` saves in the database, so every instance answers alike. */
export interface RegistrySettings {
  name: string;
  requireSignatures: boolean;
  /** publish_policy.require_approval: new versions wait for an approver. */
  requireApproval: boolean;
  /** publish_policy.approvers: identity patterns or OpenPGP fingerprints whose signed approvals count. */
  approvers: string[];
  /** Whether anyone may register an account (POST /users/register). */
  registration: boolean;
}

export async function registrySettings(db: Queryable): Promise<RegistrySettings> {
  const { rows } = await db.query<{ key: string; value: unknown }>('SELECT key, value FROM registry_settings');
  return settingsOf(rows);
}

/** The rows of registry_settings as settings (what is missing or of another type: the default). */
export function settingsOf(rows: readonly { key: string; value: unknown }[]): RegistrySettings {
  const value = (key: string) => rows.find((r) => r.key === key)?.value;
  const approvers = value('approvers');
  return {
    name: typeof value('name') === 'string' ? (value('name') as string) : 'registry',
    requireSignatures: value('require_signatures') === true,
    requireApproval: value('require_approval') === true,
    approvers: Array.isArray(approvers) ? approvers.filter((a): a is string => typeof a === 'string') : [],
    registration: value('registration') !== false,
  };
}

export interface PackageRow {
  id: string;
  scope: string;
  name: string;
  description: string | null;
  author: string | null;
  license: string | null;
  repository: string | null;
  homepage: string | null;
  latest_version: string | null;
  downloads_total: number;
  created_at: Date;
  updated_at: Date;
}

export interface VersionRow {
  id: string;
  version: string;
  checksum_sha256: string;
  archive_size: number;
  archive_key: string;
  manifest_json: Manifest;
  published_at: Date;
  yanked: boolean;
  yanked_at: Date | null;
  attestation: unknown;
  approval_status: 'approved' | 'pending' | 'rejected';
}

export async function packageRow(db: Queryable, name: string, lock = false): Promise<PackageRow | undefined> {
  const { scope, name: bare } = parsePackageName(name);
  const { rows } = await db.query<PackageRow>(
    `SELECT * FROM packages WHERE scope = $1 AND name = $2${lock ? ' FOR UPDATE' : ''}`,
    [scope ?? '', bare],
  );
  return rows[0];
}

export async function requirePackage(db: Queryable, name: string, lock = false): Promise<PackageRow> {
  const row = await packageRow(db, name, lock);
  if (!row) throw new ApiFailure(404, 'package_not_found', `Package '${name}' does not exist`);
  return row;
}

export async function versionRow(
  db: Queryable,
  name: string,
  version: string,
): Promise<{ pkg: PackageRow; row: VersionRow }> {
  const pkg = await requirePackage(db, name);
  const { rows } = await db.query<VersionRow>('SELECT * FROM package_versions WHERE package_id = $1 AND version = $2', [
    pkg.id,
    version,
  ]);
  if (!rows[0]) throw new ApiFailure(404, 'version_not_found', `Version ${version} of ${name} does not exist`);
  return { pkg, row: rows[0] };
}

/**
 * The version already published with the same SemVer precedence, if any:
 * build metadata does not make another version (1.0.0+a is 1.0.0+b).
 */
export async function samePrecedence(db: Queryable, packageId: string, version: string): Promise<string | undefined> {
  const { rows } = await db.query<{ version: string }>(
    `SELECT version FROM package_versions WHERE package_id = $1 AND split_part(version, '+', 1) = split_part($2, '+', 1)`,
    [packageId, version],
  );
  return rows[0]?.version;
}

export async function packageOwners(db: Queryable, packageId: string): Promise<string[]> {
  const { rows } = await db.query<{ username: string }>(
    'SELECT u.username FROM package_owners o JOIN users u ON u.id = o.user_id WHERE o.package_id = $1 ORDER BY u.username',
    [packageId],
  );
  return rows.map((r) => r.username);
}

/** Refuses a caller who is not an owner of the package (the operator's token may act on any package), or whose token no longer works. */
export async function requireOwner(
  db: Queryable,
  caller: Caller,
  pkg: Pick<PackageRow, 'id'>,
  name: string,
): Promise<void> {
  await requireLiveToken(db, caller);
  if (isOperator(caller)) return;
  const { rows } = await db.query('SELECT 1 FROM package_owners WHERE package_id = $1 AND user_id = $2', [
    pkg.id,
    caller.userId,
  ]);
  if (rows.length === 0)
    throw new ApiFailure(403, 'forbidden', `${caller.username} is not an owner of ${name}.`, {
      reason: 'not_owner',
      user: caller.username,
    });
}

/** "latest" follows the highest installable version, or is not there at all. */
export async function setLatestTag(tx: Queryable, packageId: string, latest: string | undefined): Promise<void> {
  if (latest)
    await tx.query(
      `INSERT INTO dist_tags (package_id, tag, version) VALUES ($1, 'latest', $2)
       ON CONFLICT (package_id, tag) DO UPDATE SET version = EXCLUDED.version, updated_at = NOW()`,
      [packageId, latest],
    );
  else await tx.query(`DELETE FROM dist_tags WHERE package_id = $1 AND tag = 'latest'`, [packageId]);
}

/** The versions an install may pick: not yanked, and approved (or needing no approval). */
export async function installableVersions(tx: Queryable, packageId: string): Promise<string[]> {
  const { rows } = await tx.query<{ version: string }>(
    `SELECT version FROM package_versions WHERE package_id = $1 AND NOT yanked AND approval_status = 'approved'`,
    [packageId],
  );
  return rows.map((r) => r.version);
}

/** The highest of `versions` by SemVer precedence (those that are not SemVer left out). */
export function highestVersion(versions: readonly string[]): string | undefined {
  return versions.filter(isValidVersion).map(parseVersion).sort(compareVersions).at(-1)?.raw;
}

/** The highest version an install may pick (SemVer precedence): not yanked, and approved (or needing no approval). */
export async function installableLatest(tx: Queryable, packageId: string): Promise<string | undefined> {
  return highestVersion(await installableVersions(tx, packageId));
}

/** Moves "latest" (the tag and the package's column) to where it now belongs. */
export async function refreshLatest(tx: Queryable, packageId: string): Promise<void> {
  const latest = await installableLatest(tx, packageId);
  await tx.query('UPDATE packages SET latest_version = $2, updated_at = NOW() WHERE id = $1', [
    packageId,
    latest ?? null,
  ]);
  await setLatestTag(tx, packageId, latest);
}

/**
 * Removes the tags other than "latest" (refreshLatest moves that one) that
 * name a version no install may pick — yanked, or rejected after it was
 * tagged — each with its audit entry: a tag must not lead back to one (spec
 * §3.3.6), and the tag route refuses to set such a tag (registry2-review F3).
 */
export async function untagUninstallable(tx: Queryable, packageId: string, name: string, actor: string): Promise<void> {
  const { rows } = await tx.query<{ tag: string; version: string }>(
    `DELETE FROM dist_tags d USING package_versions v
      WHERE d.package_id = $1 AND d.tag <> 'latest' AND v.package_id = d.package_id AND v.version = d.version
        AND (v.yanked OR v.approval_status <> 'approved')
      RETURNING d.tag, d.version`,
    [packageId],
  );
  for (const { tag, version } of rows.sort((a, b) => a.tag.localeCompare(b.tag)))
    await appendAudit(tx, { event: 'tag.remove', actor, package: name, version, metadata: { tag } });
}

export function iso(date: Date | string): string {
  return new Date(date).toISOString();
}
