import type { Manifest } from '../../core/package/manifest.ts';
import { attest } from '../../core/registry/attestation.ts';
import type { AttestationPredicate } from '../../core/registry/attestation.ts';
import { sha256Hex } from '../../core/archive/hash.ts';
import type { AuditAppend } from '../audit.ts';
import type { RegistryContext } from '../context.ts';
import { prepared } from '../db.ts';
import type { Queryable } from '../db.ts';
import type { SignedUpload } from '../publish-checks.ts';
import type { Caller } from '../tokens.ts';
import type { RegistrySettings, VersionRow } from './packages.ts';

/** The registry's attestation of what it accepted (archive, manifest, the author's signature). */
export function attestationOf(
  ctx: RegistryContext,
  settings: RegistrySettings,
  caller: Caller,
  manifest: Manifest,
  checksum: string,
  signed: SignedUpload | undefined,
  publishedAt: string,
): unknown {
  return attest(
    checksum,
    {
      registry: settings.name,
      package: manifest.name,
      version: manifest.version,
      publisher: {
        user: caller.username,
        signer: signed ? signerOf(signed) : undefined,
      },
      published_at: publishedAt,
    },
    ctx.key,
  );
}

/**
 * Who signed, as the registry attests it: for Sigstore the identity and issuer the certificate authority vouched
 * for; for OpenPGP the key's fingerprint, which the signature proves, and its first User ID only as what the key
 * claims (`claimed_user_id`): anyone can make a key whose User ID names someone else, and a registry's signature
 * must not lend that name its word.
 */
function signerOf(signed: SignedUpload): NonNullable<AttestationPredicate['publisher']['signer']> {
  const text = (k: string, as = k) =>
    typeof signed.record[k] === 'string' ? { [as]: signed.record[k] as string } : {};
  if (signed.type === 'gpg')
    return { type: signed.type, ...text('fingerprint'), ...text('identity', 'claimed_user_id') };
  return { type: signed.type, ...text('identity'), ...text('issuer'), ...text('fingerprint') };
}

/** The audit log's entry for a stored publish. */
export function publishEntry(
  settings: RegistrySettings,
  caller: Caller,
  manifest: Manifest,
  version: VersionRow,
  signed: SignedUpload | undefined,
): AuditAppend {
  return {
    event: 'package.publish',
    actor: caller.username,
    package: manifest.name,
    version: manifest.version,
    metadata: {
      checksum: `sha256:${version.checksum_sha256.trim()}`,
      signature: signed?.type ?? null,
      approval: settings.requireApproval ? 'pending' : 'not required',
    },
  };
}

/** A version ready to be written: checked, its archive stored, its attestation made. */
export interface NewVersion {
  packageId: string;
  caller: Caller;
  manifest: Manifest;
  archive: Buffer;
  signed: SignedUpload | undefined;
  checksum: string;
  key: string;
  publishedAt: string;
  approval: string;
  attestation: unknown;
}

/**
 * The statement of `writeVersions` (its columns named: it is kept prepared).
 * Warmed with no versions: every insert, update and delete in it touches no
 * row, and the triggers that run once per statement run on nothing.
 */
const WRITE_VERSIONS = prepared(
  `WITH input AS (
       SELECT package_id, version, checksum, size, key, manifest, published_by, published_at, attestation, approval, i
         FROM unnest($1::uuid[], $2::text[], $3::text[], $4::bigint[], $5::text[], $6::text[], $7::uuid[],
                     $8::text[], $9::text[], $10::text[])
         WITH ORDINALITY AS t(package_id, version, checksum, size, key, manifest, published_by, published_at, attestation, approval, i)
     ), v AS (
       INSERT INTO package_versions (package_id, version, checksum_sha256, archive_size, archive_key, manifest_json,
                                     published_by, published_at, attestation, approval_status)
       SELECT package_id, version, checksum, size, key, manifest::jsonb, published_by, published_at::timestamptz,
              attestation::jsonb, approval FROM input ORDER BY i
       RETURNING id, package_id, version, checksum_sha256, archive_size, archive_key, manifest_json, published_at, published_by, yanked, yanked_at, yanked_reason, downloads, attestation, approval_status
     ), vi AS (
       SELECT v.id, input.i FROM v JOIN input ON input.package_id = v.package_id AND input.version = v.version
     ), sig AS (
       INSERT INTO version_signatures (version_id, type, bytes, sha256, record, public_key)
       SELECT vi.id, s.type, decode(s.bytes, 'hex'), s.sha256, s.record::jsonb, s.public_key
         FROM unnest($11::int[], $12::text[], $13::text[], $14::text[], $15::text[], $16::text[])
           AS s(i, type, bytes, sha256, record, public_key) JOIN vi ON vi.i = s.i
     ), dep AS (
       INSERT INTO dependencies (version_id, dependency_name, version_constraint)
       SELECT vi.id, d.name, d.c FROM unnest($17::int[], $18::text[], $19::text[]) AS d(i, name, c) JOIN vi ON vi.i = d.i
     ), art AS (
       INSERT INTO artifacts (version_id, artifact_type, name, description)
       SELECT vi.id, a.t, a.name, a.d FROM unnest($20::int[], $21::text[], $22::text[], $23::text[]) AS a(i, t, name, d)
         JOIN vi ON vi.i = a.i
     ), kw AS (
       SELECT package_id, keyword FROM unnest($24::uuid[], $25::text[]) AS k(package_id, keyword)
     ), kdel AS (
       DELETE FROM package_keywords o WHERE o.package_id = ANY($26::uuid[])
          AND (o.package_id, o.keyword) NOT IN (SELECT package_id, keyword FROM kw)
     ), kins AS (
       INSERT INTO package_keywords (package_id, keyword) SELECT package_id, keyword FROM kw ON CONFLICT DO NOTHING
     ), u AS (
       SELECT id, latest, description, author, license, repository
         FROM unnest($26::uuid[], $27::text[], $28::text[], $29::text[], $30::text[], $31::text[])
         AS u(id, latest, description, author, license, repository)
     ), pu AS (
       UPDATE packages p SET latest_version = u.latest, description = u.description, author = u.author,
              license = u.license, repository = u.repository, updated_at = NOW()
         FROM u WHERE p.id = u.id
     ), tu AS (
       INSERT INTO dist_tags (package_id, tag, version) SELECT id, 'latest', latest FROM u WHERE latest IS NOT NULL
       ON CONFLICT (package_id, tag) DO UPDATE SET version = EXCLUDED.version, updated_at = NOW()
     ), td AS (
       DELETE FROM dist_tags t USING u WHERE t.package_id = u.id AND t.tag = 'latest' AND u.latest IS NULL
     )
     SELECT v.id, v.package_id, v.version, v.checksum_sha256, v.archive_size, v.archive_key, v.manifest_json, v.published_at, v.published_by, v.yanked, v.yanked_at, v.yanked_reason, v.downloads, v.attestation, v.approval_status, vi.i
       FROM v JOIN vi ON vi.id = v.id ORDER BY vi.i`,
  { params: Array.from({ length: 31 }, () => []) },
);

