import { isChecksum } from '../archive/hash.ts';
import { parsePackageName } from '../model/names.ts';
import { isValidVersion } from '../model/versions.ts';
import { parseSignatureFileName, signatureFileName } from './layout.ts';
import type { PackageMetadata, SignatureRecord, VersionEntry } from './metadata.ts';

/**
 * The wire format of AAM's HTTP registry API (../shared/seeds/http-registry-spec.md §3),
 * shared by `aam-trust registry serve` and the client. Where the spec lists
 * only a version's number and date, a package's versions here also carry their
 * checksum, dependencies and signatures, so a resolve is one request.
 */
export const API_PREFIX = '/api/v1';

/** How the registry describes itself (GET /api/v1/registry). */
export interface ApiRegistryInfo {
  name: string;
  require_signatures: boolean;
  api_version: 1;
  publish_policy?: { require_approval: boolean; approvers: string[] };
}

/** A signature stored with a version; `url` serves its exact bytes. */
export interface ApiSignature {
  type: 'sigstore' | 'gpg';
  identity?: string | null;
  issuer?: string | null;
  fingerprint?: string | null;
  transparency_log?: { log_index: string; url: string | null } | null;
  signed_at?: string | null;
  /** Verified by the registry over the uploaded archive before it was accepted. */
  verified: boolean;
  sha256: string;
  size: number;
  url: string;
  /** Its name in a registry folder (`1.0.0.aam.sigstore.json`, `1.0.0.aam.2.asc`); absent: the first of its kind. */
  file?: string;
}

export interface ApiVersion {
  version: string;
  published_at: string;
  yanked: boolean;
  checksum: { sha256: string };
  archive_size: number;
  dependencies: Record<string, string>;
  signatures: ApiSignature[];
  download_url: string;
  /** The registry's attestation of this version (a DSSE envelope at `url`), signed with key `key_id`. */
  attestation?: { key_id: string; url: string } | null;
  /** With publish_policy.require_approval: pending until an approver approves; rejected never installs. */
  approval_status?: 'approved' | 'pending' | 'rejected';
}

/** One approver's signed decision on a version (GET …/{version}/approvals): the proof travels with it. */
export interface ApiApproval {
  approver: string;
  status: 'approved' | 'rejected';
  comment: string;
  created_at: string;
  /** The canonical approval document (base64) the signature covers. */
  document: string;
  signature: string;
  signature_type: 'sigstore' | 'gpg';
  public_key: string | null;
}

export interface ApiApprovals {
  package: string;
  version: string;
  approval_status: 'approved' | 'pending' | 'rejected';
  approvals: ApiApproval[];
}

export interface ApiPackage {
  name: string;
  scope: string | null;
  description: string;
  author: string | null;
  license: string | null;
  repository: string | null;
  homepage: string | null;
  keywords: string[];
  latest_version: string | null;
  created_at: string;
  updated_at: string;
  owners: string[];
  dist_tags: Record<string, string>;
  versions: ApiVersion[];
}

/** One run of an evaluation against a version (§3.3.9), as its owner uploaded it. */
export interface ApiEvalResult {
  eval_name: string;
  status: 'passed' | 'failed' | 'error' | 'skipped';
  metrics: Record<string, number>;
  run_at: string;
  runner_identity: string | null;
  uploaded_by: string | null;
}

/** Eval results as a registry lists them, kept only where each field is what it should be. */
export function evalResultsFromApi(raw: unknown): ApiEvalResult[] {
  return (Array.isArray(raw) ? raw : []).flatMap((r): ApiEvalResult[] => {
    const e = (r && typeof r === 'object' ? r : {}) as Record<string, unknown>;
    if (typeof e.eval_name !== 'string' || typeof e.run_at !== 'string') return [];
    if (e.status !== 'passed' && e.status !== 'failed' && e.status !== 'error' && e.status !== 'skipped') return [];
    const metrics =
      e.metrics && typeof e.metrics === 'object' && !Array.isArray(e.metrics)
        ? Object.fromEntries(Object.entries(e.metrics).filter(([, v]) => typeof v === 'number' && Number.isFinite(v)))
        : {};
    return [
      {
        eval_name: e.eval_name,
        status: e.status,
        metrics: metrics as Record<string, number>,
        run_at: e.run_at,
        runner_identity: str(e.runner_identity) ?? null,
        uploaded_by: str(e.uploaded_by) ?? null,
      },
    ];
  });
}

