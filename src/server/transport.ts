import { createServer as createHttpServer } from 'node:http';
import type { IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { AamError } from '../core/errors.ts';
import { BodyRate, lookEveryMs } from './body-rate.ts';
import type { SlowReason } from './body-rate.ts';
import { capConnections, DEFAULT_CONNECTION_CAPS } from './connection-caps.ts';
import type { ConnectionCaps, RefusalReport } from './connection-caps.ts';

/**
 * How long a client may take (spec §9: a server strangers can reach). Each
 * limit sheds a slow client within seconds while a real upload at a modest
 * speed still fits (README "Limits": why these numbers).
 */
export interface Timeouts {
  /** From connecting to the end of the request's headers. */
  headersMs: number;
  /** A connection with nothing sent either way for this long is closed (keep-alive included). */
  idleMs: number;
  /** The whole request, body included. */
  requestMs: number;
  /** A body arriving slower than this many bytes per `rateWindowMs` is cut off with a 408 (a stall). */
  minBodyBytes: number;
  rateWindowMs: number;
  /**
   * A body still arriving after `bodyGraceMs` must have come at this many
   * bytes a second on average, less the grace: by time t, `minBodyRate × (t − grace)`
   * bytes (a trickle that keeps just above the per-window floor is cut within seconds).
   */
  minBodyRate: number;
  bodyGraceMs: number;
}

export const DEFAULT_TIMEOUTS: Timeouts = {
  headersMs: 10_000,
  idleMs: 15_000,
  requestMs: 120_000,
  minBodyBytes: 16 * 1024,
  rateWindowMs: 5_000,
  minBodyRate: 64 * 1024,
  bodyGraceMs: 5_000,
};

/** A request whose body was cut off for arriving too slowly: for the log and the metrics. */
export interface ShedClient {
  method: string;
  url: string;
  reason: SlowReason;
  /** Bytes read from the connection since the request began, and for how long. */
  bytes: number;
  ms: number;
}

/** Told of each client shed by the body-rate watch; set once the app (its log, its metrics) exists. */
export interface ShedReport {
  shed: (client: ShedClient) => void;
}

/** PEM certificate chain and key: the server speaks HTTPS only, with HSTS (§9.1). */
export interface TlsFiles {
  cert: Buffer;
  key: Buffer;
}

/**
 * What answers a request before Fastify does (the fast path for cache hits,
 * fast-reads.ts), set once the app exists: true when it answered, false
 * (having sent nothing) to hand the request to Fastify.
 */
export interface FrontDoor {
  answer?: ((request: IncomingMessage, response: ServerResponse) => boolean) | undefined;
}

/** The HTTP or HTTPS server under Fastify, with every timeout set (Fastify's own options do not reach them all) and its connections capped. */
export function serverFactory(
  timeouts: Timeouts,
  tls: TlsFiles | undefined,
  report: ShedReport & RefusalReport,
  front: FrontDoor = {},
  caps: ConnectionCaps = DEFAULT_CONNECTION_CAPS,
) {
  return (fastify: RequestListener): Server => {
    const handler: RequestListener = (request, response) => {
      try {
        if (front.answer?.(request, response)) return;
      } catch (error) {
        // Nothing sent yet: Fastify answers it (and its error handling, whatever went wrong); else the connection goes.
        if (response.headersSent) return void response.destroy(error as Error);
      }
      fastify(request, response);
    };
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
    capConnections(server, caps, report);
    server.on('request', (request: IncomingMessage, response: ServerResponse) => {
      watchBodyRate(request, response, timeouts, report);
      response.once('finish', () => lingerOnClose(request));
    });
    return server;
  };
}

/**
 * Cuts off a body that trickles in: checked every second (or window, if
 * shorter) until the request is whole, the bytes read from the socket must
 * grow by `minBodyBytes` each `rateWindowMs` and, after the grace, keep up
 * with `minBodyRate` — while the server is reading it (time in which the
 * request's buffer is full, or the event loop was stalled, is not the client's: body-rate.ts). The client gets a 408 with the spec's error body (if
 * nothing was answered yet), the connection closes, and `report` is told
 * (a log line, a metric).
 */
function watchBodyRate(
  request: IncomingMessage,
  response: ServerResponse,
  timeouts: Timeouts,
  report: ShedReport,
): void {
  const socket = request.socket;
  if (request.complete) return;
  const began = performance.now();
  const first = socket.bytesRead;
  const rate = new BodyRate(timeouts, began, first);
  const timer = setInterval(() => {
    if (request.complete || socket.destroyed) return clearInterval(timer);
    const now = performance.now();
    const read = socket.bytesRead;
    const reason = rate.look(now, read, request.readableLength >= request.readableHighWaterMark);
    if (!reason) return;
    clearInterval(timer);
    report.shed({
      method: request.method ?? '',
      url: request.url ?? '',
      reason,
      bytes: read - first,
      ms: Math.round(now - began),
    });
    if (!response.headersSent) {
      const body = JSON.stringify({
        error: 'request_timeout',
        message:
          reason === 'stalled'
            ? `The request's body arrived slower than ${timeouts.minBodyBytes} bytes in ${timeouts.rateWindowMs / 1000} s; send it faster.`
            : `The request's body arrived slower than ${timeouts.minBodyRate} bytes a second (after ${timeouts.bodyGraceMs / 1000} s); send it faster.`,
      });
      // Outside Fastify (its handler may still be reading the body): the headers its answers carry, by hand.
      // helmet's are on the response already (the onRequest hook set them; writeHead merges them in).
      response.writeHead(408, {
        'content-type': 'application/json; charset=utf-8',
        'cache-control': 'no-store',
        'x-content-type-options': 'nosniff',
        connection: 'close',
      });
      response.end(body, () => socket.destroy());
      setTimeout(() => socket.destroy(), 1_000).unref();
    } else socket.destroy();
  }, lookEveryMs(timeouts));
  // Watched until the body is whole or the connection gone, not until the answer: a refused upload
  // (a 401 before its body is read) goes on being drained, and must keep up as well.
  timer.unref();
}

/** The most of a refused body read and thrown away after a closing answer; past it, the connection is cut. */
export const LINGER_LIMIT = 64 * 1024 * 1024;

/**
 * A closing answer (`Connection: close`) sent before its request's body was
 * whole — an upload refused as too large, or by its token, before it was read
 * — leaves the connection open until the rest of the body has come, read and
 * thrown away (a "lingering close", as Apache and nginx do). Node would close
 * it as soon as the answer is out, with the client's bytes unread, which
 * resets the connection: a client still writing its body then sees the reset,
 * not the answer. Bounded by `limit` bytes; a body that trickles is cut by
 * the rate watch, and a keep-alive answer needs none of this (Node reads on).
 */
export function lingerOnClose(request: IncomingMessage, limit = LINGER_LIMIT): void {
  const socket = request.socket;
  // Node's destroySoon (for a closing answer) waits for the answer to be written, then destroys the socket.
  if (request.complete || socket.destroyed || !socket.listeners('finish').includes(socket.destroy)) return;
  socket.removeListener('finish', socket.destroy);
  let left = limit;
  const close = () => socket.destroy();
  request.on('data', (chunk: Buffer) => {
    left -= chunk.length;
    if (left < 0) close();
  });
  request.once('end', close);
  request.resume();
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
