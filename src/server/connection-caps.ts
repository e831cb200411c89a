import { normalizeIP } from '@fastify/rate-limit';
import type { Server } from 'node:net';

/**
 * How many connections the server holds at once. Each is a file descriptor,
 * and a client that opens connections and sends nothing (or a byte every few
 * seconds) holds one until a timeout ends it: without a cap, a few hosts run
 * the process out of descriptors, and then it can open neither archives nor
 * database connections. `perAddress` (an IPv6 address counted by its /64, as
 * the rate limits count it) keeps one client from taking them all; `false`
 * behind a reverse proxy, whose own address every connection would share.
 */
export interface ConnectionCaps {
  total: number;
  perAddress: number | false;
}

export const DEFAULT_CONNECTION_CAPS: ConnectionCaps = { total: 10_000, perAddress: 256 };

/** Told of each connection refused (closed as it opens), by which cap; set once the app (its log, its metrics) exists. */
export interface RefusalReport {
  refused: (cap: 'total' | 'per_address', address: string) => void;
}

/**
 * Caps `server`'s connections: past `total`, Node closes new ones as they
 * open (its `maxConnections`); past `perAddress` from one client, so do we,
 * before a byte of theirs is read (for HTTPS, before the handshake).
 */
export function capConnections(server: Server, caps: ConnectionCaps, report: RefusalReport): void {
  server.maxConnections = caps.total;
  server.on('drop', (data?: { remoteAddress?: string }) => report.refused('total', data?.remoteAddress ?? ''));
  const { perAddress } = caps;
  if (perAddress === false) return;
  const open = new Map<string, number>();
  server.on('connection', (socket) => {
    const address = socket.remoteAddress ?? '';
    const key = address && normalizeIP(address, 64);
    const count = (open.get(key) ?? 0) + 1;
    if (count > perAddress) {
      socket.destroy();
      report.refused('per_address', address);
      return;
    }
    open.set(key, count);
    socket.once('close', () => {
      const left = (open.get(key) ?? 1) - 1;
      if (left > 0) open.set(key, left);
      else open.delete(key);
    });
  });
}

/**
 * What a refused connection leaves: `count` (a metric) for each, and a
 * warning in the log at most once a minute, saying how many were refused and
 * the last address (one line per connection would let a flood fill the log).
 */
export function refusalsTold(
  warn: (fields: Record<string, unknown>, message: string) => void,
  count: (cap: 'total' | 'per_address') => void,
  caps: ConnectionCaps,
  everyMs = 60_000,
): RefusalReport['refused'] {
  let last = -Infinity;
  let unlogged = 0;
  return (cap, address) => {
    count(cap);
    unlogged++;
    const now = performance.now();
    if (now - last < everyMs) return;
    last = now;
    warn(
      { cap, limit: cap === 'total' ? caps.total : caps.perAddress, address, refused: unlogged },
      cap === 'total'
        ? 'connections refused: the server holds as many as it may'
        : 'connections refused: one client address holds as many as it may',
    );
    unlogged = 0;
  };
}
