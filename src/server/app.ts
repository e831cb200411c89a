import { timingSafeEqual } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readArchive } from '../core/archive/read.ts';
import { sha256Hex } from '../core/archive/hash.ts';
import { MAX_ARCHIVE_BYTES } from '../core/archive/limits.ts';
import { AamError, messageOf } from '../core/errors.ts';
import { READ_LIMITS } from '../core/fs/safe-read.ts';
import { ArmoredKeyring } from '../core/openpgp/keyring.ts';
import { verifyDetachedSignature } from '../core/openpgp/verify.ts';
import { parseManifest } from '../core/package/manifest.ts';
import type { Manifest } from '../core/package/manifest.ts';
import { isValidPackageName, parsePackageName } from '../core/model/names.ts';
import { compareVersions, isValidVersion, parseVersion } from '../core/model/versions.ts';
import type { SignatureCheck } from '../core/policy/decision.ts';
import { describeSigner } from '../core/policy/trust-match.ts';
import { recordOf } from '../core/workflows/publish.ts';
import { API_PREFIX, versionPath } from '../core/registry/http-api.ts';
import type { ApiPackage, ApiRegistryInfo, ApiSignature, ApiVersion } from '../core/registry/http-api.ts';
import { approverMatch, parseApprovalDocument } from '../core/registry/approval.ts';
import { attest, registryKeyOf } from '../core/registry/attestation.ts';
import type { DsseEnvelope } from '../core/registry/attestation.ts';
import { AUDIT_EVENTS, signHead } from '../core/registry/audit-log.ts';
import { verifySigstoreBundle } from '../core/sigstore/verify.ts';
import type { TrustRootSource } from '../core/sigstore/trusted-root.ts';
import type { BlobStore } from './blobs.ts';
import type { Database, Queryable } from './db.ts';
import { isUniqueViolation } from './db.ts';
import { appendAudit, auditEntries, auditHead, queryAudit } from './audit.ts';
import { readMultipart } from './multipart.ts';
import { addDelegation, addVersionSignature, apiSignatureOf, listDelegations, signatureByDigest } from './signers.ts';
import type { SignerRoutes } from './signers.ts';
import type { Upload } from './multipart.ts';
import { authenticate, createToken, tokenHash } from './tokens.ts';
import type { Caller } from './tokens.ts';

export interface RegistryApp {
  db: Database;
  blobs: BlobStore;
  /** Trust material for checking uploaded Sigstore bundles. */
  sigstoreRoot: TrustRootSource;
  log?: (line: string) => void;
  /**
   * The SHA-256 of the key this instance wrote to its data folder (0600) for
   * `registry token create` on the same machine while it serves an embedded
   * database, which one process at a time may open.
   */
  adminKeyHash?: string;
  /** The registry's ECDSA P-256 key: it signs attestations and the audit log's head. */
  key: KeyObject;
}

/** An error the API answers with: the spec's `{ error, message }` and an HTTP status (Appendix A). */
export class ApiFailure extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: unknown;

  constructor(status: number, code: string, message: string, details?: unknown) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

const MAX_BODY = MAX_ARCHIVE_BYTES + READ_LIMITS.signature + 256 * 1024;

/**
 * The HTTP API of AAM's registry spec §3, stateless: everything lives in the
 * database and the blob store, so any number of instances can serve one
 * registry. Names and versions are validated before they reach SQL (which is
 * parameterized anyway); the body of a publish is capped before it is read.
 */
export function registryHandler(app: RegistryApp): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const started = performance.now();
    handle(app, req, res)
      .catch((error: unknown) => {
        const failure =
          error instanceof ApiFailure
            ? error
            : new ApiFailure(500, 'internal_error', 'The registry failed to answer; the error is in its log.');
        if (!(error instanceof ApiFailure)) app.log?.(`error: ${req.method} ${req.url}: ${messageOf(error)}`);
        if (!res.headersSent)
          sendJson(res, failure.status, {
            error: failure.code,
            message: failure.message,
            ...(failure.details === undefined ? {} : { details: failure.details }),
          });
        else res.destroy();
        // Whatever is left of a refused upload is not read.
        if (!req.complete) req.resume();
      })
      .finally(() =>
        app.log?.(`${req.method} ${req.url} ${res.statusCode} ${(performance.now() - started).toFixed(1)} ms`),
      );
  };
}

