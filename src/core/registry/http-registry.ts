import { readArchive as readArchiveContents } from '../archive/read.ts';
import { MAX_ARCHIVE_BYTES } from '../archive/limits.ts';
import { AamError, messageOf } from '../errors.ts';
import { READ_LIMITS } from '../fs/safe-read.ts';
import { parseManifest } from '../package/manifest.ts';
import { API_PREFIX, evalResultsFromApi, metadataFromApi, packagePath, versionPath } from './http-api.ts';
import type { ApiApproval, ApiApprovals, ApiError, ApiEvalResult, ApiRegistryInfo, ApiVersion } from './http-api.ts';
import { SIGNATURE_SUFFIX } from './layout.ts';
import type { PackageMetadata, SignatureRecord, VersionEntry } from './metadata.ts';
import type { RegistryKey } from './attestation.ts';
import type { AuditEntry, AuditHead } from './audit-log.ts';
import { refusalFor, resolveIn } from './registry.ts';
import type { PublishRequest, PublishResult, Registry, SignatureToStore, StoredSignature } from './registry.ts';
import { addHttpDelegation, addHttpSignature, readHttpDelegations, readHttpSignatures } from './http-signatures.ts';
import { parseApprovalDocument } from './approval.ts';
import { forbidden } from './http-refusal.ts';
import type { Subject } from './http-refusal.ts';
import type { ApprovalStatus } from '../messages/outcomes.ts';

export interface HttpRegistryOptions {
  /** The API token for publishing (credentials.yaml or $AAM_REGISTRY_TOKEN), asked for only when needed. */
  token?: () => Promise<string | undefined>;
  /** Attempts for a read that meets a network error, a 429 or a 5xx (default 3). */
  attempts?: number;
  /** Per request (default 30 s; a publish gets twice that). */
  timeoutMs?: number;
  /** Answers kept with their ETags: reads are sent conditionally, and a 304 is answered from here. */
  conditional?: ConditionalCache | undefined;
}

/** Where a client keeps the answers it may ask for again with If-None-Match. */
export interface ConditionalCache {
  get(url: string): Promise<{ etag: string; body: Buffer } | undefined>;
  put(url: string, etag: string, body: Buffer): Promise<void>;
}

const RETRYABLE = new Set([429, 502, 503, 504]);

/**
 * An HTTP registry (SPEC §5): the same operations as a registry folder, over
 * the spec's REST API. Reads retry a bounded number of times; every error
 * names the registry and, when there was one, the HTTP status. What it serves
 * is input: sizes are capped while reading and metadata is read defensively.
 */
export class HttpRegistry implements Registry {
  readonly name: string;
  readonly url: string;
  readonly type = 'http' as const;
  private readonly options: HttpRegistryOptions;

  constructor(name: string, url: string, options: HttpRegistryOptions = {}) {
    this.name = name;
    this.url = url.replace(/\/+$/, '');
    this.options = options;
  }

  get location(): string {
    return this.url;
  }

  async settings(): Promise<{ requireSignatures: boolean }> {
    const info = (await this.json(`${API_PREFIX}/registry`)) as Partial<ApiRegistryInfo>;
    return { requireSignatures: info.require_signatures === true };
  }

  /** Whether new versions wait for an approver, and who they are (GET /api/v1/registry). */
  async publishPolicy(): Promise<{ requireApproval: boolean; approvers: string[] }> {
    const info = (await this.json(`${API_PREFIX}/registry`)) as Partial<ApiRegistryInfo>;
    const approvers = info.publish_policy?.approvers;
    return {
      requireApproval: info.publish_policy?.require_approval === true,
      approvers: Array.isArray(approvers) ? approvers.filter((a): a is string => typeof a === 'string') : [],
    };
  }

  async metadata(name: string): Promise<PackageMetadata | undefined> {
    const body = await this.json(packagePath(name), { notFound: true });
    return body === undefined ? undefined : metadataFromApi(body, name);
  }

  async resolve(name: string, spec?: string): Promise<{ metadata: PackageMetadata; entry: VersionEntry }> {
    return resolveIn(this.name, name, await this.metadata(name), spec);
  }

  async readArchive(name: string, version: string): Promise<Buffer> {
    const response = await this.request(`${versionPath(name, version)}/download`, { notFound: true });
    if (!response)
      throw new AamError(
        'ARCHIVE_UNAVAILABLE',
        `The archive of ${name}@${version} is missing from registry "${this.name}".`,
      );
    return this.body(response, MAX_ARCHIVE_BYTES, `the archive of ${name}@${version}`);
  }

