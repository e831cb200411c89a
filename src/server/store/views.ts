import { versionPath } from '../../core/registry/http-api.ts';
import type { ApiPackage, ApiSignature, ApiVersion } from '../../core/registry/http-api.ts';
import type { DsseEnvelope } from '../../core/registry/attestation.ts';
import type { Queryable } from '../db.ts';
import { latestEvalResultsOf } from './eval-results.ts';
import { apiSignatureOf } from './signers.ts';
import { iso, packageOwners, requirePackage, versionRow } from './packages.ts';
import type { VersionRow } from './packages.ts';

/** What the API says of packages and versions (§3.3.2, §3.3.3), built from their rows. */

interface SignatureRow {
  version_id: string;
  type: 'sigstore' | 'gpg';
  sha256: string;
  size: number;
  record: Record<string, unknown>;
  /** The n-th signature of its kind (several signers: store/signers.ts). */
  position: number;
}

export async function packageView(db: Queryable, name: string): Promise<ApiPackage> {
  const row = await requirePackage(db, name);
  const [versions, signatures, owners, tags, keywords] = await Promise.all([
    db.query<VersionRow>('SELECT * FROM package_versions WHERE package_id = $1 ORDER BY published_at, version', [
      row.id,
    ]),
    db.query<SignatureRow>(
      `SELECT s.version_id, s.type, s.sha256, octet_length(s.bytes) AS size, s.record, s.position
         FROM version_signatures s JOIN package_versions v ON v.id = s.version_id WHERE v.package_id = $1
        ORDER BY s.position, s.type DESC`,
      [row.id],
    ),
    packageOwners(db, row.id),
    db.query<{ tag: string; version: string }>(
      'SELECT tag, version FROM dist_tags WHERE package_id = $1 ORDER BY tag',
      [row.id],
    ),
    db.query<{ keyword: string }>('SELECT keyword FROM package_keywords WHERE package_id = $1 ORDER BY keyword', [
      row.id,
    ]),
  ]);
  return {
    name,
    scope: row.scope || null,
    description: row.description ?? '',
    author: row.author,
    license: row.license,
    repository: row.repository,
    homepage: row.homepage,
    keywords: keywords.rows.map((k) => k.keyword),
    latest_version: row.latest_version,
    created_at: iso(row.created_at),
    updated_at: iso(row.updated_at),
    owners,
    dist_tags: Object.fromEntries(tags.rows.map((t) => [t.tag, t.version])),
    versions: versions.rows.map((v) =>
      apiVersion(
        name,
        v,
        signatures.rows.filter((s) => s.version_id === v.id),
      ),
    ),
  };
}

export function apiVersion(name: string, v: VersionRow, signatures: SignatureRow[]): ApiVersion {
  return {
    version: v.version,
    published_at: iso(v.published_at),
    yanked: v.yanked,
    checksum: { sha256: v.checksum_sha256.trim() },
    archive_size: Number(v.archive_size),
    dependencies: v.manifest_json.dependencies ?? {},
    signatures: signatures.map((s) => apiSignature(name, v.version, s)),
    download_url: `${versionPath(name, v.version)}/download`,
    attestation: v.attestation
      ? {
          key_id: ((v.attestation as DsseEnvelope).signatures?.[0]?.keyid ?? '') as string,
          url: `${versionPath(name, v.version)}/attestation`,
        }
      : null,
    approval_status: v.approval_status ?? 'approved',
  };
}

function apiSignature(name: string, version: string, s: SignatureRow): ApiSignature {
  return apiSignatureOf(name, version, s);
}

/** The answer to a publish: the version as §3.3.5 describes it, beside the list of signatures this registry keeps. */
export function publishedView(
  name: string,
  row: VersionRow,
  signed: { type: 'sigstore' | 'gpg'; sha256: string; size: number; record: Record<string, unknown> } | undefined,
) {
  const view = apiVersion(name, row, signed ? [{ version_id: row.id, position: 1, ...signed }] : []);
  return {
    name,
    ...view,
    signature: view.signatures[0]
      ? { type: view.signatures[0].type, identity: view.signatures[0].identity, verified: true }
      : null,
    url: versionPath(name, row.version),
  };
}

export async function versionView(db: Queryable, name: string, version: string) {
  const { pkg, row } = await versionRow(db, name, version);
  const [signatures, tags, evals] = await Promise.all([
    db.query<SignatureRow>(
      'SELECT version_id, type, sha256, octet_length(bytes) AS size, record, position FROM version_signatures WHERE version_id = $1 ORDER BY position, type DESC',
      [row.id],
    ),
    db.query<{ tag: string }>('SELECT tag FROM dist_tags WHERE package_id = $1 AND version = $2 ORDER BY tag', [
      pkg.id,
      version,
    ]),
    latestEvalResultsOf(db, row.id),
  ]);
  const view = apiVersion(name, row, signatures.rows);
  const manifest = row.manifest_json;
  const first = view.signatures[0];
  return {
    name,
    scope: pkg.scope || null,
    description: manifest.description ?? '',
    author: manifest.author ?? null,
    license: manifest.license ?? null,
    repository: manifest.repository ?? null,
    ...view,
    // The spec's single `signature` (§3.3.3), beside the list this registry keeps.
    signature: first
      ? {
          type: first.type,
          identity: first.identity,
          issuer: first.issuer,
          transparency_log: first.transparency_log?.url ?? null,
          verified: true,
        }
      : null,
    artifacts: Object.fromEntries(
      Object.entries(manifest.artifacts ?? {}).map(([kind, list]) => [
        kind,
        (list ?? []).map((a) => ({ name: a.name, description: a.description ?? '' })),
      ]),
    ),
    dist_tags: tags.rows.map((t) => t.tag),
    yanked_at: row.yanked_at ? iso(row.yanked_at) : null,
    eval_results: evals,
  };
}
