import { createHash, generateKeyPairSync } from 'node:crypto';
import type { JsonWebKey } from 'node:crypto';
import type { Server } from 'node:http';
import { initializeTLog, initializeTSA, rekorHandler, tsaHandler } from '@sigstore/mock';
import { createLocalCA, generateP256 } from './ca.ts';
import type { LocalCA } from './ca.ts';
import { GITHUB_ISSUER, GITLAB_ISSUER, handleSigningCert } from './fulcio.ts';
import { serve } from './http.ts';
import type { Fault, HttpRequest, HttpResponse } from './http.ts';
import { jwk, randomId, signJwt } from './jwt.ts';
import type { JwtKey } from './jwt.ts';
import { LocalOidcIssuer } from './oidc-issuer.ts';
import { canonicalizeProposedEntry } from './rekor.ts';

export type Service = 'fulcio' | 'rekor' | 'tsa' | 'oidc';

export interface LocalSigstoreOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  /** The identity the OIDC issuer signs in as, unless a login_hint names another. */
  defaultEmail?: string;
}

type MockHandler = {
  path: string;
  fn: (body: string) => Promise<{ statusCode: number; response: string | ArrayBufferView; contentType?: string }>;
};

/**
 * A complete Sigstore instance on 127.0.0.1 for tests, the demo and the
 * benchmarks: Fulcio, Rekor and a TSA at one base URL, an OIDC issuer at
 * `/oidc`, and the trusted root and signing config that describe them.
 */
export class LocalSigstore {
  readonly url: string;
  readonly oidc: LocalOidcIssuer;
  private readonly server: Server;
  private readonly ca: LocalCA;
  private readonly rekor: MockHandler;
  private readonly tsa: MockHandler;
  private readonly tlogKey: Buffer;
  private readonly tsaChain: Buffer[];
  private readonly workloadKeys: Map<string, JwtKey>;
  private readonly faults = new Map<Service, { fault: Fault; remaining: number }>();
  /** Bearer tokens of GitHub Actions' ID-token endpoint, by the repository whose workflow they stand for. */
  private readonly actionsTokens = new Map<string, string>();
  readonly requests: { service: Service | 'other'; path: string }[] = [];

  private constructor(parts: {
    url: string;
    server: Server;
    ca: LocalCA;
    oidc: LocalOidcIssuer;
    rekor: MockHandler;
    tsa: MockHandler;
    tlogKey: Buffer;
    tsaChain: Buffer[];
    workloadKeys: Map<string, JwtKey>;
  }) {
    this.url = parts.url;
    this.server = parts.server;
    this.ca = parts.ca;
    this.oidc = parts.oidc;
    this.rekor = parts.rekor;
    this.tsa = parts.tsa;
    this.tlogKey = parts.tlogKey;
    this.tsaChain = parts.tsaChain;
    this.workloadKeys = parts.workloadKeys;
  }

  static async start(options: LocalSigstoreOptions = {}): Promise<LocalSigstore> {
    const ca = await createLocalCA();
    const workloadKeys = new Map<string, JwtKey>(
      [GITHUB_ISSUER, GITLAB_ISSUER].map((iss) => {
        const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
        return [iss, { kid: randomId(8), privateKey, publicKey }];
      }),
    );
    let instance: LocalSigstore | undefined;
    const { server, url } = await serve(
      options.port ?? 0,
      (request) => instance!.route(request),
      (request) => instance?.takeFault(request),
    );
    const tlogKeys = generateP256();
    const tlog = await initializeTLog(url, tlogKeys);
    const tsaKeys = generateP256();
    const tsa = await initializeTSA(tsaKeys);
    // The mock TSA encodes milliseconds with trailing zeros trimmed ("…07.5Z", as RFC 3161
    // asks), which @sigstore/core's parser refuses; whole seconds keep every stamp readable.
    (tsa as unknown as { getCurrentTime: () => Date }).getCurrentTime = () =>
      new Date(Math.floor(Date.now() / 1000) * 1000);
    instance = new LocalSigstore({
      url,
      server,
      ca,
      oidc: new LocalOidcIssuer(`${url}/oidc`, options.defaultEmail ?? 'alice@example.com'),
      rekor: rekorHandler(tlog) as MockHandler,
      tsa: tsaHandler(tsa) as MockHandler,
      tlogKey: tlogKeys.publicKey.export({ format: 'der', type: 'spki' }),
      tsaChain: [viewToBuffer(tsa.intCertificate), viewToBuffer(tsa.rootCertificate)],
      workloadKeys,
    });
    return instance;
  }