  async readSignatures(name: string, version: string): Promise<StoredSignature[]> {
    return readHttpSignatures(this, name, version);
  }

  async addSignature(name: string, version: string, signature: SignatureToStore): Promise<SignatureRecord> {
    return addHttpSignature(this, name, version, signature);
  }

  async readDelegations(): Promise<{ name: string; bytes: Buffer }[]> {
    return readHttpDelegations(this);
  }

  async addDelegation(file: { name: string; bytes: Buffer }): Promise<void> {
    await addHttpDelegation(this, file);
  }

  async refusal(name: string, version: string, signed: boolean): Promise<AamError | undefined> {
    const { requireSignatures } = await this.settings();
    const published = (await this.metadata(name))?.versions.some((v) => v.version === version) ?? false;
    return refusalFor(this.name, name, version, signed, requireSignatures, published);
  }

  async publish(archive: Buffer, signatures: SignatureToStore[], request: PublishRequest = {}): Promise<PublishResult> {
    const contents = await readArchiveContents(archive);
    const manifest = parseManifest(contents.manifestText, 'aam.yaml in the archive');
    const token = await this.requireToken(`Publishing to registry "${this.name}"`);
    const form = new FormData();
    form.append(
      'archive',
      new Blob([new Uint8Array(archive)], { type: 'application/gzip' }),
      `${manifest.version}.aam`,
    );
    // The spec's publish carries one signature; each further one is added to the published version.
    const [signature, ...more] = signatures;
    if (signature) {
      form.append(
        'signature',
        new Blob([new Uint8Array(signature.bytes)]),
        `${manifest.version}.aam${SIGNATURE_SUFFIX[signature.type]}`,
      );
      form.append('signature_type', signature.type);
      if (signature.publicKey) form.append('public_key', signature.publicKey);
    }
    if (request.confirmName) form.append('confirm_name', request.confirmName);
    const response = await this.request(`${API_PREFIX}/packages`, {
      method: 'POST',
      body: form,
      token,
      subject: { name: manifest.name, version: manifest.version },
      attempts: 1,
      timeoutMs: 2 * (this.options.timeoutMs ?? 30_000),
    });
    const created = (await this.parse(response!)) as Partial<ApiVersion>;
    const metadata = metadataFromApi({ name: manifest.name, versions: [created] }, manifest.name);
    const entry = metadata.versions[0];
    if (!entry || entry.version !== manifest.version)
      throw new AamError(
        'REGISTRY_ERROR',
        `Registry "${this.name}" answered the publish of ${manifest.name}@${manifest.version} with something else.`,
      );
    for (const extra of more)
      entry.signatures = [...(entry.signatures ?? []), await this.addSignature(manifest.name, manifest.version, extra)];
    return { manifest, entry, archivePath: `${this.url}${versionPath(manifest.name, manifest.version)}/download` };
  }

  async list(): Promise<PackageMetadata[]> {
    const out: PackageMetadata[] = [];
    for (let page = 1; page <= 1000; page++) {
      const body = (await this.json(`${API_PREFIX}/packages?page=${page}&limit=100`)) as {
        packages?: { name?: unknown }[];
        pages?: unknown;
      };
      for (const item of Array.isArray(body.packages) ? body.packages : []) {
        if (typeof item?.name !== 'string') continue;
        const metadata = await this.metadata(item.name).catch(() => undefined);
        if (metadata) out.push(metadata);
      }
      if (typeof body.pages !== 'number' || page >= body.pages) break;
    }
    return out;
  }

  /** The registry's name, public key and key id (/.well-known/aam-registry.json). */
  async identity(): Promise<{ name: string } & RegistryKey> {
    const body = (await this.json('/.well-known/aam-registry.json')) as Partial<{ name: string } & RegistryKey>;
    if (typeof body.name !== 'string' || typeof body.key_id !== 'string' || typeof body.public_key !== 'string')
      throw new AamError(
        'REGISTRY_ERROR',
        `Registry "${this.name}" does not describe its key (/.well-known/aam-registry.json).`,
      );
    return { name: body.name, key_id: body.key_id, public_key: body.public_key, algorithm: 'ecdsa-p256-sha256' };
  }