async function handle(app: RegistryApp, req: IncomingMessage, res: ServerResponse): Promise<void> {
  // Dot segments are refused as sent, before URL parsing would quietly resolve them.
  const rawPath = (req.url ?? '/').split('?')[0]!;
  if (rawPath.split('/').some((segment) => /^(\.|%2e){1,2}$/i.test(segment)))
    throw new ApiFailure(400, 'bad_request', 'The path has a dot segment.');
  const url = new URL(req.url ?? '/', 'http://registry');
  const method = req.method ?? 'GET';
  if (url.pathname === '/healthz') return sendJson(res, 200, { ok: true });
  if (url.pathname === '/.well-known/aam-registry.json' && method === 'GET')
    return sendJson(res, 200, { name: (await registrySettings(app.db)).name, ...registryKeyOf(app.key) });
  if (!url.pathname.startsWith(`${API_PREFIX}/`))
    throw new ApiFailure(404, 'not_found', `Nothing at ${url.pathname}; the API is under ${API_PREFIX}/.`);
  let segments: string[];
  try {
    segments = url.pathname
      .slice(API_PREFIX.length + 1)
      .split('/')
      .map(decodeURIComponent);
  } catch {
    throw new ApiFailure(400, 'bad_request', 'The path is not valid percent-encoding.');
  }
  // oxlint-disable-next-line no-control-regex -- a control character in a path segment is refused
  if (segments.some((s) => s === '' || s === '.' || s === '..' || /[\u0000-\u001f\\/]/.test(s)))
    throw new ApiFailure(400, 'bad_request', 'The path has an empty, dot, encoded-slash or control-character segment.');

  if (segments[0] === 'registry' && segments.length === 1 && method === 'GET')
    return sendJson(res, 200, await info(app.db));
  if (segments.join('/') === 'admin/tokens' && method === 'POST') return sendJson(res, 201, await adminToken(app, req));
  // The audit log is public (seeds, Layer 4: "all registry actions are publicly visible"): clients verify its chain.
  if (segments[0] === 'audit-log' && method === 'GET') {
    if (segments.length === 1) return sendJson(res, 200, await auditPage(app.db, url.searchParams));
    if (segments.length === 2 && segments[1] === 'head') return sendJson(res, 200, await signedHead(app));
  }
  if (segments[0] === 'delegations' && segments.length === 1) {
    if (method === 'GET') return sendJson(res, 200, await listDelegations(signerRoutes(app)));
    if (method === 'POST')
      return sendJson(res, 201, await addDelegation(signerRoutes(app), req, await readJson(req, 512 * 1024)));
    throw methodNotAllowed(method);
  }
  if (segments[0] !== 'packages') throw new ApiFailure(404, 'not_found', `Nothing at ${url.pathname}.`);
  if (segments.length === 1) {
    if (method === 'GET') return sendJson(res, 200, await search(app.db, url.searchParams));
    if (method === 'POST') return sendJson(res, 201, await publish(app, req));
    throw methodNotAllowed(method);
  }
  // Scoped routes first (spec §3.2): @scope/name is two segments, never name/version.
  const scoped = segments[1]!.startsWith('@');
  const name = scoped ? `${segments[1]}/${segments[2] ?? ''}` : segments[1]!;
  const rest = segments.slice(scoped ? 3 : 2);
  if (!isValidPackageName(name)) throw new ApiFailure(400, 'invalid_name', `"${name}" is not a valid package name.`);

  if (rest.length === 0) {
    if (method !== 'GET') throw methodNotAllowed(method);
    return sendJson(res, 200, await packageView(app.db, name));
  }
  if (rest[0] === 'audit-log' && rest.length === 1 && method === 'GET')
    return sendJson(res, 200, await auditPage(app.db, url.searchParams, name));
  if (rest[0] === 'owners' && rest.length === 1) {
    if (method === 'GET')
      return sendJson(res, 200, { package: name, owners: (await packageView(app.db, name)).owners });
    if (method === 'PUT') return sendJson(res, 200, await setOwners(app.db, req, name));
    throw methodNotAllowed(method);
  }
  if (rest[0] === 'versions' && rest.length === 1) {
    if (method !== 'GET') throw methodNotAllowed(method);
    return sendJson(res, 200, { name, versions: (await packageView(app.db, name)).versions });
  }
  if (rest[0] === 'tags') {
    if (rest.length === 1 && method === 'GET')
      return sendJson(res, 200, { package: name, tags: (await packageView(app.db, name)).dist_tags });
    if (rest.length === 2 && method === 'PUT') return sendJson(res, 200, await setTag(app.db, req, name, rest[1]!));
    if (rest.length === 2 && method === 'DELETE') {
      await removeTag(app.db, req, name, rest[1]!);
      res.writeHead(204).end();
      return;
    }
    throw methodNotAllowed(method);
  }
  const version = rest[0]!;
  if (!isValidVersion(version)) throw new ApiFailure(400, 'invalid_version', `"${version}" is not a valid version.`);
  if (rest.length === 1) {
    if (method === 'GET') return sendJson(res, 200, await versionView(app.db, name, version));
    if (method === 'DELETE') return sendJson(res, 200, await yank(app.db, req, name, version));
    throw methodNotAllowed(method);
  }
  if (rest.length === 2 && rest[1] === 'download' && method === 'GET') return download(app, res, name, version);
  if (rest.length === 2 && rest[1] === 'attestation' && method === 'GET')
    return attestation(app.db, res, name, version);
  if (rest.length === 2 && rest[1] === 'approve' && method === 'POST')
    return sendJson(res, 201, await approve(app, req, name, version));
  if (rest.length === 2 && rest[1] === 'approvals' && method === 'GET')
    return sendJson(res, 200, await approvalsView(app.db, name, version));
  if (rest.length === 3 && rest[1] === 'signature' && method === 'GET')
    return signature(app.db, res, name, version, rest[2]!);
  if (rest.length === 2 && rest[1] === 'signatures' && method === 'POST')
    return sendJson(res, 201, await addVersionSignature(signerRoutes(app), req, name, version));
  if (rest.length === 3 && rest[1] === 'signatures' && method === 'GET')
    return signatureByDigest(signerRoutes(app), res, name, version, rest[2]!);
  throw new ApiFailure(404, 'not_found', `Nothing at ${url.pathname}.`);
}

// ---------------------------------------------------------------- reading

async function info(db: Queryable): Promise<ApiRegistryInfo> {
  const settings = await registrySettings(db);
  return {
    name: settings.name,
    require_signatures: settings.requireSignatures,
    api_version: 1,
    publish_policy: { require_approval: settings.requireApproval, approvers: settings.approvers },
  };
}

export interface RegistrySettings {
  name: string;
  requireSignatures: boolean;
  /** publish_policy.require_approval: new versions wait for an approver. */
  requireApproval: boolean;
  /** publish_policy.approvers: identity patterns or OpenPGP fingerprints whose signed approvals count. */
  approvers: string[];
}

export async function registrySettings(db: Queryable): Promise<RegistrySettings> {
  const { rows } = await db.query<{ key: string; value: unknown }>('SELECT key, value FROM registry_settings');
  const value = (key: string) => rows.find((r) => r.key === key)?.value;
  const approvers = value('approvers');
  return {
    name: typeof value('name') === 'string' ? (value('name') as string) : 'registry',
    requireSignatures: value('require_signatures') === true,
    requireApproval: value('require_approval') === true,
    approvers: Array.isArray(approvers) ? approvers.filter((a): a is string => typeof a === 'string') : [],
  };
}

