import { ERROR_SCHEMA } from './errors.ts';
import { USERNAME } from './tokens.ts';

/**
 * The API's shared models as JSON Schema, declared once: the routes refer to
 * them by `$id`, Fastify validates and serializes with them, and the OpenAPI
 * document (/api/v1/openapi.json) lists them as its components.
 */

const str = { type: 'string' } as const;
const nullableStr = { type: ['string', 'null'] } as const;
const dateTime = { type: 'string', format: 'date-time' } as const;
const sha256 = { type: 'string', pattern: '^[0-9a-f]{64}$' } as const;

/** Path parameters: a scope and a name as the spec's §9.2 has them; versions as the database accepts them. */
export const SCOPE_PATTERN = '^[a-z0-9][a-z0-9_-]{0,63}$';
export const NAME_PATTERN = '^[a-z0-9][a-z0-9-]{0,63}$';
export const VERSION_PATTERN = '^(0|[1-9]\\d*)\\.(0|[1-9]\\d*)\\.(0|[1-9]\\d*)(-[0-9A-Za-z.-]+)?(\\+[0-9A-Za-z.-]+)?$';
/** SemVer 2.0.0 exactly (semver.org's expression): what a new version must be, so precedence is never ambiguous. */
export const STRICT_VERSION =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;
export const TAG_PATTERN = '^[a-z][a-z0-9._-]{0,63}$';

const Signature = {
  $id: 'Signature',
  type: 'object',
  description: 'A signature stored with a version; `url` serves its exact bytes.',
  required: ['type', 'verified', 'sha256', 'size', 'url'],
  additionalProperties: false,
  properties: {
    type: { enum: ['sigstore', 'gpg'] },
    identity: nullableStr,
    issuer: nullableStr,
    fingerprint: nullableStr,
    transparency_log: {
      type: ['object', 'null'],
      required: ['log_index', 'url'],
      additionalProperties: false,
      properties: { log_index: str, url: nullableStr },
    },
    signed_at: nullableStr,
    verified: { type: 'boolean' },
    sha256,
    size: { type: 'integer' },
    url: str,
    /** Its file name in a registry folder (`1.0.0.aam.2.asc`…): several signers (an extension of the spec). */
    file: str,
  },
} as const;

export const versionProperties = {
  version: str,
  published_at: dateTime,
  yanked: { type: 'boolean' },
  checksum: { type: 'object', required: ['sha256'], additionalProperties: false, properties: { sha256 } },
  archive_size: { type: 'integer' },
  dependencies: { type: 'object', additionalProperties: str },
  signatures: { type: 'array', items: { $ref: 'Signature#' } },
  download_url: str,
  attestation: {
    type: ['object', 'null'],
    required: ['key_id', 'url'],
    additionalProperties: false,
    properties: { key_id: str, url: str },
  },
  approval_status: { enum: ['approved', 'pending', 'rejected'] },
} as const;
export const versionRequired = [
  'version',
  'published_at',
  'yanked',
  'checksum',
  'archive_size',
  'dependencies',
  'signatures',
  'download_url',
  'attestation',
  'approval_status',
] as const;

const Version = {
  $id: 'Version',
  type: 'object',
  description:
    'A version as a package lists it: with its checksum, dependencies and signatures, so a resolve is one request.',
  required: versionRequired,
  additionalProperties: false,
  properties: versionProperties,
} as const;

const Package = {
  $id: 'Package',
  type: 'object',
  required: [
    'name',
    'scope',
    'description',
    'author',
    'license',
    'repository',
    'homepage',
    'keywords',
    'latest_version',
    'created_at',
    'updated_at',
    'owners',
    'dist_tags',
    'versions',
  ],
  additionalProperties: false,
  properties: {
    name: str,
    scope: nullableStr,
    description: str,
    author: nullableStr,
    license: nullableStr,
    repository: nullableStr,
    homepage: nullableStr,
    keywords: { type: 'array', items: str },
    latest_version: nullableStr,
    created_at: dateTime,
    updated_at: dateTime,
    owners: { type: 'array', items: str, description: 'Usernames; never an email.' },
    dist_tags: { type: 'object', additionalProperties: str },
    versions: { type: 'array', items: { $ref: 'Version#' } },
  },
} as const;

