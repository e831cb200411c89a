import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { FastReadsLog } from './fast-reads-log.ts';
import { matches } from './read-cache.ts';
import type { ReadCache } from './read-cache.ts';
import { SINGLE_HEADERS } from './request-checks.ts';

/** `off` sends every request through Fastify (what the bench measures the Fastify path with). */
export const FAST_READS_ENV = 'AAM_REGISTRY_FAST_READS';

type Middleware = (request: IncomingMessage, response: ServerResponse, next: (error?: unknown) => void) => void;

/** What the fast path answers with, besides the kept answer itself. */
export interface FastReadsOptions {
  reads: ReadCache;
  /** helmet's headers, flat (name, value, …): over plain HTTP, and over HTTPS (with HSTS). See `headersOf`. */
  security: { http: string[]; https: string[] };
  /** `--trust-proxy` is set: a request carrying X-Forwarded-Proto goes to Fastify (see `answer`). */
  trustProxy: boolean;
  /** The request log (AppOptions.log), when there is one: the fast path writes Fastify's lines for its answers. */
  log?: FastReadsLog | undefined;
  /** Whether Fastify is closing (it then answers 503 to anything). */
  closing: () => boolean;
  /** Counts and times an answer in /metrics, as Fastify's onResponse hook does (RegistryMetrics.answered). */
  answered: (route: string, method: string, status: number, seconds: number) => void;
}

/**
 * Cache hits answered before Fastify sees them (issue #28: on a hit,
 * Fastify's own path — routing, the params schema, six hooks, the reply —
 * was three quarters of the time). A GET or HEAD whose raw URL the
 * ReadCache holds now gets the answer Fastify would give it, byte for byte
 * but the Date (test/server/fast-reads.test.ts holds it to that): helmet's
 * headers computed once from the same middlewares, then ETag,
 * Cache-Control, X-Cache, Content-Type and Content-Length in Fastify's order,
 * a 304 on a matching If-None-Match; counted in /metrics under the route
 * the answer was made by (kept with it), and as a hit of the ReadCache.
 *
 * Anything else goes to Fastify unchanged, which answers it as before: a
 * miss, another method, a server that is closing (Fastify's 503), a
 * request with a body (Fastify ignores it on a GET; such a request is no
 * client's, and is not worth a second way of answering), a header the raw
 * checks refuse when sent twice (checkRawRequest), and behind
 * `--trust-proxy` a request with X-Forwarded-Proto (whether to believe it,
 * so whether to send HSTS, takes Fastify's proxy-addr check, not copied
 * here) — and, when there is a request log, one with X-Forwarded-For or
 * X-Forwarded-Host, which the same check turns into the log line's address
 * and host. The path's own checks need no copy: a URL is only kept once
 * checkRawRequest, the router and the params schema accepted it, and they
 * decide by the URL alone. It reads the same ReadCache as Fastify's route,
 * so a write that drops a package drops it for both.
 *
 * With a request log (AppOptions.log), each answer here gets the lines
 * Fastify would write for it, with a request id from Fastify's own counter
 * (fast-reads-log.ts): an operator's log loses none of the requests
 * answered here, and cannot tell which path answered them.
 */
export class FastReads {
  private readonly options: FastReadsOptions;

  constructor(options: FastReadsOptions) {
    this.options = options;
  }

  /** Answers `request` when it is a hit Fastify would answer the same way; false, having sent nothing, otherwise. */
  answer(request: IncomingMessage, response: ServerResponse): boolean {
    const started = performance.now();
    const method = request.method;
    if (method !== 'GET' && method !== 'HEAD') return false;
    const { reads, closing, trustProxy, log } = this.options;
    if (!reads.usable || closing()) return false;
    const headers = request.headers;
    if (headers['content-length'] !== undefined || headers['transfer-encoding'] !== undefined) return false;
    if (trustProxy && headers['x-forwarded-proto'] !== undefined) return false;
    if (log && trustProxy && (headers['x-forwarded-for'] !== undefined || headers['x-forwarded-host'] !== undefined))
      return false;
    if (repeatsSingleHeader(request.rawHeaders)) return false;
    const entry = reads.hit(request.url ?? '');
    if (!entry) return false;

    const https = (request.socket as TLSSocket).encrypted === true;
    const out = [
      ...(https ? this.options.security.https : this.options.security.http),
      'etag',
      entry.etag,
      'cache-control',
      'no-cache',
      'x-cache',
      'hit',
    ];
    const notModified = matches(headers['if-none-match'], entry.etag);
    // Fastify's HEAD route says Content-Length 0 for an answer without a body (its 304), its GET nothing.
    if (notModified && method === 'HEAD') out.push('content-length', '0');
    if (!notModified)
      out.push('content-type', 'application/json; charset=utf-8', 'content-length', String(entry.body.length));
    const status = notModified ? 304 : 200;
    const { answered } = this.options;
    const reqId = log?.incoming(request);
    const done = (error?: unknown) => {
      response.removeListener('finish', done);
      response.removeListener('error', done);
      const elapsed = performance.now() - started;
      answered(entry.route, method, status, elapsed / 1000);
      if (log && reqId !== undefined) log.completed(reqId, status, elapsed, error);
    };
    response.on('finish', done);
    response.on('error', done);
    response.writeHead(status, out);
    response.end(notModified || method === 'HEAD' ? undefined : entry.body);
    return true;
  }
}

/** Whether a header that must say one thing (checkRawRequest refuses it) was sent twice. */
function repeatsSingleHeader(raw: string[]): boolean {
  let seen: Set<string> | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!.toLowerCase();
    if (!SINGLE_HEADERS.has(name)) continue;
    if (seen?.has(name)) return true;
    (seen ??= new Set()).add(name);
  }
  return false;
}

/**
 * The headers a helmet middleware sets, flat (name, value, …), in the order
 * and case it sets them: what Fastify's answer carries first. helmet reads
 * nothing of the request, so its headers are the same for every answer.
 */
export function headersOf(middleware: Middleware): string[] {
  const set = new Map<string, [string, string]>();
  const recorder = {
    setHeader: (name: string, value: unknown) => set.set(name.toLowerCase(), [name, String(value)]),
    removeHeader: (name: string) => set.delete(name.toLowerCase()),
  };
  let finished = false;
  middleware({} as IncomingMessage, recorder as unknown as ServerResponse, (error) => {
    if (error) throw error as Error;
    finished = true;
  });
  if (!finished) throw new Error('helmet did not set its headers at once');
  return [...set.values()].flat();
}