  /** The registry's attestation of a version (a DSSE envelope), if it made one. */
  async attestation(name: string, version: string): Promise<Buffer | undefined> {
    const response = await this.request(`${versionPath(name, version)}/attestation`, { notFound: true });
    return response ? this.body(response, READ_LIMITS.signature, `the attestation of ${name}@${version}`) : undefined;
  }

  /** The audit log's head, as the registry signs it now. */
  async auditHead(): Promise<AuditHead> {
    return (await this.json(`${API_PREFIX}/audit-log/head`)) as AuditHead;
  }

  /** Audit-log entries after `from`, up to `until` (the size of a head), fetched a page at a time. */
  async auditEntries(from: number, until: number): Promise<AuditEntry[]> {
    const entries: AuditEntry[] = [];
    let after = from;
    while (after < until) {
      const page = (await this.json(`${API_PREFIX}/audit-log?after=${after}&limit=1000`)) as { entries?: AuditEntry[] };
      const got = (Array.isArray(page.entries) ? page.entries : []).filter(
        (e) => e && typeof e.seq === 'number' && e.seq <= until,
      );
      if (got.length === 0) break;
      entries.push(...got);
      after = got[got.length - 1]!.seq;
    }
    return entries;
  }

  /** A version's approvals, each with the signed document and signature that prove it. */
  async approvals(name: string, version: string): Promise<ApiApprovals> {
    const body = (await this.json(`${versionPath(name, version)}/approvals`)) as Partial<ApiApprovals>;
    return {
      package: name,
      version,
      approval_status: body.approval_status ?? 'approved',
      approvals: (Array.isArray(body.approvals) ? body.approvals : []).filter(
        (a): a is ApiApproval => !!a && typeof a.document === 'string' && typeof a.signature === 'string',
      ),
    };
  }

  /** Sends a signed approval or rejection (the registry checks that its signer is one of its approvers). */
  async approve(
    name: string,
    version: string,
    approval: {
      document: Buffer;
      signature: Buffer;
      signatureType: 'sigstore' | 'gpg';
      publicKey?: string | undefined;
    },
  ): Promise<{ status: string; signer: string; approver: string; approval_status?: ApprovalStatus }> {
    const token = await this.requireToken(`Approving on registry "${this.name}"`);
    const document = parseApprovalDocument(approval.document);
    if (!document) throw new AamError('USAGE', 'Not an approval document.');
    const response = await this.request(`${versionPath(name, version)}/approve`, {
      method: 'POST',
      token,
      subject: { name, version, decision: document.status },
      attempts: 1,
      body: JSON.stringify({
        status: document.status,
        comment: document.comment,
        document: approval.document.toString('base64'),
        signature: approval.signature.toString('base64'),
        signature_type: approval.signatureType,
        ...(approval.publicKey ? { public_key: approval.publicKey } : {}),
      }),
    });
    return (await this.parse(response!)) as {
      status: string;
      signer: string;
      approver: string;
      approval_status?: ApprovalStatus;
    };
  }

  /** Who may publish to and yank a package. */
  async owners(name: string): Promise<string[]> {
    return ownersOf(await this.json(`${packagePath(name)}/owners`));
  }

  /** Replaces a package's owners (an owner's or an admin's token): a transfer when the caller is left out. */
  async setOwners(name: string, owners: readonly string[]): Promise<string[]> {
    const token = await this.requireToken(`Changing owners on registry "${this.name}"`);
    const response = await this.request(`${packagePath(name)}/owners`, {
      method: 'PUT',
      token,
      subject: { name },
      attempts: 1,
      body: JSON.stringify({ owners }),
    });
    return ownersOf(await this.parse(response!));
  }

  /** A version's eval results (spec §3.3.9), read defensively: what a registry says, not proof. */
  async evalResults(name: string, version: string): Promise<ApiEvalResult[]> {
    const body = (await this.json(`${versionPath(name, version)}/eval-results`, { notFound: true })) as
      { eval_results?: unknown } | undefined;
    return evalResultsFromApi(body?.eval_results);
  }

  /** The version entries the server describes, as its API gives them (for `aam-trust registry` tooling and tests). */
  async apiVersion(name: string, version: string): Promise<ApiVersion | undefined> {
    return (await this.json(versionPath(name, version), { notFound: true })) as ApiVersion | undefined;
  }