const EvalResult = {
  $id: 'EvalResult',
  type: 'object',
  required: [
    'id',
    'eval_name',
    'status',
    'metrics',
    'run_at',
    'runner_identity',
    'environment',
    'uploaded_by',
    'created_at',
  ],
  additionalProperties: false,
  properties: {
    id: str,
    eval_name: str,
    status: { enum: ['passed', 'failed', 'error', 'skipped'] },
    metrics: { type: 'object', additionalProperties: { type: 'number' } },
    run_at: dateTime,
    runner_identity: nullableStr,
    environment: { type: ['object', 'null'], additionalProperties: str },
    uploaded_by: { ...nullableStr, description: 'The username of the owner who uploaded it.' },
    created_at: dateTime,
  },
} as const;

const VersionDetail = {
  $id: 'VersionDetail',
  type: 'object',
  description: 'A version with its manifest’s description, artifacts, tags and eval results (§3.3.3).',
  required: [
    ...versionRequired,
    'name',
    'scope',
    'description',
    'author',
    'license',
    'repository',
    'signature',
    'artifacts',
    'dist_tags',
    'yanked_at',
    'eval_results',
  ],
  additionalProperties: false,
  properties: {
    ...versionProperties,
    name: str,
    scope: nullableStr,
    description: str,
    author: nullableStr,
    license: nullableStr,
    repository: nullableStr,
    signature: {
      type: ['object', 'null'],
      required: ['type', 'identity', 'issuer', 'transparency_log', 'verified'],
      additionalProperties: false,
      properties: {
        type: { enum: ['sigstore', 'gpg'] },
        identity: nullableStr,
        issuer: nullableStr,
        transparency_log: nullableStr,
        verified: { type: 'boolean' },
      },
    },
    artifacts: {
      type: 'object',
      additionalProperties: {
        type: 'array',
        items: {
          type: 'object',
          required: ['name', 'description'],
          additionalProperties: false,
          properties: { name: str, description: str },
        },
      },
    },
    dist_tags: { type: 'array', items: str },
    yanked_at: { type: ['string', 'null'], format: 'date-time' },
    eval_results: { type: 'array', items: { $ref: 'EvalResult#' } },
  },
} as const;

const AuditEntry = {
  $id: 'AuditEntry',
  type: 'object',
  description: 'One link of the hash chain: `hash` covers the entry and `prev_hash`.',
  required: ['seq', 'event', 'actor', 'package', 'version', 'timestamp', 'metadata', 'prev_hash', 'hash'],
  additionalProperties: false,
  properties: {
    id: str,
    seq: { type: 'integer' },
    event: str,
    actor: { ...str, description: 'A username.' },
    package: str,
    version: nullableStr,
    timestamp: str,
    metadata: { type: 'object', additionalProperties: true },
    prev_hash: sha256,
    hash: sha256,
  },
} as const;

export const tokenProperties = {
  id: str,
  name: str,
  kind: { enum: ['api', 'session'] },
  scopes: { type: 'array', items: { enum: ['read', 'publish', 'yank', 'admin', 'operator'] } },
  created_at: dateTime,
  last_used_at: { type: ['string', 'null'], format: 'date-time' },
  expires_at: { type: ['string', 'null'], format: 'date-time' },
} as const;
export const tokenRequired = ['id', 'name', 'kind', 'scopes', 'created_at', 'last_used_at', 'expires_at'] as const;

const Token = {
  $id: 'Token',
  type: 'object',
  description: 'A token as its user sees it after it was made: never the token itself.',
  required: tokenRequired,
  additionalProperties: false,
  properties: tokenProperties,
} as const;

const Username = { $id: 'Username', type: 'string', pattern: USERNAME } as const;

/** Every shared schema, in the order they refer to each other. */
export const SHARED_SCHEMAS = [
  ERROR_SCHEMA,
  Signature,
  Version,
  Package,
  EvalResult,
  VersionDetail,
  AuditEntry,
  Token,
  Username,
] as const;

export const ref = (id: (typeof SHARED_SCHEMAS)[number]['$id']) => ({ $ref: `${id}#` }) as const;

/** The refusals a route may answer with, each the spec's error body. */
export function errors(...statuses: number[]): Record<number, { $ref: string }> {
  return Object.fromEntries(statuses.map((s) => [s, ref('Error')]));
}

/** The answer with a signature's exact bytes: a Sigstore bundle or an armored OpenPGP signature. */
export const SIGNATURE_BYTES = {
  description: 'A Sigstore bundle (application/json) or an armored OpenPGP signature (application/pgp-signature).',
  content: {
    'application/json': { schema: { type: 'string', format: 'binary' } },
    'application/pgp-signature': { schema: { type: 'string', format: 'binary' } },
  },
};
