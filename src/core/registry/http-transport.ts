import { AamError, messageOf } from '../errors.ts';
import { READ_LIMITS } from '../fs/safe-read.ts';
import type { ApiError } from './http-api.ts';
import { RateLimitGate } from './http-rate-limit.ts';
import { forbidden } from './http-refusal.ts';
import { assertCredentialTransport } from './registry-url.ts';
import type { Subject } from './http-refusal.ts';

export interface HttpRegistryOptions {
  /** The API token for publishing (credentials.yaml or $AAM_REGISTRY_TOKEN), asked for only when needed. */
  token?: () => Promise<string | undefined>;
  /** Attempts for a read that meets a network error, a 429 or a 5xx (default 3). */
  attempts?: number;
  /** Per request (default 30 s; a publish gets twice that). */
  timeoutMs?: number;
  /** Answers kept with their ETags: reads are sent conditionally, and a 304 is answered from here. */
  conditional?: ConditionalCache | undefined;
  /**
   * How long, in all, this client waits for the registry's rate limit: a read
   * answered 429 with Retry-After waits what it asks, every read of the client
   * waiting with it, while the waits add up to no more than this (default
   * 10 s); past it the 429 is the answer. A long-running read (a report over
   * every version of a registry) allows more, and says so with `onRateLimit`.
   */
  rateLimitWaitMs?: number | undefined;
  /** Hears each wait for the rate limit as it begins: how long, and what the registry said. */
  onRateLimit?: ((waitMs: number, said: string) => void) | undefined;
}

/** Where a client keeps the answers it may ask for again with If-None-Match. */
export interface ConditionalCache {
  get(url: string): Promise<{ etag: string; body: Buffer } | undefined>;
  put(url: string, etag: string, body: Buffer): Promise<void>;
}

const RETRYABLE = new Set([429, 502, 503, 504]);

/**
 * The wire under an HTTP registry: one request with bounded retries and a
 * timeout, conditional reads against the kept answers, bodies read up to a
 * limit, and a refusal turned into an AamError that names the registry, the
 * status and what the server said. HttpRegistry says what to ask; this says
 * how.
 */
export class HttpTransport {
  readonly name: string;
  readonly url: string;
  private readonly options: HttpRegistryOptions;
  private readonly rateLimit: RateLimitGate;

  /** Per request, unless a request says otherwise. */
  get timeoutMs(): number | undefined {
    return this.options.timeoutMs;
  }

  constructor(name: string, url: string, options: HttpRegistryOptions) {
    this.name = name;
    this.url = url;
    this.options = options;
    this.rateLimit = new RateLimitGate(options.rateLimitWaitMs, options.onRateLimit);
  }

  /** The API token for a write, or why there is none and how to get one. */
  async requireToken(what: string): Promise<string> {
    const token = await this.options.token?.();
    if (!token)
      throw new AamError('REGISTRY_AUTH', `${what} needs an API token.`, {
        hint: `Log in ("aam-trust login --registry ${this.name} --username NAME"), or put a token from the registry's operator ("aam-trust registry token create") in ~/.aam/credentials.yaml under tokens: ${this.name}: token:, or in $AAM_REGISTRY_TOKEN.`,
      });
    return token;
  }

  async json(path: string, options: { notFound?: boolean } = {}): Promise<unknown> {
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

  async parse(response: Response): Promise<unknown> {
    return this.decode(await this.body(response, READ_LIMITS.metadata, 'its answer'));
  }

  decode(bytes: Buffer): unknown {
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
  async request(
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
      /** Statuses answered as they are rather than as an error. */
      pass?: number[];
    } = {},
  ): Promise<Response | undefined> {
    // Every Authorization header is set below: none crosses the network in clear text.
    if (options.token) assertCredentialTransport(this.name, this.url);
    const attempts = options.attempts ?? this.options.attempts ?? 3;
    const url = this.url + path;
    const read = (options.method ?? 'GET') === 'GET';
    let last: unknown;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      let response: Response;
      await this.rateLimit.passed();
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
      if (response.ok || (response.status === 304 && options.etag) || options.pass?.includes(response.status))
        return response;
      if (response.status === 404 && options.notFound) {
        await response.body?.cancel();
        return undefined;
      }
      const retryAfter = response.headers.get('retry-after');
      if (response.status === 429 && read && retryAfter) {
        // Waited out within the allowance (not an attempt), or the answer.
        if (!(await this.rateLimit.retry(retryAfter, () => this.said(response))))
          throw await this.failure(response, 'GET', path, options.subject);
        attempt--;
        continue;
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

  /** What a refusal's body says (the spec's error body), read and put aside. */
  private async said(response: Response): Promise<string> {
    const body = JSON.parse((await this.body(response, 64 * 1024, 'its error')).toString('utf8')) as {
      message?: unknown;
    };
    return typeof body.message === 'string' ? body.message.slice(0, 200) : '';
  }

  async failure(response: Response, method: string, path: string, subject?: Subject): Promise<AamError> {
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
    if (response.status === 429)
      return new AamError('REGISTRY_ERROR', message, {
        hint: `The registry limits how fast it is read: this client has waited ${seconds(this.rateLimit.waitedMs)} for it, and waits ${seconds(this.rateLimit.allowedMs)} at most in all. Try again later, or ask its operator for a higher limit.`,
      });
    return new AamError('REGISTRY_ERROR', message);
  }

  /** A response body, read up to `limit` bytes: more is refused, not buffered. */
  async body(response: Response, limit: number, what: string): Promise<Buffer> {
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

const seconds = (ms: number) => `${Math.round(ms / 1000)} s`;

function pause(attempt: number, retryAfter?: string | null): Promise<void> {
  const asked = retryAfter ? Number(retryAfter) * 1000 : NaN;
  const ms = Number.isFinite(asked) ? Math.min(asked, 5_000) : 200 * 4 ** (attempt - 1);
  return new Promise((resolve) => setTimeout(resolve, ms));
}