  get oidcIssuer(): string {
    return this.oidc.issuer;
  }

  /** An ID token for an email identity from the local issuer. */
  mintToken(email?: string): string {
    return this.oidc.mint(email);
  }

  /**
   * An ID token as GitHub Actions or GitLab CI would issue it for a workflow.
   * Those issuers cannot exist here, so the instance stands in for them.
   */
  mintWorkloadToken(
    kind: 'github' | 'gitlab',
    project: string,
    ref = 'refs/heads/main',
    audience = 'sigstore',
  ): string {
    const iss = kind === 'github' ? GITHUB_ISSUER : GITLAB_ISSUER;
    const now = Math.floor(Date.now() / 1000);
    const claims =
      kind === 'github'
        ? {
            job_workflow_ref: `${project}/.github/workflows/release.yml@${ref}`,
            repository: project,
            sub: `repo:${project}:ref:${ref}`,
          }
        : {
            ci_config_ref_uri: `gitlab.com/${project}//.gitlab-ci.yml@${ref}`,
            project_path: project,
            sub: `project_path:${project}:ref_type:branch:ref:${ref}`,
          };
    return signJwt(this.workloadKeys.get(iss)!, {
      iss,
      aud: audience,
      iat: now,
      nbf: now,
      exp: now + 300,
      ...claims,
    });
  }

  /**
   * GitHub Actions' ID-token endpoint for a workflow of `repository`: what a
   * runner puts in ACTIONS_ID_TOKEN_REQUEST_URL and ACTIONS_ID_TOKEN_REQUEST_TOKEN
   * for a job with `permissions: id-token: write`. It answers that bearer, for
   * the audience asked, with a token this instance's Fulcio accepts.
   */
  actionsIdTokenRequest(repository: string): { url: string; token: string } {
    const token = randomId(24);
    this.actionsTokens.set(token, repository);
    return { url: `${this.url}/actions/id-token?api-version=2.0`, token };
  }

  /** Makes the next `count` requests to `service` misbehave. */
  setFault(service: Service, fault: Fault, count = Infinity): void {
    this.faults.set(service, { fault, remaining: count });
  }

  clearFaults(): void {
    this.faults.clear();
  }

  trustedRoot(): Record<string, unknown> {
    const start = this.ca.notBefore.toISOString();
    const key = (der: Buffer) => ({
      rawBytes: der.toString('base64'),
      keyDetails: 'PKIX_ECDSA_P256_SHA_256',
      validFor: { start },
    });
    const logId = (der: Buffer) => ({ keyId: createHash('sha256').update(der).digest('base64') });
    const chain = (certs: Buffer[]) => ({ certificates: certs.map((c) => ({ rawBytes: c.toString('base64') })) });
    return {
      mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
      tlogs: [
        { baseUrl: this.url, hashAlgorithm: 'SHA2_256', publicKey: key(this.tlogKey), logId: logId(this.tlogKey) },
      ],
      certificateAuthorities: [
        {
          subject: { organization: 'aam-trust.local', commonName: 'AAM Trust local Sigstore' },
          uri: this.url,
          certChain: chain([this.ca.intermediateDer, this.ca.rootDer]),
          validFor: { start },
        },
      ],
      ctlogs: [
        {
          baseUrl: this.url,
          hashAlgorithm: 'SHA2_256',
          publicKey: key(this.ca.ctLogPublicKey),
          logId: logId(this.ca.ctLogPublicKey),
        },
      ],
      timestampAuthorities: [
        {
          subject: { organization: 'sigstore.mock', commonName: 'tsa' },
          uri: `${this.url}/api/v1/timestamp`,
          certChain: chain(this.tsaChain),
          validFor: { start },
        },
      ],
    };
  }