  /** A JSON document of the API; undefined on 404 when `notFound` (for the client's helpers, http-signatures.ts). */
  async getJson(path: string, notFound = false): Promise<unknown> {
    return this.json(path, { notFound });
  }

  /** The bytes at a path of the API, up to `limit`; undefined on 404. */
  async getBytes(path: string, limit: number, what: string): Promise<Buffer | undefined> {
    const response = await this.request(path, { notFound: true });
    return response ? this.body(response, limit, what) : undefined;
  }

  /** A write with the API token (sent once, never retried), answered with JSON. */
  async write(path: string, method: 'POST' | 'PUT', body: FormData | string, what: string): Promise<unknown> {
    const token = await this.requireToken(what);
    return this.parse((await this.request(path, { method, body, token, attempts: 1 }))!);
  }

  /**
   * One JSON call of the API under /api/v1 (the account and token routes),
   * with `token` when given; only a GET is retried. A 204 is `undefined`.
   */
  async call(
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    path: string,
    options: { token?: string | undefined; body?: unknown } = {},
  ): Promise<unknown> {
    if (method === 'GET' && !options.token) return this.json(`${API_PREFIX}${path}`);
    const response = (await this.request(`${API_PREFIX}${path}`, {
      method,
      ...(options.token ? { token: options.token } : {}),
      ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
      ...(method === 'GET' ? {} : { attempts: 1 }),
    }))!;
    if (response.status === 204) {
      await response.body?.cancel();
      return undefined;
    }
    return this.parse(response);
  }

  /** The API token for a write, or why there is none and how to get one. */
  private async requireToken(what: string): Promise<string> {
    const token = await this.options.token?.();
    if (!token)
      throw new AamError('REGISTRY_AUTH', `${what} needs an API token.`, {
        hint: `Log in ("aam-trust login --registry ${this.name} --username NAME"), or put a token from the registry's operator ("aam-trust registry token create") in ~/.aam/credentials.yaml under tokens: ${this.name}: token:, or in $AAM_REGISTRY_TOKEN.`,
      });
    return token;
  }

  private async json(path: string, options: { notFound?: boolean } = {}): Promise<unknown> {
    const cache = this.options.conditional;
    const kept = await cache?.get(this.url + path).catch(() => undefined);
    const response = await this.request(path, { ...options, ...(kept ? { etag: kept.etag } : {}) });
    if (!response) return undefined;
    // Unchanged since it was kept: one small round trip, and the answer is the one kept.
    if (response.status === 304 && kept) {
      await response.body?.cancel().catch(() => undefined);
      return this.decode(kept.body);
    }
    const etag = response.headers.get('etag');
    if (!cache || !etag) return this.parse(response);
    const body = await this.body(response, READ_LIMITS.metadata, 'its answer');
    await cache.put(this.url + path, etag, body).catch(() => undefined);
    return this.decode(body);
  }

  private async parse(response: Response): Promise<unknown> {
    return this.decode(await this.body(response, READ_LIMITS.metadata, 'its answer'));
  }