/**
 * Every row of several new versions in one statement: the versions, their
 * signatures, dependencies and artifacts, their packages' keywords (the
 * last version's, as a publish replaces them), fields and "latest" (given:
 * computed by the caller from the installable versions). Returns the
 * versions' rows in the order given.
 */
export async function writeVersions(
  tx: Queryable,
  versions: readonly NewVersion[],
  latest: ReadonlyMap<string, string | null>,
): Promise<VersionRow[]> {
  const at = (i: number) => i + 1;
  const signatures = versions.flatMap((v, i) => (v.signed ? [{ i: at(i), signed: v.signed }] : []));
  const dependencies = versions.flatMap((v, i) =>
    Object.entries(v.manifest.dependencies).map(([name, constraint]) => ({ i: at(i), name, constraint })),
  );
  const artifacts = versions.flatMap((v, i) =>
    Object.entries(v.manifest.artifacts).flatMap(([kind, list]) =>
      list.map((a) => ({ i: at(i), type: kind.replace(/s$/, ''), name: a.name, description: a.description ?? null })),
    ),
  );
  // Per package, the last version of the batch speaks for it (keywords, description, …).
  const last = new Map(versions.map((v) => [v.packageId, v.manifest]));
  const keywords = [...last].flatMap(([id, m]) =>
    [...new Set(m.keywords.map((k) => k.toLowerCase()))].map((k) => [id, k]),
  );
  const packages = [...last];
  const { rows } = await tx.query<VersionRow & { package_id: string }>(WRITE_VERSIONS, [
    versions.map((v) => v.packageId),
    versions.map((v) => v.manifest.version),
    versions.map((v) => v.checksum),
    versions.map((v) => v.archive.length),
    versions.map((v) => v.key),
    versions.map((v) => JSON.stringify(v.manifest)),
    versions.map((v) => v.caller.userId),
    versions.map((v) => v.publishedAt),
    versions.map((v) => JSON.stringify(v.attestation)),
    versions.map((v) => v.approval),
    signatures.map((s) => s.i),
    signatures.map((s) => s.signed.type),
    signatures.map((s) => s.signed.bytes.toString('hex')),
    signatures.map((s) => sha256Hex(s.signed.bytes)),
    signatures.map((s) => JSON.stringify(s.signed.record)),
    signatures.map((s) => s.signed.publicKey ?? null),
    dependencies.map((d) => d.i),
    dependencies.map((d) => d.name),
    dependencies.map((d) => d.constraint),
    artifacts.map((a) => a.i),
    artifacts.map((a) => a.type),
    artifacts.map((a) => a.name),
    artifacts.map((a) => a.description),
    keywords.map((k) => k[0]),
    keywords.map((k) => k[1]),
    packages.map(([id]) => id),
    packages.map(([id]) => latest.get(id) ?? null),
    packages.map(([, m]) => m.description),
    packages.map(([, m]) => m.author ?? null),
    packages.map(([, m]) => m.license ?? null),
    packages.map(([, m]) => m.repository ?? null),
  ]);
  // The rows as a single publish returns them: without the batch's ordinal.
  for (const row of rows as (VersionRow & { i?: unknown })[]) delete row.i;
  return rows;
}
