import { createServer as createHttpServer } from 'node:http';
import type { IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { FastifyInstance } from 'fastify';
import { AamError } from '../core/errors.ts';

/**
 * How long a client may take (spec §9: a server strangers can reach). Each
 * limit sheds a slow client within seconds while a real upload at a modest
 * speed (50 MB at 1 MB/s) still fits.
 */
export interface Timeouts {
  /** From connecting to the end of the request's headers. */
  headersMs: number;
  /** A connection with nothing sent either way for this long is closed (keep-alive included). */
  idleMs: number;
  /** The whole request, body included. */
  requestMs: number;
  /** A body arriving slower than this many bytes per `rateWindowMs` is cut off with a 408. */
  minBodyBytes: number;
  rateWindowMs: number;
}

export const DEFAULT_TIMEOUTS: Timeouts = {
  headersMs: 10_000,
  idleMs: 15_000,
  requestMs: 120_000,
  minBodyBytes: 16 * 1024,
  rateWindowMs: 5_000,
};

/** PEM certificate chain and key: the server speaks HTTPS only, with HSTS (§9.1). */
export interface TlsFiles {
  cert: Buffer;
  key: Buffer;
}

/** HSTS as §9.1 words it: a year, subdomains included. */
export const HSTS = 'max-age=31536000; includeSubDomains';

/** The HTTP or HTTPS server under Fastify, with every timeout set (Fastify's own options do not reach them all). */
export function serverFactory(timeouts: Timeouts, tls: TlsFiles | undefined) {
  return (handler: RequestListener): Server => {
    const options = {
      headersTimeout: timeouts.headersMs,
      requestTimeout: timeouts.requestMs,
      keepAliveTimeout: Math.min(5_000, timeouts.idleMs),
      // How often Node checks the two timeouts above (30 s by default, which would make them late).
      connectionsCheckingInterval: Math.min(1_000, timeouts.headersMs),
    };
    const server: Server = tls
      ? (createHttpsServer(
          { ...options, cert: tls.cert, key: tls.key, minVersion: 'TLSv1.2' },
          handler,
        ) as unknown as Server)
      : createHttpServer(options, handler);
    server.timeout = timeouts.idleMs;
    server.on('request', (request: IncomingMessage, response: ServerResponse) =>
      watchBodyRate(request, response, timeouts),
    );
    return server;
  };
}

/**
 * Cuts off a body that trickles in: each window, the bytes read from the
 * socket must have grown by `minBodyBytes`, until the request is whole.
 * The client gets a 408 with the spec's error body (if nothing was answered
 * yet) and the connection closes.
 */
function watchBodyRate(request: IncomingMessage, response: ServerResponse, timeouts: Timeouts): void {
  const socket = request.socket;
  if (request.complete) return;
  let last = socket.bytesRead;
  const timer = setInterval(() => {
    if (request.complete || socket.destroyed) return clearInterval(timer);
    const now = socket.bytesRead;
    if (now - last >= timeouts.minBodyBytes) {
      last = now;
      return;
    }
    clearInterval(timer);
    if (!response.headersSent) {
      const body = JSON.stringify({
        error: 'request_timeout',
        message: `The request's body arrived slower than ${timeouts.minBodyBytes} bytes in ${timeouts.rateWindowMs / 1000} s; send it faster.`,
      });
      response.writeHead(408, { 'content-type': 'application/json; charset=utf-8', connection: 'close' });
      response.end(body, () => socket.destroy());
      setTimeout(() => socket.destroy(), 1_000).unref();
    } else socket.destroy();
  }, timeouts.rateWindowMs);
  timer.unref();
  response.once('close', () => clearInterval(timer));
}

/** HSTS on every answer that went over HTTPS: directly, or through a trusted proxy that says so. */
export function installHsts(app: FastifyInstance): void {
  app.addHook('onSend', async (request, reply) => {
    if (request.protocol === 'https') reply.header('strict-transport-security', HSTS);
  });
}

/**
 * `--trust-proxy`: which peers' X-Forwarded-For and X-Forwarded-Proto are
 * believed — the reverse proxies' addresses or CIDR ranges, separated by
 * commas. Believing anyone would let any client pick its own address (and
 * so its own rate limit).
 */
export function trustProxyOf(value: string): string[] {
  const list = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (list.length === 0 || list.some((s) => !/^[0-9a-fA-F:.]+(\/\d{1,3})?$/.test(s)))
    throw new AamError(
      'USAGE',
      `--trust-proxy takes the proxies' addresses or CIDR ranges, separated by commas, not "${value}".`,
    );
  return list;
}