  /** A Sigstore signing config (v0.2) naming this instance's services. */
  signingConfig(options: { tsa?: boolean } = {}): Record<string, unknown> {
    const service = (url: string, majorApiVersion = 1) => ({
      url,
      majorApiVersion,
      validFor: { start: this.ca.notBefore.toISOString() },
      operator: 'aam-trust.local',
    });
    return {
      mediaType: 'application/vnd.dev.sigstore.signingconfig.v0.2+json',
      caUrls: [service(this.url)],
      oidcUrls: [service(this.oidcIssuer)],
      rekorTlogUrls: [service(this.url)],
      rekorTlogConfig: { selector: 'ANY' },
      tsaUrls: options.tsa === false ? [] : [service(`${this.url}/api/v1/timestamp`)],
      tsaConfig: { selector: 'ANY' },
    };
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private actionsIdToken(request: HttpRequest): HttpResponse {
    const bearer = /^Bearer (\S+)$/.exec(String(request.headers.authorization ?? ''))?.[1];
    const repository = bearer ? this.actionsTokens.get(bearer) : undefined;
    const audience = request.url.searchParams.get('audience');
    const reply = (status: number, body: unknown): HttpResponse => ({
      status,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!repository) return reply(401, { message: 'Bad credentials' });
    if (!audience) return reply(400, { message: 'audience is required' });
    return reply(200, { count: 1, value: this.mintWorkloadToken('github', repository, 'refs/heads/main', audience) });
  }

  private keysFor(issuer: string): JsonWebKey[] | undefined {
    if (issuer === this.oidc.issuer) return this.oidc.jwks();
    const workload = this.workloadKeys.get(issuer);
    return workload ? [jwk(workload)] : undefined;
  }

  private serviceOf(path: string): Service | 'other' {
    if (path === '/api/v2/signingCert') return 'fulcio';
    if (path.startsWith('/api/v1/log/entries')) return 'rekor';
    if (path === '/api/v1/timestamp') return 'tsa';
    if (path.startsWith('/oidc/')) return 'oidc';
    return 'other';
  }

  private takeFault(request: HttpRequest): Fault | undefined {
    const service = this.serviceOf(request.url.pathname);
    this.requests.push({ service, path: request.url.pathname });
    if (service === 'other') return undefined;
    const entry = this.faults.get(service);
    if (!entry || entry.remaining <= 0) return undefined;
    entry.remaining--;
    return entry.fault;
  }

  private async route(request: HttpRequest): Promise<HttpResponse> {
    const path = request.url.pathname;
    switch (this.serviceOf(path)) {
      case 'fulcio':
        return handleSigningCert(request, this.ca, (issuer) => this.keysFor(issuer));
      case 'rekor':
        return request.method === 'POST'
          ? fromMock(await this.rekor.fn(canonicalizeProposedEntry(request.body.toString('utf8'))))
          : { status: 404, body: '' };
      case 'tsa':
        return fromMock(await this.tsa.fn(request.body.toString('utf8')));
      case 'oidc':
        return this.oidc.handle(request, path.slice('/oidc'.length));
      default:
        if (path === '/trusted_root.json')
          return {
            status: 200,
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(this.trustedRoot(), null, 2),
          };
        if (path === '/actions/id-token') return this.actionsIdToken(request);
        if (path === '/signing_config.json')
          return {
            status: 200,
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(this.signingConfig(), null, 2),
          };
        return { status: 404, headers: { 'content-type': 'text/plain' }, body: 'not found' };
    }
  }
}

function fromMock(result: Awaited<ReturnType<MockHandler['fn']>>): HttpResponse {
  const body =
    typeof result.response === 'string'
      ? result.response
      : new Uint8Array(result.response.buffer, result.response.byteOffset, result.response.byteLength);
  return { status: result.statusCode, headers: { 'content-type': result.contentType ?? 'text/plain' }, body };
}

function viewToBuffer(view: ArrayBufferView): Buffer {
  return Buffer.from(view.buffer, view.byteOffset, view.byteLength);
}
