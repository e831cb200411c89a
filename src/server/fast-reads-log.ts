import type { IncomingMessage } from 'node:http';
import type { FastifyBaseLogger } from 'fastify';

/**
 * Request ids as Fastify's default makes them ("req-" and a base-36
 * counter, wrapped at 2^31 − 1 as it does), from one counter: Fastify's
 * `genReqId` and the fast path draw from the same one, so the ids in the
 * request log stay unique and increasing whichever path answered.
 */
export function requestIds(): () => string {
  let last = 0;
  return () => {
    last = (last + 1) & 0x7fffffff;
    return `req-${last.toString(36)}`;
  };
}

/**
 * The request log's lines for an answer of the fast path (fast-reads.ts),
 * the ones Fastify's LogController writes for a request it answers
 * (fastify/lib/log-controller.js, 5.x): "incoming request" when it comes,
 * then "request completed" — or "request errored" — when the answer is
 * sent, through the app's own logger, so the same serializers and the same
 * fields in the same order (pino writes a child's bindings, here the
 * request id, just before the object logged: passing the id first in that
 * object writes the same bytes without making a child per request).
 *
 * What Fastify's `req` serializer reads of a request (method, url, the
 * Accept-Version header, host, ip, socket) is given as Fastify's request
 * has it without a trusted proxy: behind `--trust-proxy`, a request whose
 * host or address a proxy rewrites (X-Forwarded-Host, X-Forwarded-For) is
 * left to Fastify (FastReads.answer), whose proxy-addr check decides them.
 */
export class FastReadsLog {
  private readonly logger: FastifyBaseLogger;
  private readonly nextId: () => string;

  constructor(logger: FastifyBaseLogger, nextId: () => string) {
    this.logger = logger;
    this.nextId = nextId;
  }

  /** Writes "incoming request" under a new request id, and returns the id. */
  incoming(request: IncomingMessage): string {
    const reqId = this.nextId();
    const headers = request.headers;
    const req = {
      method: request.method,
      url: request.url,
      headers,
      host: headers.host ?? '',
      ip: request.socket.remoteAddress,
      socket: request.socket,
    };
    this.logger.info({ reqId, req }, 'incoming request');
    return reqId;
  }

  /** `error`: what the response's 'error' event carried, as Fastify's onResFinished is given it. */
  completed(reqId: string, statusCode: number, responseTime: number, error?: unknown): void {
    const res = { statusCode };
    if (error) this.logger.error({ reqId, res, err: error, responseTime }, 'request errored');
    else this.logger.info({ reqId, res, responseTime }, 'request completed');
  }
}
