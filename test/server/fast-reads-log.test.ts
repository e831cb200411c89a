import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import Fastify, { LogController } from 'fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { FastReadsLog } from '../../src/server/fast-reads-log.ts';
import { ask, fastifyHandled, withFastReads } from '../helpers/fast-reads.ts';
import type { Answer, Ask } from '../helpers/fast-reads.ts';
import { packPackage, startTestRegistry } from '../helpers/registry.ts';
import type { TestRegistry } from '../helpers/registry.ts';

/**
 * The request log with the fast path for cache hits (src/server/fast-reads.ts,
 * fast-reads-log.ts) held to Fastify's: the same requests asked of one
 * registry with the fast path on and off must leave the same lines — the
 * same fields, values and order — but for the clock's (time, responseTime),
 * the client's port, and the request ids, which must be distinct and
 * increasing either way.
 */

type Line = Record<string, unknown> & { reqId?: string; msg?: string };

/** A registry whose request log is kept in `lines` (emptied by `take`). */
async function loggingRegistry(trustProxy?: string[]) {
  let lines: string[] = [];
  const registry = await startTestRegistry({ log: (line) => lines.push(line), trustProxy });
  const take = () => {
    const taken = lines;
    lines = [];
    return taken.map((line) => JSON.parse(line) as Line);
  };
  return { registry, take };
}

/** Until every request logged has its "request completed" (Fastify writes it after its onResponse hooks). */
async function completed(take: () => Line[], requests: number): Promise<Line[]> {
  const lines: Line[] = [];
  const until = Date.now() + 10_000;
  while (lines.filter((l) => l.msg === 'request completed').length < requests && Date.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, 5));
    lines.push(...take());
  }
  return lines;
}

/**
 * Restarts the registry with the fast path on, then off, and asks `asks` in
 * turn on a cold cache: the answers, how many reached Fastify's handlers,
 * and the request log's lines for them.
 */
async function differential(registry: TestRegistry, take: () => Line[], asks: Ask[]) {
  const round = (on: boolean) =>
    withFastReads(on, async () => {
      await registry.restart();
      take();
      const { result, handled } = await fastifyHandled(async () => {
        const answers: Answer[] = [];
        for (const a of asks) answers.push(await ask(registry.url, a));
        return answers;
      });
      return { answers: result, handled, lines: await completed(take, asks.length) };
    });
  return { fast: await round(true), fastify: await round(false) };
}

/** The lines of each request, requests in the order they came, with what differs from run to run put aside. */
function normalised(lines: Line[]): Line[][] {
  const byId = new Map<string, Line[]>();
  for (const line of lines) {
    assert.equal(typeof line.reqId, 'string', `a request's line: ${JSON.stringify(line)}`);
    const { time: _time, responseTime, ...rest } = line;
    assert.equal(typeof responseTime === 'number' || line.msg === 'incoming request', true);
    const req = rest.req as Record<string, unknown> | undefined;
    if (req) {
      assert.equal(typeof req.remotePort, 'number');
      rest.req = { ...req, remotePort: 'port' };
    }
    const group = byId.get(line.reqId!) ?? [];
    byId.set(line.reqId!, group);
    group.push({ ...rest, reqId: `id ${[...byId.keys()].indexOf(line.reqId!)}` });
  }
  return [...byId.values()];
}

/** Each request has its own id, larger than the one before, and logged its two lines. */
function assertLogged(lines: Line[], requests: number): void {
  const ids = [...new Set(lines.map((l) => l.reqId!))];
  assert.equal(ids.length, requests, 'one id a request');
  const counts = ids.map((id) => parseInt(id.replace(/^req-/, ''), 36));
  assert.ok(
    ids.every((id, i) => /^req-[0-9a-z]+$/.test(id) && (i === 0 || counts[i]! > counts[i - 1]!)),
    `ids like Fastify's, increasing: ${ids.join(' ')}`,
  );
  for (const id of ids)
    assert.deepEqual(
      lines.filter((l) => l.reqId === id).map((l) => [l.level, l.msg]),
      [
        [30, 'incoming request'],
        [30, 'request completed'],
      ],
    );
}

function assertSameLog(asks: Ask[], fast: { lines: Line[] }, fastify: { lines: Line[] }): void {
  assertLogged(fast.lines, asks.length);
  assertLogged(fastify.lines, asks.length);
  const [a, b] = [normalised(fast.lines), normalised(fastify.lines)];
  asks.forEach((ask, i) =>
    assert.deepEqual(a[i], b[i], `${ask.method ?? 'GET'} ${ask.path} ${JSON.stringify(ask.headers ?? {})}`),
  );
  // Fields in the same order too (deepEqual does not look at it).
  assert.deepEqual(
    a.flat().map((l) => Object.keys(l)),
    b.flat().map((l) => Object.keys(l)),
  );
}