interface PackageRow {
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

async function packageRow(db: Queryable, name: string): Promise<PackageRow | undefined> {
  const { scope, name: bare } = parsePackageName(name);
  const { rows } = await db.query<PackageRow>('SELECT * FROM packages WHERE scope = $1 AND name = $2', [
    scope ?? '',
    bare,
  ]);
  return rows[0];
}

async function requirePackage(db: Queryable, name: string): Promise<PackageRow> {
  const row = await packageRow(db, name);
  if (!row) throw new ApiFailure(404, 'package_not_found', `Package '${name}' does not exist`);
  return row;
}

interface VersionRow {
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

interface SignatureRow {
  version_id: string;
  type: 'sigstore' | 'gpg';
  sha256: string;
  size: number;
  record: Record<string, unknown>;
  /** The n-th signature of its kind (several signers: signers.ts). */
  position: number;
}

async function packageView(db: Queryable, name: string): Promise<ApiPackage> {
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
    db.query<{ username: string }>(
      'SELECT u.username FROM package_owners o JOIN users u ON u.id = o.user_id WHERE o.package_id = $1 ORDER BY u.username',
      [row.id],
    ),
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
    owners: owners.rows.map((o) => o.username),
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

function apiVersion(name: string, v: VersionRow, signatures: SignatureRow[]): ApiVersion {
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

async function versionRow(db: Queryable, name: string, version: string): Promise<{ pkg: PackageRow; row: VersionRow }> {
  const pkg = await requirePackage(db, name);
  const { rows } = await db.query<VersionRow>('SELECT * FROM package_versions WHERE package_id = $1 AND version = $2', [
    pkg.id,
    version,
  ]);
  if (!rows[0]) throw new ApiFailure(404, 'version_not_found', `Version ${version} of ${name} does not exist`);
  return { pkg, row: rows[0] };
}

async function versionView(db: Queryable, name: string, version: string) {
  const { pkg, row } = await versionRow(db, name, version);
  const [signatures, tags] = await Promise.all([
    db.query<SignatureRow>(
      'SELECT version_id, type, sha256, octet_length(bytes) AS size, record, position FROM version_signatures WHERE version_id = $1 ORDER BY position, type DESC',
      [row.id],
    ),
    db.query<{ tag: string }>('SELECT tag FROM dist_tags WHERE package_id = $1 AND version = $2 ORDER BY tag', [
      pkg.id,
      version,
    ]),
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
  };
}

async function download(app: RegistryApp, res: ServerResponse, name: string, version: string): Promise<void> {
  const { pkg, row } = await versionRow(app.db, name, version);
  const bytes = await app.blobs.get(row.archive_key.trim());
  if (!bytes || sha256Hex(bytes) !== row.checksum_sha256.trim())
    throw new ApiFailure(
      500,
      'archive_unavailable',
      `The archive of ${name}@${version} is missing from the blob store.`,
    );
  res.writeHead(200, {
    'content-type': 'application/gzip',
    'content-length': String(bytes.length),
    'content-disposition': `attachment; filename="${parsePackageName(name).name}-${version}.aam"`,
    'x-checksum-sha256': row.checksum_sha256.trim(),
  });
  res.end(bytes);
  await app.db
    .query('UPDATE package_versions SET downloads = downloads + 1 WHERE id = $1', [row.id])
    .then(() => app.db.query('UPDATE packages SET downloads_total = downloads_total + 1 WHERE id = $1', [pkg.id]))
    .catch(() => undefined);
}

async function signature(
  db: Queryable,
  res: ServerResponse,
  name: string,
  version: string,
  type: string,
): Promise<void> {
  if (type !== 'sigstore' && type !== 'gpg') throw new ApiFailure(404, 'not_found', `No signature type "${type}".`);
  const { row } = await versionRow(db, name, version);
  const { rows } = await db.query<{ bytes: Uint8Array; sha256: string }>(
    'SELECT bytes, sha256 FROM version_signatures WHERE version_id = $1 AND type = $2 ORDER BY position LIMIT 1',
    [row.id, type],
  );
  const found = rows[0];
  if (!found) throw new ApiFailure(404, 'signature_not_found', `${name}@${version} has no ${type} signature.`);
  const bytes = Buffer.from(found.bytes);
  res.writeHead(200, {
    'content-type': type === 'sigstore' ? 'application/json' : 'application/pgp-signature',
    'content-length': String(bytes.length),
    'x-checksum-sha256': found.sha256.trim(),
  });
  res.end(bytes);
}

async function attestation(db: Queryable, res: ServerResponse, name: string, version: string): Promise<void> {
  const { row } = await versionRow(db, name, version);
  if (!row.attestation)
    throw new ApiFailure(404, 'attestation_not_found', `${name}@${version} has no registry attestation.`);
  sendJson(res, 200, row.attestation);
}

/** Entries of the log (all, or one package's), from a sequence number on: the spec's §3.3.10 shape. */
async function auditPage(db: Queryable, params: URLSearchParams, name?: string) {
  const head = await auditHead(db);
  // Reading the chain (an extension of the spec): every entry after sequence number `after`, in order.
  const after = params.get('after');
  if (after !== null) {
    const from = Math.max(0, Math.trunc(Number(after)) || 0);
    const limit = clamp(Number(params.get('limit') ?? 1000), 1, 1000);
    const entries = await auditEntries(db, { from, limit, package: name ?? params.get('package') ?? undefined });
    return { entries, size: head.size, head_hash: head.head_hash };
  }
  // The spec's query (§3.3.10).
  const time = (key: 'from' | 'to') => {
    const value = params.get(key);
    if (value === null || value === '') return undefined;
    const parsed = Date.parse(value);
    if (Number.isNaN(parsed)) throw new ApiFailure(400, 'bad_request', `${key} must be an ISO 8601 date or time.`);
    return new Date(parsed).toISOString();
  };
  const event = params.get('event') ?? undefined;
  if (event !== undefined && !(AUDIT_EVENTS as readonly string[]).includes(event))
    throw new ApiFailure(400, 'bad_request', `event must be one of ${AUDIT_EVENTS.join(', ')}.`);
  const page = await queryAudit(db, {
    package: name ?? params.get('package') ?? undefined,
    event,
    actor: params.get('actor') ?? undefined,
    from: time('from'),
    to: time('to'),
    page: clamp(Number(params.get('page') ?? 1), 1, 1_000_000),
    limit: clamp(Number(params.get('limit') ?? 50), 1, 200),
  });
  return { ...page, size: head.size, head_hash: head.head_hash };
}

/** The log's head, signed now with the registry key. */
async function signedHead(app: RegistryApp) {
  const [head, settings] = await Promise.all([auditHead(app.db), registrySettings(app.db)]);
  return signHead(
    { registry: settings.name, size: head.size, head_hash: head.head_hash, signed_at: new Date().toISOString() },
    app.key,
  );
}

async function search(db: Queryable, params: URLSearchParams) {
  const q = (params.get('q') ?? '').trim().slice(0, 100);
  const type = params.get('type');
  const limit = clamp(Number(params.get('limit') ?? 20), 1, 100);
  const page = clamp(Number(params.get('page') ?? 1), 1, 1_000_000);
  const conditions: string[] = [];
  const values: unknown[] = [];
  if (q) {
    values.push(`%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
    const p = `$${values.length}`;
    conditions.push(
      `((CASE WHEN p.scope = '' THEN p.name ELSE '@' || p.scope || '/' || p.name END) ILIKE ${p} OR p.description ILIKE ${p} OR p.author ILIKE ${p}
        OR EXISTS (SELECT 1 FROM package_keywords k WHERE k.package_id = p.id AND k.keyword ILIKE ${p}))`,
    );
  }
  if (type) {
    if (!['skill', 'agent', 'prompt', 'instruction'].includes(type))
      throw new ApiFailure(400, 'bad_request', 'type must be skill, agent, prompt or instruction.');
    values.push(type);
    conditions.push(
      `EXISTS (SELECT 1 FROM artifacts a JOIN package_versions v ON v.id = a.version_id WHERE v.package_id = p.id AND a.artifact_type = $${values.length})`,
    );
  }
  const where = conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '';
  const total = Number(
    (await db.query<{ count: number }>(`SELECT COUNT(*)::int AS count FROM packages p ${where}`, values)).rows[0]
      ?.count ?? 0,
  );
  const { rows } = await db.query<PackageRow & { types: string[] | null; keywords: string[] | null }>(
    `SELECT p.*,
            (SELECT array_agg(DISTINCT a.artifact_type) FROM artifacts a JOIN package_versions v ON v.id = a.version_id WHERE v.package_id = p.id) AS types,
            (SELECT array_agg(k.keyword ORDER BY k.keyword) FROM package_keywords k WHERE k.package_id = p.id) AS keywords
       FROM packages p ${where}
      ORDER BY p.scope, p.name LIMIT ${limit} OFFSET ${(page - 1) * limit}`,
    values,
  );
  return {
    packages: rows.map((p) => ({
      name: p.scope ? `@${p.scope}/${p.name}` : p.name,
      scope: p.scope || null,
      description: p.description ?? '',
      author: p.author,
      latest_version: p.latest_version,
      keywords: p.keywords ?? [],
      artifact_types: p.types ?? [],
      downloads: Number(p.downloads_total),
      updated_at: iso(p.updated_at),
    })),
    total,
    page,
    pages: Math.max(1, Math.ceil(total / limit)),
  };
}

// ---------------------------------------------------------------- writing

async function requireCaller(db: Queryable, req: IncomingMessage, scope: string): Promise<Caller> {
  const caller = await authenticate(db, req.headers.authorization);
  if (!caller) throw new ApiFailure(401, 'unauthorized', 'Missing or invalid token: send Authorization: Bearer aam_…');
  if (!caller.scopes.has(scope) && !caller.scopes.has('admin'))
    throw new ApiFailure(403, 'forbidden', `This token lacks the "${scope}" scope.`);
  return caller;
}

async function requireOwner(tx: Queryable, caller: Caller, pkg: PackageRow, name: string): Promise<void> {
  const { rows } = await tx.query('SELECT 1 FROM package_owners WHERE package_id = $1 AND user_id = $2', [
    pkg.id,
    caller.userId,
  ]);
  if (rows.length === 0 && !caller.scopes.has('admin'))
    throw new ApiFailure(403, 'forbidden', `${caller.username} is not an owner of ${name}.`);
}

/**
 * A publish (spec §3.3.5): the archive, and its signature in the same
 * request. The archive is read and validated like any archive; the
 * signature must verify over exactly these bytes, or nothing is stored.
 * One transaction inserts the version and its signature; the row lock on
 * the package and the (package, version) unique key make exactly one of two
 * racing publishes of a version win, on any number of instances.
 */
async function publish(app: RegistryApp, req: IncomingMessage) {
  const caller = await requireCaller(app.db, req, 'publish');
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (declared > MAX_BODY)
    throw new ApiFailure(
      413,
      'too_large',
      `The upload is ${declared} bytes; an archive may be ${MAX_ARCHIVE_BYTES} bytes.`,
    );
  const upload = await readMultipart(req, {
    files: { archive: MAX_ARCHIVE_BYTES, signature: READ_LIMITS.signature },
    fields: { signature_type: 16, public_key: 256 * 1024 },
  }).catch((error: unknown) => {
    if ((error as { tooLarge?: boolean }).tooLarge) throw new ApiFailure(413, 'too_large', messageOf(error));
    throw new ApiFailure(400, 'bad_request', messageOf(error));
  });
  const archive = upload.files.archive;
  if (!archive) throw new ApiFailure(400, 'invalid_archive', 'The request has no "archive" file.');
  let manifest: Manifest;
  try {
    manifest = parseManifest((await readArchive(archive)).manifestText, 'aam.yaml in the archive');
  } catch (error) {
    const code =
      error instanceof AamError && error.code === 'MANIFEST_INVALID' ? 'invalid_manifest' : 'invalid_archive';
    throw new ApiFailure(400, code, messageOf(error));
  }
  const settings = await registrySettings(app.db);
  const signed = await checkSignature(app, upload, archive);
  if (!signed && settings.requireSignatures)
    throw new ApiFailure(
      400,
      'signature_required',
      `Registry "${settings.name}" requires a signature: publish with Sigstore or GPG signing.`,
    );

  const checksum = sha256Hex(archive);
  const key = await app.blobs.put(archive);
  const { scope, name: bare } = parsePackageName(manifest.name);
  try {
    const published = await app.db.transaction(async (tx) => {
      await tx.query(
        `INSERT INTO packages (scope, name, description, author, license, repository)
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (scope, name) DO NOTHING`,
        [
          scope ?? '',
          bare,
          manifest.description,
          manifest.author ?? null,
          manifest.license ?? null,
          manifest.repository ?? null,
        ],
      );
      const pkg = (
        await tx.query<PackageRow>('SELECT * FROM packages WHERE scope = $1 AND name = $2 FOR UPDATE', [
          scope ?? '',
          bare,
        ])
      ).rows[0]!;
      const owners = await tx.query('SELECT 1 FROM package_owners WHERE package_id = $1', [pkg.id]);
      if (owners.rows.length === 0)
        await tx.query('INSERT INTO package_owners (package_id, user_id) VALUES ($1, $2)', [pkg.id, caller.userId]);
      else await requireOwner(tx, caller, pkg, manifest.name);
      const existing = await tx.query('SELECT 1 FROM package_versions WHERE package_id = $1 AND version = $2', [
        pkg.id,
        manifest.version,
      ]);
      if (existing.rows.length > 0)
        throw new ApiFailure(409, 'version_exists', `Version ${manifest.version} of ${manifest.name} already exists`);
      const publishedAt = new Date().toISOString();
      // Validated above (archive, manifest, the author's signature): the registry attests what it accepted.
      const envelope = attest(
        checksum,
        {
          registry: settings.name,
          package: manifest.name,
          version: manifest.version,
          publisher: {
            user: caller.username,
            signer: signed
              ? {
                  type: signed.type,
                  ...(typeof signed.record.identity === 'string' ? { identity: signed.record.identity } : {}),
                  ...(typeof signed.record.issuer === 'string' ? { issuer: signed.record.issuer } : {}),
                  ...(typeof signed.record.fingerprint === 'string' ? { fingerprint: signed.record.fingerprint } : {}),
                }
              : undefined,
          },
          published_at: publishedAt,
        },
        app.key,
      );
      const version = (
        await tx.query<VersionRow>(
          `INSERT INTO package_versions (package_id, version, checksum_sha256, archive_size, archive_key, manifest_json, published_by,
                                         published_at, attestation, approval_status)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING *`,
          [
            pkg.id,
            manifest.version,
            checksum,
            archive.length,
            key,
            JSON.stringify(manifest),
            caller.userId,
            publishedAt,
            JSON.stringify(envelope),
            settings.requireApproval ? 'pending' : 'approved',
          ],
        )
      ).rows[0]!;
      await appendAudit(tx, {
        event: 'package.publish',
        actor: caller.username,
        package: manifest.name,
        version: manifest.version,
        metadata: {
          checksum: `sha256:${checksum}`,
          signature: signed?.type ?? null,
          approval: settings.requireApproval ? 'pending' : 'not required',
        },
      });
      if (signed)
        await tx.query(
          'INSERT INTO version_signatures (version_id, type, bytes, sha256, record, public_key) VALUES ($1, $2, $3, $4, $5, $6)',
          [
            version.id,
            signed.type,
            signed.bytes,
            sha256Hex(signed.bytes),
            JSON.stringify(signed.record),
            signed.publicKey ?? null,
          ],
        );
      for (const [dep, constraint] of Object.entries(manifest.dependencies))
        await tx.query(
          'INSERT INTO dependencies (version_id, dependency_name, version_constraint) VALUES ($1, $2, $3)',
          [version.id, dep, constraint],
        );
      for (const [kind, list] of Object.entries(manifest.artifacts))
        for (const artifact of list)
          await tx.query(
            'INSERT INTO artifacts (version_id, artifact_type, name, description) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING',
            [version.id, kind.replace(/s$/, ''), artifact.name, artifact.description ?? null],
          );
      await tx.query('DELETE FROM package_keywords WHERE package_id = $1', [pkg.id]);
      for (const keyword of new Set(manifest.keywords.map((k) => k.toLowerCase().slice(0, 64))))
        await tx.query('INSERT INTO package_keywords (package_id, keyword) VALUES ($1, $2)', [pkg.id, keyword]);
      // A pending version is not "latest" until it is approved.
      const latest = await installableLatest(tx, pkg.id);
      await tx.query(
        `UPDATE packages SET latest_version = $2, description = $3, author = $4, license = $5, repository = $6, updated_at = NOW()
         WHERE id = $1`,
        [
          pkg.id,
          latest ?? null,
          manifest.description,
          manifest.author ?? null,
          manifest.license ?? null,
          manifest.repository ?? null,
        ],
      );
      await setLatestTag(tx, pkg.id, latest);
      return version;
    });
    app.log?.(
      `published ${manifest.name}@${manifest.version} by ${caller.username}${signed ? ` (${signed.type})` : ''}`,
    );
    const signatures = signed
      ? [
          {
            version_id: published.id,
            type: signed.type,
            sha256: sha256Hex(signed.bytes),
            size: signed.bytes.length,
            record: signed.record,
            position: 1,
          },
        ]
      : [];
    const view = apiVersion(manifest.name, published, signatures);
    return {
      name: manifest.name,
      ...view,
      signature: view.signatures[0]
        ? { type: view.signatures[0].type, identity: view.signatures[0].identity, verified: true }
        : null,
      url: versionPath(manifest.name, manifest.version),
    };
  } catch (error) {
    if (isUniqueViolation(error))
      throw new ApiFailure(409, 'version_exists', `Version ${manifest.version} of ${manifest.name} already exists`);
    throw error;
  }
}

/** The upload's signature, verified over the uploaded archive; a signature that does not verify is refused with why. */
async function checkSignature(
  app: RegistryApp,
  upload: Upload,
  archive: Buffer,
): Promise<
  { type: 'sigstore' | 'gpg'; bytes: Buffer; record: Record<string, unknown>; publicKey?: string } | undefined
> {
  const bytes = upload.files.signature;
  const type = upload.fields.signature_type;
  if (!bytes) {
    if (type) throw new ApiFailure(400, 'bad_request', 'signature_type was given without a signature.');
    return undefined;
  }
  if (type !== 'sigstore' && type !== 'gpg')
    throw new ApiFailure(400, 'bad_request', 'signature_type must be "sigstore" or "gpg".');
  let check: SignatureCheck;
  if (type === 'sigstore') check = verifySigstoreBundle(bytes, archive, { root: app.sigstoreRoot, requireTlog: true });
  else {
    const publicKey = upload.fields.public_key;
    if (!publicKey)
      throw new ApiFailure(
        400,
        'signature_invalid',
        'A GPG signature needs its public key (the "public_key" field) to be checked.',
      );
    check = await verifyDetachedSignature(archive, bytes, new ArmoredKeyring(publicKey));
  }
  if (check.state !== 'valid')
    throw new ApiFailure(
      400,
      'signature_invalid',
      `The signature does not verify over the uploaded archive: ${check.state === 'invalid' ? check.reason : 'no signature'}.`,
    );
  return {
    type,
    bytes,
    record: recordOf(check) as Record<string, unknown>,
    ...(type === 'gpg' ? { publicKey: upload.fields.public_key } : {}),
  };
}

async function yank(db: Database, req: IncomingMessage, name: string, version: string) {
  const caller = await requireCaller(db, req, 'yank');
  return db.transaction(async (tx) => {
    const pkg = await requirePackage(tx, name);
    await requireOwner(tx, caller, pkg, name);
    const { rows } = await tx.query<{ yanked_at: Date }>(
      `UPDATE package_versions SET yanked = TRUE, yanked_at = COALESCE(yanked_at, NOW())
        WHERE package_id = $1 AND version = $2 RETURNING yanked_at`,
      [pkg.id, version],
    );
    if (!rows[0]) throw new ApiFailure(404, 'version_not_found', `Version ${version} of ${name} does not exist`);
    const latest = await installableLatest(tx, pkg.id);
    await appendAudit(tx, { event: 'version.yank', actor: caller.username, package: name, version });
    await tx.query('UPDATE packages SET latest_version = $2, updated_at = NOW() WHERE id = $1', [
      pkg.id,
      latest ?? null,
    ]);
    await setLatestTag(tx, pkg.id, latest);
    return { name, version, yanked: true, yanked_at: iso(rows[0].yanked_at) };
  });
}

/**
 * Sets a package's owners (an owner or an admin; the users must exist): a
 * transfer when the new list leaves the caller out. An audit event, like
 * every change of who may publish.
 */
async function setOwners(db: Database, req: IncomingMessage, name: string) {
  const caller = await requireCaller(db, req, 'publish');
  const owners = (await readJson(req)) as { owners?: unknown };
  const wanted = owners.owners;
  if (
    !Array.isArray(wanted) ||
    wanted.length === 0 ||
    wanted.length > 100 ||
    !wanted.every((o): o is string => typeof o === 'string' && o.length > 0 && o.length <= 64)
  )
    throw new ApiFailure(400, 'bad_request', 'The body must be {"owners": ["username", …]} with at least one owner.');
  const next = [...new Set(wanted)].sort();
  return db.transaction(async (tx) => {
    const pkg = await requirePackage(tx, name);
    await requireOwner(tx, caller, pkg, name);
    const users = await tx.query<{ id: string; username: string }>(
      'SELECT id, username FROM users WHERE username = ANY($1::text[])',
      [next],
    );
    const unknown = next.filter((u) => !users.rows.some((r) => r.username === u));
    if (unknown.length > 0)
      throw new ApiFailure(404, 'user_not_found', `No user named ${unknown.join(', ')} on this registry.`);
    const before = (
      await tx.query<{ username: string }>(
        'SELECT u.username FROM package_owners o JOIN users u ON u.id = o.user_id WHERE o.package_id = $1 ORDER BY u.username',
        [pkg.id],
      )
    ).rows.map((r) => r.username);
    if (before.join('\n') === next.join('\n')) return { package: name, owners: next };
    await tx.query('DELETE FROM package_owners WHERE package_id = $1', [pkg.id]);
    for (const user of users.rows)
      await tx.query('INSERT INTO package_owners (package_id, user_id) VALUES ($1, $2)', [pkg.id, user.id]);
    await appendAudit(tx, {
      event: 'ownership.transfer',
      actor: caller.username,
      package: name,
      version: null,
      metadata: { from: before.join(', '), to: next.join(', ') },
    });
    return { package: name, owners: next };
  });
}

const TAG = /^[a-z][a-z0-9._-]{0,63}$/;

async function setTag(db: Database, req: IncomingMessage, name: string, tag: string) {
  const caller = await requireCaller(db, req, 'publish');
  if (!TAG.test(tag)) throw new ApiFailure(400, 'bad_request', `"${tag}" is not a valid tag name.`);
  const body = await readJson(req);
  const version = (body as { version?: unknown }).version;
  if (typeof version !== 'string' || !isValidVersion(version))
    throw new ApiFailure(400, 'bad_request', 'The body must be {"version": "<semver>"}.');
  return db.transaction(async (tx) => {
    const pkg = await requirePackage(tx, name);
    await requireOwner(tx, caller, pkg, name);
    const exists = await tx.query<{ approval_status: string }>(
      'SELECT approval_status FROM package_versions WHERE package_id = $1 AND version = $2',
      [pkg.id, version],
    );
    if (exists.rows.length === 0)
      throw new ApiFailure(404, 'version_not_found', `Version ${version} of ${name} does not exist`);
    // A tag is how a range or "latest" finds a version: a version waiting for approval gets none.
    if (exists.rows[0]!.approval_status !== 'approved')
      throw new ApiFailure(
        409,
        'conflict',
        `${name}@${version} is ${exists.rows[0]!.approval_status === 'pending' ? 'waiting for approval' : 'rejected'}: it cannot be tagged.`,
      );
    await tx.query(
      `INSERT INTO dist_tags (package_id, tag, version) VALUES ($1, $2, $3)
       ON CONFLICT (package_id, tag) DO UPDATE SET version = EXCLUDED.version, updated_at = NOW()`,
      [pkg.id, tag, version],
    );
    await appendAudit(tx, { event: 'tag.set', actor: caller.username, package: name, version, metadata: { tag } });
    return { package: name, tag, version };
  });
}

async function removeTag(db: Database, req: IncomingMessage, name: string, tag: string): Promise<void> {
  const caller = await requireCaller(db, req, 'publish');
  if (tag === 'latest')
    throw new ApiFailure(400, 'bad_request', 'The "latest" tag follows the highest version; it is not removed.');
  await db.transaction(async (tx) => {
    const pkg = await requirePackage(tx, name);
    await requireOwner(tx, caller, pkg, name);
    const removed = await tx.query<{ version: string }>(
      'DELETE FROM dist_tags WHERE package_id = $1 AND tag = $2 RETURNING version',
      [pkg.id, tag],
    );
    if (removed.rows[0])
      await appendAudit(tx, {
        event: 'tag.remove',
        actor: caller.username,
        package: name,
        version: removed.rows[0].version,
        metadata: { tag },
      });
  });
}

/** A token made by the host's administrator (who can read the data folder's admin key). */
async function adminToken(app: RegistryApp, req: IncomingMessage) {
  const key = req.headers['x-aam-admin-key'];
  if (
    !app.adminKeyHash ||
    typeof key !== 'string' ||
    !timingSafeEqual(Buffer.from(tokenHash(key)), Buffer.from(app.adminKeyHash))
  )
    throw new ApiFailure(403, 'forbidden', 'Only the registry host can create tokens this way.');
  const body = (await readJson(req)) as { user?: unknown; scopes?: unknown; name?: unknown };
  if (typeof body.user !== 'string') throw new ApiFailure(400, 'bad_request', 'The body must name a "user".');
  const scopes = Array.isArray(body.scopes) ? body.scopes.filter((s): s is string => typeof s === 'string') : [];
  try {
    return await createToken(app.db, {
      user: body.user,
      scopes,
      name: typeof body.name === 'string' ? body.name : undefined,
    });
  } catch (error) {
    throw new ApiFailure(400, 'bad_request', messageOf(error));
  }
}

/**
 * An approval or rejection (spec §3.3.8), signed by the approver: the
 * document must name this registry, package, version and archive, its
 * signature must verify, and its signer must be one of publish_policy's
 * approvers — the token only says who sent it.
 */
async function approve(app: RegistryApp, req: IncomingMessage, name: string, version: string) {
  const caller = await authenticate(app.db, req.headers.authorization);
  if (!caller) throw new ApiFailure(401, 'unauthorized', 'Missing or invalid token: send Authorization: Bearer aam_…');
  const body = (await readJson(req, 2 * 1024 * 1024)) as {
    status?: unknown;
    comment?: unknown;
    document?: unknown;
    signature?: unknown;
    signature_type?: unknown;
    public_key?: unknown;
  };
  if (body.status !== 'approved' && body.status !== 'rejected')
    throw new ApiFailure(400, 'bad_request', 'status must be "approved" or "rejected".');
  if (typeof body.document !== 'string' || typeof body.signature !== 'string')
    throw new ApiFailure(400, 'bad_request', 'An approval carries its signed document and signature (base64).');
  if (body.signature_type !== 'sigstore' && body.signature_type !== 'gpg')
    throw new ApiFailure(400, 'bad_request', 'signature_type must be "sigstore" or "gpg".');
  const settings = await registrySettings(app.db);
  const { row } = await versionRow(app.db, name, version);
  const documentBytes = Buffer.from(body.document, 'base64');
  const signature = Buffer.from(body.signature, 'base64');
  const document = parseApprovalDocument(documentBytes);
  if (
    !document ||
    document.registry !== settings.name ||
    document.package !== name ||
    document.version !== version ||
    document.sha256 !== row.checksum_sha256.trim() ||
    document.status !== body.status
  )
    throw new ApiFailure(
      400,
      'invalid_approval',
      `The approval document must name registry "${settings.name}", ${name}@${version}, its archive's SHA-256 and the same status.`,
    );
  if (!(Date.parse(document.at) <= Date.now() + 5 * 60_000))
    throw new ApiFailure(400, 'invalid_approval', 'The approval is dated in the future (or not dated).');
  const check: SignatureCheck =
    body.signature_type === 'sigstore'
      ? verifySigstoreBundle(signature, documentBytes, { root: app.sigstoreRoot, requireTlog: true })
      : typeof body.public_key === 'string'
        ? await verifyDetachedSignature(documentBytes, signature, new ArmoredKeyring(body.public_key))
        : { state: 'invalid', type: 'gpg', code: 'KEY_UNKNOWN', reason: 'a GPG approval needs its public key' };
  if (check.state !== 'valid')
    throw new ApiFailure(
      400,
      'signature_invalid',
      `The approval's signature does not verify: ${check.state === 'invalid' ? check.reason : 'no signature'}.`,
    );
  const approver = approverMatch(check.signer, settings.approvers);
  if (!approver)
    throw new ApiFailure(
      403,
      'forbidden',
      `The approval is signed by ${describeSigner(check.signer)}, who is not one of the registry's approvers.`,
    );
  const record = recordOf(check) as Record<string, unknown>;
  return app.db.transaction(async (tx) => {
    // Decisions on one version are serialised: each sees the ones before it.
    await tx.query('SELECT id FROM package_versions WHERE id = $1 FOR UPDATE', [row.id]);
    const mine = (
      await tx.query<{ document: Uint8Array }>(
        'SELECT document FROM approvals WHERE version_id = $1 AND approver = $2',
        [row.id, caller.username],
      )
    ).rows[0];
    const before = mine && parseApprovalDocument(mine.document);
    if (before && before.at > document.at)
      throw new ApiFailure(
        409,
        'conflict',
        `A later decision (${before.status}, signed ${before.at}) was already sent with this token; an older one does not replace it.`,
      );
    await tx.query(
      `INSERT INTO approvals (version_id, approver, status, comment, document, signature, signature_type, public_key, signer)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       ON CONFLICT (version_id, approver) DO UPDATE SET status = EXCLUDED.status, comment = EXCLUDED.comment,
         document = EXCLUDED.document, signature = EXCLUDED.signature, signature_type = EXCLUDED.signature_type,
         public_key = EXCLUDED.public_key, signer = EXCLUDED.signer, created_at = NOW()`,
      [
        row.id,
        caller.username,
        document.status,
        document.comment,
        documentBytes,
        signature,
        body.signature_type,
        typeof body.public_key === 'string' ? body.public_key : null,
        JSON.stringify({ ...record, approver_entry: approver }),
      ],
    );
    // The most recent decision (by the time it was signed) stands: an older approval sent again
    // (by anyone holding a token) does not undo a later rejection.
    const decisions = (
      await tx.query<{ document: Uint8Array }>('SELECT document FROM approvals WHERE version_id = $1', [row.id])
    ).rows
      .map((r) => parseApprovalDocument(r.document))
      .filter((d): d is NonNullable<typeof d> => d !== undefined)
      .sort((a, b) => a.at.localeCompare(b.at));
    const status = decisions.at(-1)?.status ?? document.status;
    await tx.query('UPDATE package_versions SET approval_status = $2 WHERE id = $1', [row.id, status]);
    const pkg = (
      await tx.query<PackageRow>(
        'SELECT * FROM packages WHERE id = (SELECT package_id FROM package_versions WHERE id = $1) FOR UPDATE',
        [row.id],
      )
    ).rows[0]!;
    const latest = await installableLatest(tx, pkg.id);
    await tx.query('UPDATE packages SET latest_version = $2, updated_at = NOW() WHERE id = $1', [
      pkg.id,
      latest ?? null,
    ]);
    await setLatestTag(tx, pkg.id, latest);
    await appendAudit(tx, {
      event: document.status === 'approved' ? 'version.approve' : 'version.reject',
      actor: caller.username,
      package: name,
      version,
      metadata: { signer: describeSigner(check.signer), comment: document.comment || null },
    });
    return {
      approver: caller.username,
      status: document.status,
      comment: document.comment,
      signer: describeSigner(check.signer),
      created_at: new Date().toISOString(),
      /** What the version's status is now: the most recent decision. */
      approval_status: status,
    };
  });
}

/** A version's approvals with what proves them (document, signature, key), for clients to check themselves. */
async function approvalsView(db: Queryable, name: string, version: string) {
  const { row } = await versionRow(db, name, version);
  const { rows } = await db.query<{
    approver: string;
    status: string;
    comment: string | null;
    document: Uint8Array;
    signature: Uint8Array;
    signature_type: string;
    public_key: string | null;
    created_at: Date;
  }>('SELECT * FROM approvals WHERE version_id = $1 ORDER BY created_at', [row.id]);
  return {
    package: name,
    version,
    approval_status: row.approval_status,
    approvals: rows.map((a) => ({
      approver: a.approver,
      status: a.status,
      comment: a.comment ?? '',
      created_at: iso(a.created_at),
      document: Buffer.from(a.document).toString('base64'),
      signature: Buffer.from(a.signature).toString('base64'),
      signature_type: a.signature_type,
      public_key: a.public_key,
    })),
  };
}

// ---------------------------------------------------------------- helpers

/** What the routes of several signers (signers.ts) need of this server. */
function signerRoutes(app: RegistryApp): SignerRoutes {
  return {
    db: app.db,
    blobs: app.blobs,
    caller: (req, scope) => requireCaller(app.db, req, scope),
    version: async (name, version) => (await versionRow(app.db, name, version)).row,
    verify: (upload, archive) => checkSignature(app, upload, archive),
    fail: (status, code, message) => new ApiFailure(status, code, message),
  };
}

async function readJson(req: IncomingMessage, limit = 64 * 1024): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new ApiFailure(413, 'too_large', `The JSON body is larger than ${limit} bytes.`);
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch {
    throw new ApiFailure(400, 'bad_request', 'The body is not JSON.');
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(text)),
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  });
  res.end(text);
}

function methodNotAllowed(method: string): ApiFailure {
  return new ApiFailure(405, 'method_not_allowed', `${method} is not allowed here.`);
}

/** "latest" follows the highest installable version, or is not there at all. */
async function setLatestTag(tx: Queryable, packageId: string, latest: string | undefined): Promise<void> {
  if (latest)
    await tx.query(
      `INSERT INTO dist_tags (package_id, tag, version) VALUES ($1, 'latest', $2)
       ON CONFLICT (package_id, tag) DO UPDATE SET version = EXCLUDED.version, updated_at = NOW()`,
      [packageId, latest],
    );
  else await tx.query(`DELETE FROM dist_tags WHERE package_id = $1 AND tag = 'latest'`, [packageId]);
}

/** The highest version an install may pick: not yanked, and approved (or needing no approval). */
async function installableLatest(tx: Queryable, packageId: string): Promise<string | undefined> {
  const { rows } = await tx.query<{ version: string }>(
    `SELECT version FROM package_versions WHERE package_id = $1 AND NOT yanked AND approval_status = 'approved'`,
    [packageId],
  );
  return highest(rows.map((r) => r.version));
}

function highest(versions: string[]): string | undefined {
  return versions.filter(isValidVersion).map(parseVersion).sort(compareVersions).at(-1)?.raw;
}

function iso(date: Date | string): string {
  return new Date(date).toISOString();
}

function clamp(value: number, min: number, max: number): number {
  return Number.isFinite(value) ? Math.min(max, Math.max(min, Math.trunc(value))) : min;
}
