import { readArchive as readArchiveContents } from '../archive/read.ts';
import { MAX_ARCHIVE_BYTES } from '../archive/limits.ts';
import { AamError } from '../errors.ts';
import { READ_LIMITS } from '../fs/safe-read.ts';
import { parseManifest } from '../package/manifest.ts';
import { API_PREFIX, evalResultsFromApi, metadataFromApi, ownersOf, packagePath, versionPath } from './http-api.ts';
import type { ApiApproval, ApiApprovals, ApiEvalResult, ApiRegistryInfo, ApiVersion } from './http-api.ts';
import type { Listing, PackageMetadata, SignatureRecord, VersionEntry } from './metadata.ts';
import type { RegistryKey } from './attestation.ts';
import type { AuditEntry, AuditHead } from './audit-log.ts';
import { pagedAuditEntries } from './audit-log.ts';
import { refusalFor, resolveNamingApprovers } from './registry.ts';
import type { PublishRequest, PublishResult, Registry, SignatureToStore, StoredSignature } from './registry.ts';
import { listHttpRegistry } from './http-listing.ts';
import { addHttpDelegation, addHttpSignature, readHttpDelegations, readHttpSignatures } from './http-signatures.ts';
import { parseApprovalDocument } from './approval.ts';
import { approvalBody, publishForm } from './http-forms.ts';
import { HttpTransport } from './http-transport.ts';
import type { HttpRegistryOptions } from './http-transport.ts';
import type { ApprovalStatus } from '../messages/outcomes.ts';