const PACKAGE = '/api/v1/packages/@acme/logged';
const VERSION = `${PACKAGE}/1.0.0`;

describe('the fast path for cache hits writes the request log as Fastify does', () => {
  let plain: Awaited<ReturnType<typeof loggingRegistry>>;
  let proxied: Awaited<ReturnType<typeof loggingRegistry>>;
  let etag: string;

  before(async () => {
    plain = await loggingRegistry();
    proxied = await loggingRegistry(['127.0.0.1']);
    for (const { registry } of [plain, proxied])
      await registry.client(await registry.token('alice')).publish(await packPackage('@acme/logged', '1.0.0'), []);
    const first = await ask(plain.registry.url, { path: PACKAGE });
    etag = first.headers[first.headers.findIndex((h) => h.toLowerCase() === 'etag') + 1]!;
  });
  after(async () => {
    await plain?.registry.close();
    await proxied?.registry.close();
  });

  it('a line for each request coming and one for its answer, miss or hit, 200 or 304, GET or HEAD', async () => {
    const asks: Ask[] = [
      { path: PACKAGE },
      { path: PACKAGE },
      { path: PACKAGE, headers: { 'if-none-match': etag } },
      { path: PACKAGE, method: 'HEAD' },
      { path: PACKAGE, method: 'HEAD', headers: { 'if-none-match': etag } },
      { path: VERSION, method: 'HEAD' },
      { path: VERSION },
      { path: VERSION, headers: { 'accept-version': '2', host: 'registry.example' } },
      // Not behind --trust-proxy: the header is nobody's word, and the line has the client's address.
      { path: VERSION, headers: { 'x-forwarded-for': '10.0.0.7', 'x-forwarded-host': 'other.example' } },
      { path: '/api/v1/packages/@acme/missing' },
    ];
    const { fast, fastify } = await differential(plain.registry, plain.take, asks);
    assert.deepEqual(
      fast.answers.map((a) => a.status),
      fastify.answers.map((a) => a.status),
    );
    assert.equal(fastify.handled, asks.length);
    assert.equal(fast.handled, 3, 'the two misses and the unknown package reached Fastify; the hits did not');
    assertSameLog(asks, fast, fastify);
    const statuses = fast.lines.flatMap((l) => (l.res ? [(l.res as { statusCode: number }).statusCode] : []));
    assert.deepEqual(statuses, [200, 200, 304, 200, 304, 200, 200, 200, 200, 404]);
    const versioned = fast.lines.find((l) => (l.req as { version?: string } | undefined)?.version === '2');
    assert.ok(versioned, 'Accept-Version is logged as the version');
    assert.equal((versioned.req as { host: string }).host, 'registry.example');
  });

  it('behind --trust-proxy, leaves a request with X-Forwarded-For or X-Forwarded-Host to Fastify, whose line believes them', async () => {
    const asks: Ask[] = [
      { path: PACKAGE },
      { path: PACKAGE },
      { path: PACKAGE, headers: { 'x-forwarded-for': '10.0.0.7' } },
      { path: PACKAGE, headers: { 'x-forwarded-host': 'registry.example' } },
      { path: PACKAGE, method: 'HEAD' },
    ];
    const { fast, fastify } = await differential(proxied.registry, proxied.take, asks);
    assert.equal(fast.handled, 3, 'the miss, and the two with a proxy’s headers');
    assertSameLog(asks, fast, fastify);
    const reqs = fast.lines.flatMap((l) => (l.req ? [l.req as { remoteAddress: string; host: string }] : []));
    assert.equal(reqs[2]!.remoteAddress, '10.0.0.7');
    assert.equal(reqs[3]!.host, 'registry.example');
    assert.notEqual(reqs[4]!.remoteAddress, '10.0.0.7');
  });
});

describe("the fast path's line for an answer that fails", () => {
  it('is "request errored", at level 50, with the error, as Fastify writes it', () => {
    const lines: string[] = [];
    const app = Fastify({ logger: { level: 'info', stream: { write: (line: string) => lines.push(line) } } });
    const error = Object.assign(new Error('write EPIPE'), { code: 'EPIPE' });
    // What Fastify's onResFinished does when the response emits 'error' (fastify/lib/reply.js).
    const reply = { log: app.log.child({ reqId: 'req-7' }), statusCode: 200, elapsedTime: 1.25 };
    new LogController().requestCompleted(error, {} as FastifyRequest, reply as unknown as FastifyReply);
    new FastReadsLog(app.log, () => 'req-7').completed('req-7', 200, 1.25, error);
    const [fastify, fast] = lines.map((line): Line => ({ ...(JSON.parse(line) as Line), time: 0 }));
    assert.deepEqual(fast, fastify);
    assert.deepEqual(Object.keys(fast!), Object.keys(fastify!));
    assert.deepEqual([fast!.level, fast!.msg, (fast!.err as { code: string }).code], [50, 'request errored', 'EPIPE']);
  });
});