  private decode(bytes: Buffer): unknown {
    const text = bytes.toString('utf8');
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new AamError(
        'REGISTRY_ERROR',
        `Registry "${this.name}" (${this.url}) answered with something that is not JSON.`,
      );
    }
  }

  /**
   * One request, retried (reads only) on a network error, 429 or 5xx with a
   * short backoff. 404 is `undefined` when asked for; any other failure is an
   * AamError naming the registry, the status and the server's message.
   */
  private async request(
    path: string,
    options: {
      method?: string;
      body?: FormData | string;
      token?: string;
      notFound?: boolean;
      attempts?: number;
      timeoutMs?: number;
      /** What the request is about, for the words of a refusal. */
      subject?: Subject;
      /** Sent as If-None-Match; a 304 is then an answer. */
      etag?: string;
    } = {},
  ): Promise<Response | undefined> {
    const attempts = options.attempts ?? this.options.attempts ?? 3;
    const url = this.url + path;
    let last: unknown;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      let response: Response;
      try {
        response = await fetch(url, {
          method: options.method ?? 'GET',
          body: options.body,
          headers: {
            'user-agent': 'aam-trust',
            accept: 'application/json, application/octet-stream',
            ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
            ...(typeof options.body === 'string' ? { 'content-type': 'application/json' } : {}),
            ...(options.etag ? { 'if-none-match': options.etag } : {}),
          },
          redirect: 'error',
          signal: AbortSignal.timeout(options.timeoutMs ?? this.options.timeoutMs ?? 30_000),
        });
      } catch (error) {
        last = error;
        if (attempt < attempts) await pause(attempt);
        continue;
      }
      if (response.ok || (response.status === 304 && options.etag)) return response;
      if (response.status === 404 && options.notFound) {
        await response.body?.cancel();
        return undefined;
      }
      if (RETRYABLE.has(response.status) && attempt < attempts) {
        await response.body?.cancel();
        await pause(attempt, response.headers.get('retry-after'));
        continue;
      }
      throw await this.failure(response, options.method ?? 'GET', path, options.subject);
    }
    throw new AamError(
      'REGISTRY_UNREACHABLE',
      `Registry "${this.name}" (${this.url}) cannot be reached: ${messageOf(causeOf(last))}.`,
      {
        hint: `Check that the registry is running and the url in your config; ${attempts} attempt${attempts === 1 ? ' was' : 's were'} made.`,
        cause: last,
      },
    );
  }

  private async failure(response: Response, method: string, path: string, subject?: Subject): Promise<AamError> {
    let body: Partial<ApiError> = {};
    try {
      body = JSON.parse((await this.body(response, 64 * 1024, 'its error')).toString('utf8')) as Partial<ApiError>;
    } catch {
      // Not the spec's error body: the status says what there is to say.
    }
    const said = typeof body.message === 'string' ? body.message.slice(0, 500) : response.statusText;
    const message = `Registry "${this.name}" refused ${method} ${path} (HTTP ${response.status}${typeof body.error === 'string' ? ` ${body.error}` : ''}): ${said}`;
    switch (body.error) {
      case 'version_exists':
        return new AamError('VERSION_EXISTS', message, { hint: 'Bump the version in aam.yaml.' });
      case 'signature_required':
        return new AamError('SIGNATURE_REQUIRED', message, {
          hint: `Registry "${this.name}" requires signatures. Publish with Sigstore or GPG signing.`,
        });
      case 'signature_invalid':
        return new AamError('SIGNATURE_INVALID', message);
      case 'invalid_manifest':
      case 'invalid_archive':
        return new AamError('MANIFEST_INVALID', message);
    }
    if (response.status === 403) {
      const refused = forbidden(this.name, body.details, subject);
      if (refused) return refused;
    }
    if (response.status === 401)
      return new AamError('REGISTRY_AUTH', message, {
        hint: `The token for "${this.name}" is missing, expired or revoked: log in again ("aam-trust login --registry ${this.name} --username NAME"), or replace it in ~/.aam/credentials.yaml or $AAM_REGISTRY_TOKEN.`,
      });
    if (response.status === 403) return new AamError('REGISTRY_AUTH', message);
    return new AamError('REGISTRY_ERROR', message);
  }

  /** A response body, read up to `limit` bytes: more is refused, not buffered. */
  private async body(response: Response, limit: number, what: string): Promise<Buffer> {
    const declared = Number(response.headers.get('content-length') ?? NaN);
    if (declared > limit) {
      await response.body?.cancel();
      throw new AamError(
        'REGISTRY_ERROR',
        `Registry "${this.name}" sent ${declared} bytes for ${what}, more than the ${limit} allowed.`,
      );
    }
    const chunks: Uint8Array[] = [];
    let size = 0;
    const reader = response.body?.getReader();
    if (!reader) return Buffer.alloc(0);
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > limit) {
        await reader.cancel();
        throw new AamError('REGISTRY_ERROR', `Registry "${this.name}" sent more than ${limit} bytes for ${what}.`);
      }
      chunks.push(value);
    }
    return Buffer.concat(chunks);
  }
}

function causeOf(error: unknown): unknown {
  return error instanceof Error && error.cause ? error.cause : error;
}

function pause(attempt: number, retryAfter?: string | null): Promise<void> {
  const asked = retryAfter ? Number(retryAfter) * 1000 : NaN;
  const ms = Number.isFinite(asked) ? Math.min(asked, 5_000) : 200 * 4 ** (attempt - 1);
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The owners in an answer of …/owners, read defensively. */
function ownersOf(body: unknown): string[] {
  const owners = (body as { owners?: unknown } | undefined)?.owners;
  return Array.isArray(owners) ? owners.filter((o): o is string => typeof o === 'string') : [];
}