export type { ConditionalCache, HttpRegistryOptions } from './http-transport.ts';

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
  private readonly http: HttpTransport;

  constructor(name: string, url: string, options: HttpRegistryOptions = {}) {
    this.name = name;
    this.url = url.replace(/\/+$/, '');
    this.http = new HttpTransport(name, this.url, options);
  }

  get location(): string {
    return this.url;
  }

  async settings(): Promise<{ requireSignatures: boolean }> {
    const info = (await this.http.json(`${API_PREFIX}/registry`)) as Partial<ApiRegistryInfo>;
    return { requireSignatures: info.require_signatures === true };
  }

  /** Whether new versions wait for an approver, and who they are (GET /api/v1/registry). */
  async publishPolicy(): Promise<{ requireApproval: boolean; approvers: string[] }> {
    const info = (await this.http.json(`${API_PREFIX}/registry`)) as Partial<ApiRegistryInfo>;
    const approvers = info.publish_policy?.approvers;
    return {
      requireApproval: info.publish_policy?.require_approval === true,
      approvers: Array.isArray(approvers) ? approvers.filter((a): a is string => typeof a === 'string') : [],
    };
  }

  async metadata(name: string): Promise<PackageMetadata | undefined> {
    const body = await this.http.json(packagePath(name), { notFound: true });
    return body === undefined ? undefined : metadataFromApi(body, name);
  }

  async resolve(name: string, spec?: string): Promise<{ metadata: PackageMetadata; entry: VersionEntry }> {
    const approvers = async () => (await this.publishPolicy()).approvers;
    return resolveNamingApprovers(this.name, name, await this.metadata(name), spec, approvers);
  }

  async readArchive(name: string, version: string): Promise<Buffer> {
    const response = await this.http.request(`${versionPath(name, version)}/download`, { notFound: true });
    if (!response)
      throw new AamError(
        'ARCHIVE_UNAVAILABLE',
        `The archive of ${name}@${version} is missing from registry "${this.name}".`,
      );
    return this.http.body(response, MAX_ARCHIVE_BYTES, `the archive of ${name}@${version}`);
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

  async removeDelegation(name: string): Promise<void> {
    await this.call('DELETE', `/delegations/${name}`, { token: await this.http.requireToken('Removing a delegation') });
  }

  async addDelegation(file: { name: string; bytes: Buffer }): Promise<void> {
    await addHttpDelegation(this, file);
  }

  async credentialRefusal(what: string): Promise<AamError | undefined> {
    try {
      await this.http.requireToken(what);
      return undefined;
    } catch (error) {
      if (error instanceof AamError) return error;
      throw error;
    }
  }

  async refusal(name: string, version: string, signed: boolean): Promise<AamError | undefined> {
    // Before anything is signed: a publish without a token (or with one withheld from this URL) cannot happen.
    const unauthorized = await this.credentialRefusal(`Publishing to registry "${this.name}"`);
    if (unauthorized) return unauthorized;
    const { requireSignatures } = await this.settings();
    const published = (await this.metadata(name))?.versions.some((v) => v.version === version) ?? false;
    return refusalFor(this.name, name, version, signed, requireSignatures, published);
  }

  async publish(archive: Buffer, signatures: SignatureToStore[], request: PublishRequest = {}): Promise<PublishResult> {
    const contents = await readArchiveContents(archive);
    const manifest = parseManifest(contents.manifestText, 'aam.yaml in the archive');
    const token = await this.http.requireToken(`Publishing to registry "${this.name}"`);
    // The spec's publish carries one signature; each further one is added to the published version.
    const [signature, ...more] = signatures;
    const form = publishForm(archive, manifest.version, signature, request);
    const response = await this.http.request(`${API_PREFIX}/packages`, {
      method: 'POST',
      body: form,
      token,
      subject: { name: manifest.name, version: manifest.version },
      attempts: 1,
      timeoutMs: 2 * (this.http.timeoutMs ?? 30_000),
    });
    const created = (await this.http.parse(response!)) as Partial<ApiVersion>;
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
    return (await this.listing()).packages;
  }

  /** Every package (listed after a name, so no cap), with the ones whose metadata cannot be read named. */
  async listing(): Promise<Listing> {
    return listHttpRegistry(this.http, this.name, (name) => this.metadata(name));
  }

  /** The registry's name, public key and key id (/.well-known/aam-registry.json). */
  async identity(): Promise<{ name: string } & RegistryKey> {
    const body = (await this.http.json('/.well-known/aam-registry.json')) as Partial<{ name: string } & RegistryKey>;
    if (typeof body.name !== 'string' || typeof body.key_id !== 'string' || typeof body.public_key !== 'string')
      throw new AamError(
        'REGISTRY_ERROR',
        `Registry "${this.name}" does not describe its key (/.well-known/aam-registry.json).`,
      );
    return { name: body.name, key_id: body.key_id, public_key: body.public_key, algorithm: 'ecdsa-p256-sha256' };
  }

  /** The registry's attestation of a version (a DSSE envelope), if it made one. */
  async attestation(name: string, version: string): Promise<Buffer | undefined> {
    const response = await this.http.request(`${versionPath(name, version)}/attestation`, { notFound: true });
    return response
      ? this.http.body(response, READ_LIMITS.signature, `the attestation of ${name}@${version}`)
      : undefined;
  }

  /** The audit log's head, as the registry signs it now. */
  async auditHead(): Promise<AuditHead> {
    return (await this.http.json(`${API_PREFIX}/audit-log/head`)) as AuditHead;
  }

  /** Audit-log entries after `from`, up to `until` (the size of a head), fetched a page at a time. */
  async auditEntries(from: number, until: number): Promise<AuditEntry[]> {
    return pagedAuditEntries((path) => this.http.json(path), from, until);
  }

  /** A version's approvals, each with the signed document and signature that prove it. */
  async approvals(name: string, version: string): Promise<ApiApprovals> {
    const body = (await this.http.json(`${versionPath(name, version)}/approvals`)) as Partial<ApiApprovals>;
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
    const token = await this.http.requireToken(`Approving on registry "${this.name}"`);
    const document = parseApprovalDocument(approval.document);
    if (!document) throw new AamError('USAGE', 'Not an approval document.');
    const response = await this.http.request(`${versionPath(name, version)}/approve`, {
      method: 'POST',
      token,
      subject: { name, version, decision: document.status },
      attempts: 1,
      body: approvalBody(document, approval),
    });
    return (await this.http.parse(response!)) as {
      status: string;
      signer: string;
      approver: string;
      approval_status?: ApprovalStatus;
    };
  }

  /** Who may publish to and yank a package. */
  async owners(name: string): Promise<string[]> {
    return ownersOf(await this.http.json(`${packagePath(name)}/owners`));
  }

  /** Replaces a package's owners (an owner's or an admin's token): a transfer when the caller is left out. */
  async setOwners(name: string, owners: readonly string[]): Promise<string[]> {
    const token = await this.http.requireToken(`Changing owners on registry "${this.name}"`);
    const response = await this.http.request(`${packagePath(name)}/owners`, {
      method: 'PUT',
      token,
      subject: { name },
      attempts: 1,
      body: JSON.stringify({ owners }),
    });
    return ownersOf(await this.http.parse(response!));
  }

  /** A version's eval results (spec §3.3.9), read defensively: what a registry says, not proof. */
  async evalResults(name: string, version: string): Promise<ApiEvalResult[]> {
    const body = (await this.http.json(`${versionPath(name, version)}/eval-results`, { notFound: true })) as
      { eval_results?: unknown } | undefined;
    return evalResultsFromApi(body?.eval_results);
  }

  /** The version entries the server describes, as its API gives them (for `aam-trust registry` tooling and tests). */
  async apiVersion(name: string, version: string): Promise<ApiVersion | undefined> {
    return (await this.http.json(versionPath(name, version), { notFound: true })) as ApiVersion | undefined;
  }

  /** A JSON document of the API; undefined on 404 when `notFound` (for the client's helpers, http-signatures.ts). */
  async getJson(path: string, notFound = false): Promise<unknown> {
    return this.http.json(path, { notFound });
  }

  /** The bytes at a path of the API, up to `limit`; undefined on 404. */
  async getBytes(path: string, limit: number, what: string): Promise<Buffer | undefined> {
    const response = await this.http.request(path, { notFound: true });
    return response ? this.http.body(response, limit, what) : undefined;
  }

  /** A write with the API token (sent once, never retried), answered with JSON. */
  async write(path: string, method: 'POST' | 'PUT', body: FormData | string, what: string): Promise<unknown> {
    const token = await this.http.requireToken(what);
    return this.http.parse((await this.http.request(path, { method, body, token, attempts: 1 }))!);
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
    if (method === 'GET' && !options.token) return this.http.json(`${API_PREFIX}${path}`);
    const response = (await this.http.request(`${API_PREFIX}${path}`, {
      method,
      ...(options.token ? { token: options.token } : {}),
      ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
      ...(method === 'GET' ? {} : { attempts: 1 }),
    }))!;
    if (response.status === 204) {
      await response.body?.cancel();
      return undefined;
    }
    return this.http.parse(response);
  }
}