/** The §3 error body: `{ error, message, details? }`. */
export interface ApiError {
  error: string;
  message: string;
  details?: unknown;
}

/** `/api/v1/packages/@scope/name` or `/api/v1/packages/name`, each segment encoded. */
export function packagePath(name: string): string {
  const { scope, name: bare } = parsePackageName(name);
  return `${API_PREFIX}/packages/${scope === undefined ? '' : `@${encodeURIComponent(scope)}/`}${encodeURIComponent(bare)}`;
}

export function versionPath(name: string, version: string): string {
  if (!isValidVersion(version)) throw new Error(`"${version}" is not a valid version.`);
  return `${packagePath(name)}/${encodeURIComponent(version)}`;
}

/**
 * A package as the client works with it, read defensively: the server is
 * input, not trusted state, exactly like a shared registry folder.
 */
export function metadataFromApi(raw: unknown, name: string): PackageMetadata {
  const body = (raw && typeof raw === 'object' ? raw : {}) as Partial<ApiPackage>;
  const versions = (Array.isArray(body.versions) ? body.versions : []).flatMap((v): VersionEntry[] => {
    if (!v || typeof v !== 'object' || typeof v.version !== 'string' || !isValidVersion(v.version)) return [];
    const checksum = `sha256:${String(v.checksum?.sha256 ?? '')}`;
    if (!isChecksum(checksum)) return [];
    const count = { sigstore: 0, gpg: 0 };
    const signatures = (Array.isArray(v.signatures) ? v.signatures : []).flatMap((s): SignatureRecord[] => {
      const record =
        s && (s.type === 'sigstore' || s.type === 'gpg') ? signatureRecordOf(s, v.version, ++count[s.type]) : undefined;
      return record ? [record] : [];
    });
    return [
      {
        version: v.version,
        published: String(v.published_at ?? ''),
        checksum,
        size: Number(v.archive_size ?? 0),
        dependencies: stringMap(v.dependencies),
        ...(v.yanked === true ? { yanked: true } : {}),
        ...(v.approval_status === 'pending' || v.approval_status === 'rejected' ? { approval: v.approval_status } : {}),
        ...(signatures.length > 0 ? { signatures } : {}),
      },
    ];
  });
  return {
    name: typeof body.name === 'string' ? body.name : name,
    description: typeof body.description === 'string' ? body.description : '',
    author: str(body.author) ?? null,
    license: str(body.license) ?? null,
    repository: str(body.repository) ?? null,
    keywords: Array.isArray(body.keywords) ? body.keywords.filter((k): k is string => typeof k === 'string') : [],
    dist_tags: stringMap(body.dist_tags),
    versions,
  };
}

/** A listed signature as registry metadata describes it, named as in a registry folder (the n-th of its kind). */
export function signatureRecordOf(s: Partial<ApiSignature>, version: string, n: number): SignatureRecord | undefined {
  if (s?.type !== 'sigstore' && s?.type !== 'gpg') return undefined;
  return {
    type: s.type,
    identity: str(s.identity),
    issuer: str(s.issuer),
    fingerprint: str(s.fingerprint),
    transparency_log:
      s.transparency_log && typeof s.transparency_log.log_index === 'string'
        ? { log_index: s.transparency_log.log_index, url: str(s.transparency_log.url) }
        : undefined,
    signed_at: str(s.signed_at),
    file: signatureFileOf(s, version, n),
  };
}

/** The name a listed signature has in a registry folder: the server's, when it is a valid one of its kind, else the n-th of its kind. */
export function signatureFileOf(signature: Partial<ApiSignature>, version: string, n: number): string {
  const named = typeof signature.file === 'string' ? parseSignatureFileName(version, signature.file) : undefined;
  return named && named.type === signature.type ? signature.file! : signatureFileName(version, signature.type!, n);
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function stringMap(value: unknown): Record<string, string> {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return {};
  return Object.fromEntries(Object.entries(value).filter(([, v]) => typeof v === 'string')) as Record<string, string>;
}

/** The owners in an answer of …/owners, read defensively. */
export function ownersOf(body: unknown): string[] {
  const owners = (body as { owners?: unknown } | undefined)?.owners;
  return Array.isArray(owners) ? owners.filter((o): o is string => typeof o === 'string') : [];
}
