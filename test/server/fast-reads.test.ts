import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { publicGoodRoot } from '../../src/core/sigstore/trusted-root.ts';
import { buildRegistryApp } from '../../src/server/app.ts';
import type { RunningRegistry } from '../../src/server/serve.ts';
import { ask, fastifyHandled, header, withFastReads } from '../helpers/fast-reads.ts';
import type { Answer, Ask } from '../helpers/fast-reads.ts';
import type { TestPostgres } from '../helpers/postgres.ts';
import { ENGINES, packPackage, startTestRegistry, UNLIMITED } from '../helpers/registry.ts';
import type { TestRegistry } from '../helpers/registry.ts';
import { publishRequest } from '../helpers/raw-http.ts';
import { tempDir } from '../helpers/temp.ts';

/**
 * The fast path for cache hits (src/server/fast-reads.ts) held to Fastify's
 * answers: the same requests asked of one registry with the fast path on and
 * off must get the same status, headers (names, case and order) and body.
 */

/** Every request a client may ask of a kept answer: plain, conditional (matching or not), HEAD. */
async function requestsFor(registry: TestRegistry, paths: string[], ca?: Buffer): Promise<Ask[]> {
  const asks: Ask[] = [];
  for (const path of paths) {
    const first = await ask(registry.url, { path }, ca);
    const etag = header(first, 'etag');
    assert.ok(etag, `${path} answered ${first.status} ${first.body}`);
    asks.push(
      { path },
      { path, headers: { 'if-none-match': etag } },
      { path, headers: { 'if-none-match': `"other", W/${etag}` } },
      { path, headers: { 'if-none-match': '"other"' } },
      { path, headers: { 'if-none-match': '*' } },
      { path, method: 'HEAD' },
      { path, method: 'HEAD', headers: { 'if-none-match': etag } },
      { path, headers: { authorization: 'Bearer not-a-token', accept: 'application/json' } },
    );
  }
  return asks;
}

/**
 * Restarts `registry` with the fast path on, then off; each time warms the
 * cache (one GET of each path) and asks every request: the answers, and how
 * many reached Fastify's handlers.
 */
async function differential(registry: TestRegistry, asks: Ask[], ca?: Buffer) {
  const round = (on: boolean) =>
    withFastReads(on, async () => {
      await registry.restart();
      for (const path of new Set(asks.map((a) => a.path))) await ask(registry.url, { path }, ca);
      return fastifyHandled(async () => {
        const answers: Answer[] = [];
        for (const a of asks) answers.push(await ask(registry.url, a, ca));
        return answers;
      });
    });
  return { fast: await round(true), fastify: await round(false) };
}

function assertSameAnswers(asks: Ask[], fast: Answer[], fastify: Answer[]): void {
  asks.forEach((a, i) =>
    assert.deepEqual(fast[i], fastify[i], `${a.method ?? 'GET'} ${a.path} ${JSON.stringify(a.headers ?? {})}`),
  );
}

async function selfSigned(): Promise<{ cert: string; key: string; ca: Buffer }> {
  const dir = await tempDir('aam-tls-');
  await promisify(execFile)('openssl', [
    ...['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '2'],
    ...['-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost'],
    ...['-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')],
  ]);
  return { cert: join(dir, 'cert.pem'), key: join(dir, 'key.pem'), ca: await readFile(join(dir, 'cert.pem')) };
}

const PATHS = [
  '/api/v1/packages/@acme/fast',
  '/api/v1/packages/@acme/fast/versions',
  '/api/v1/packages/@acme/fast/1.0.0',
  '/api/v1/packages/plainfast',
  '/api/v1/packages/plainfast/1.0.0',
  // Not '/api/v1/packages/@acme/fast?x=1' nor '/api/v1/packages/@acme/f%61st': an answer to a URL with a query
  // string or a percent-encoded one is not kept (read-cache.test.ts), so Fastify answers it.
];

describe('the fast path for cache hits answers as Fastify does', () => {
  let registry: TestRegistry;
  let token: string;

  before(async () => {
    registry = await startTestRegistry();
    token = await registry.token('alice', ['publish', 'yank']);
    for (const [name, version] of [
      ['@acme/fast', '1.0.0'],
      ['@acme/fast', '1.1.0'],
      ['plainfast', '1.0.0'],
    ] as const)
      await registry.client(token).publish(await packPackage(name, version), []);
  });
  after(async () => registry?.close());

  it('with the same status, headers and body, hit or 304, GET or HEAD — and answers them without Fastify', async () => {
    const asks = await requestsFor(registry, PATHS);
    const { fast, fastify } = await differential(registry, asks);
    assertSameAnswers(asks, fast.result, fastify.result);
    assert.equal(fast.handled, 0, 'every kept answer came from the fast path');
    assert.equal(fastify.handled, asks.length, 'and with it off, from Fastify');
    const statuses = fast.result.map((a) => a.status);
    assert.ok(statuses.includes(200) && statuses.includes(304));
    const first = fast.result[0]!;
    assert.equal(header(first, 'x-cache'), 'hit');
    assert.equal(header(first, 'cache-control'), 'no-cache');
    assert.equal(header(first, 'x-content-type-options'), 'nosniff');
    assert.equal(header(first, 'strict-transport-security'), undefined, 'no HSTS over plain HTTP');
    assert.equal(Number(header(first, 'content-length')), Buffer.byteLength(first.body));
  });

  it('counts its answers in /metrics under the route that made them, as Fastify does', async () => {
    await registry.restart();
    const path = PATHS[0]!;
    const etag = header(await ask(registry.url, { path }), 'etag')!;
    await ask(registry.url, { path: PATHS[2]! });
    const { handled } = await fastifyHandled(async () => {
      for (let i = 0; i < 3; i++) await ask(registry.url, { path });
      await ask(registry.url, { path, headers: { 'if-none-match': etag } });
      await ask(registry.url, { path: `${PATHS[2]}`, method: 'HEAD' });
    });
    assert.equal(handled, 0);
    const text = await (await fetch(`${registry.url}/metrics`)).text();
    const route = String.raw`route="\/api\/v1\/packages\/@:scope\/:name`;
    assert.match(text, new RegExp(String.raw`^aam_http_requests_total\{${route}",method="GET",status="200"\} 4$`, 'm'));
    assert.match(text, new RegExp(String.raw`^aam_http_requests_total\{${route}",method="GET",status="304"\} 1$`, 'm'));
    assert.match(
      text,
      new RegExp(String.raw`^aam_http_requests_total\{${route}\/:version",method="HEAD",status="200"\} 1$`, 'm'),
    );
    assert.match(
      text,
      new RegExp(String.raw`^aam_http_request_duration_seconds_count\{${route}",method="GET"\} 5$`, 'm'),
    );
  });

  it('leaves to Fastify what it would refuse or answer otherwise: a header sent twice, a dot segment, other methods', async () => {
    await registry.restart();
    const path = PATHS[0]!;
    await ask(registry.url, { path });
    const { result, handled } = await fastifyHandled(async () => [
      await ask(registry.url, { path, headers: { authorization: ['Bearer a', 'Bearer b'] } }),
      await ask(registry.url, { path, headers: { 'content-type': ['application/json', 'text/plain'] } }),
      await ask(registry.url, { path: '/api/v1/packages/@acme/fast/./versions' }),
      await ask(registry.url, { path: '/api/v1/packages/@acme/x/../fast' }),
      await ask(registry.url, { path: '/api/v1/packages/@acme/%2e%2e/fast' }),
      // `%40` is no `@` to the router: this is the unscoped route, and `%40acme` no name.
      await ask(registry.url, { path: '/api/v1/packages/%40acme/fast' }),
    ]);
    assert.deepEqual(
      result.map((a) => [a.status, (JSON.parse(a.body) as { error: string }).error]),
      [...Array<[number, string]>(5).fill([400, 'bad_request']), [400, 'invalid_name']],
    );
    assert.equal(handled, 0, 'refused before any handler');
    const deleted = await fetch(`${registry.url}${path}`, { method: 'DELETE' });
    assert.equal(deleted.status, 405, "another method is Fastify's");
    // A GET with a body: Fastify ignores the body, and answers it (from the cache, through its route).
    const withBody = await fastifyHandled(() =>
      ask(registry.url, { path, headers: { 'content-length': '0', 'content-type': 'application/json' } }),
    );
    assert.deepEqual([withBody.result.status, withBody.handled], [200, 1]);
  });

  it('never answers from before a publish or a yank on this instance: a 304 or a 200 after it is the new answer', async () => {
    await registry.restart();
    const path = '/api/v1/packages/@acme/fast';
    const versionPath = `${path}/1.1.0`;
    const before = await ask(registry.url, { path });
    const version = await ask(registry.url, { path: versionPath });
    const list = await ask(registry.url, { path: `${path}/versions` });
    const { handled } = await fastifyHandled(async () => {
      assert.equal(
        (await ask(registry.url, { path, headers: { 'if-none-match': header(before, 'etag')! } })).status,
        304,
      );
      assert.equal((await ask(registry.url, { path: versionPath })).body, version.body);
    });
    assert.equal(handled, 0, 'answered by the fast path');

    await registry.client(token).publish(await packPackage('@acme/fast', '1.2.0'), []);
    const published = await ask(registry.url, { path, headers: { 'if-none-match': header(before, 'etag')! } });
    assert.equal(published.status, 200);
    assert.deepEqual(
      (JSON.parse(published.body) as { versions: { version: string }[] }).versions.map((v) => v.version),
      ['1.0.0', '1.1.0', '1.2.0'],
    );

    const yank = await fetch(`${registry.url}${versionPath}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${token}` },
    });
    assert.equal(yank.status, 200);
    const yanked = await ask(registry.url, {
      path: versionPath,
      headers: { 'if-none-match': header(version, 'etag')! },
    });
    assert.equal(yanked.status, 200);
    assert.equal((JSON.parse(yanked.body) as { yanked: boolean }).yanked, true);
    const versions = await ask(registry.url, { path: `${path}/versions` });
    assert.notEqual(versions.body, list.body);
    // And the new answers are kept and served by the fast path again.
    const again = await fastifyHandled(() => ask(registry.url, { path: versionPath }));
    assert.deepEqual([again.result.body, again.handled], [yanked.body, 0]);
  });

  it('sees a change made in the database by anyone, through its notification', async () => {
    await registry.restart();
    const path = '/api/v1/packages/plainfast';
    const before = await ask(registry.url, { path });
    assert.equal(
      (await ask(registry.url, { path, headers: { 'if-none-match': header(before, 'etag')! } })).status,
      304,
    );
    await registry.server.db.query(
      `UPDATE packages SET description = 'changed by the operator' WHERE name = 'plainfast'`,
    );
    const after = await eventually(
      () => ask(registry.url, { path, headers: { 'if-none-match': header(before, 'etag')! } }),
      (a) => a.status === 200,
    );
    assert.equal((JSON.parse(after.body) as { description: string }).description, 'changed by the operator');
  });
});

describe('the fast path over HTTPS, and behind a trusted proxy', () => {
  let tls: TestRegistry;
  let proxied: TestRegistry;
  let ca: Buffer;

  before(async () => {
    const files = await selfSigned();
    ca = files.ca;
    tls = await startTestRegistry({ tlsCert: files.cert, tlsKey: files.key });
    proxied = await startTestRegistry({ trustProxy: ['127.0.0.1'] });
    await proxied.client(await proxied.token('alice')).publish(await packPackage('@acme/fast', '1.0.0'), []);
    // The client trusts the system's roots only: the publish over HTTPS is sent by hand, trusting `ca`.
    const { head, body } = publishRequest(await tls.token('alice'), await packPackage('@acme/fast', '1.0.0'));
    const { hostname, port } = new URL(tls.url);
    const headers = Object.fromEntries(
      head
        .split('\r\n')
        .slice(1)
        .filter((line) => /^(authorization|content-type):/i.test(line))
        .map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 1).trim()]),
    );
    const status = await new Promise<number>((resolve, reject) => {
      const request = httpsRequest(
        { hostname, port, path: '/api/v1/packages', method: 'POST', headers, ca },
        (response) => {
          response.resume();
          resolve(response.statusCode!);
        },
      );
      request.on('error', reject);
      request.end(body);
    });
    assert.equal(status, 201);
  });
  after(async () => {
    await tls?.close();
    await proxied?.close();
  });

  it('answers over HTTPS as Fastify does, with HSTS', async () => {
    const asks = await requestsFor(tls, PATHS.slice(0, 3), ca);
    const { fast, fastify } = await differential(tls, asks, ca);
    assertSameAnswers(asks, fast.result, fastify.result);
    assert.equal(fast.handled, 0);
    assert.equal(header(fast.result[0]!, 'strict-transport-security'), 'max-age=31536000; includeSubDomains');
  });

  it('behind --trust-proxy, leaves a request with X-Forwarded-Proto to Fastify (HSTS if the proxy is trusted)', async () => {
    const path = PATHS[0]!;
    const asks: Ask[] = [
      { path },
      { path, headers: { 'x-forwarded-proto': 'https' } },
      { path, headers: { 'x-forwarded-proto': 'http' } },
      { path, headers: { 'x-forwarded-proto': 'http, https', 'x-forwarded-for': '10.0.0.1' } },
    ];
    const { fast, fastify } = await differential(proxied, asks);
    assertSameAnswers(asks, fast.result, fastify.result);
    assert.equal(fast.handled, 3, 'only the request without X-Forwarded-Proto was answered in front');
    assert.equal(header(fast.result[1]!, 'strict-transport-security'), 'max-age=31536000; includeSubDomains');
    assert.equal(header(fast.result[0]!, 'strict-transport-security'), undefined);
  });
});

describe('a closing registry answers 503 to a kept URL, as Fastify does', () => {
  let registry: TestRegistry;

  before(async () => {
    registry = await startTestRegistry();
    await registry.client(await registry.token('alice')).publish(await packPackage('closing', '1.0.0'), []);
  });
  after(async () => registry?.close());

  it('leaves a request that comes while the app closes to Fastify', async () => {
    // A second app on the registry's database and blobs, whose closing the test holds open.
    const { db, blobs } = registry.server;
    const key = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    const app = await buildRegistryApp({ db, blobs, sigstoreRoot: publicGoodRoot(), key }, { rateLimits: UNLIMITED });
    let entered!: () => void;
    const closingStarted = new Promise<void>((resolve) => (entered = resolve));
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    app.addHook('preClose', async () => {
      entered();
      await held;
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const address = app.server.address();
    const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    const path = '/api/v1/packages/closing';
    await ask(url, { path });
    const hit = await fastifyHandled(() => ask(url, { path }));
    assert.deepEqual([hit.result.status, hit.handled], [200, 0], 'kept, and answered in front');
    const closed = app.close();
    await closingStarted;
    const answer = await ask(url, { path });
    release();
    await closed;
    assert.equal(answer.status, 503);
    assert.equal(header(answer, 'Connection') ?? header(answer, 'connection'), 'close');
  });
});

/** Asks until `ok` holds (a change elsewhere arrives as a notification), for at most ten seconds. */
async function eventually<T>(run: () => Promise<T>, ok: (answer: T) => boolean): Promise<T> {
  const until = Date.now() + 10_000;
  for (;;) {
    const answer = await run();
    if (ok(answer) || Date.now() > until) return answer;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe(
  'two instances on one PostgreSQL database: the fast path of one never answers from before a write on the other',
  {
    skip: ENGINES[1]!.skip,
  },
  () => {
    let postgres: TestPostgres;
    let registry: TestRegistry;
    let other: RunningRegistry;

    before(async () => {
      postgres = (await ENGINES[1]!.start())!;
      registry = await startTestRegistry({ postgres });
      other = await registry.secondInstance();
    });
    after(async () => {
      await registry?.close();
      await postgres?.stop();
    });

    it('a publish and a yank through one instance reach the kept answers of the other', async () => {
      const token = await registry.token('alice', ['publish', 'yank']);
      await registry.client(token).publish(await packPackage('@acme/shared', '1.0.0'), []);
      const path = '/api/v1/packages/@acme/shared';
      const first = await ask(other.url, { path });
      const kept = await fastifyHandled(() =>
        ask(other.url, { path, headers: { 'if-none-match': header(first, 'etag')! } }),
      );
      assert.deepEqual([kept.result.status, kept.handled], [304, 0]);
      await registry.client(token).publish(await packPackage('@acme/shared', '1.1.0'), []);
      const published = await eventually(
        () => ask(other.url, { path, headers: { 'if-none-match': header(first, 'etag')! } }),
        (a) => a.status === 200,
      );
      assert.equal((JSON.parse(published.body) as { versions: unknown[] }).versions.length, 2);
      const yank = await fetch(`${registry.url}${path}/1.1.0`, {
        method: 'DELETE',
        headers: { authorization: `Bearer ${token}` },
      });
      assert.equal(yank.status, 200);
      const yanked = await eventually(
        () => ask(other.url, { path, headers: { 'if-none-match': header(published, 'etag')! } }),
        (a) => a.status === 200,
      );
      assert.equal((JSON.parse(yanked.body) as { versions: { yanked: boolean }[] }).versions[1]!.yanked, true);
    });
  },
);
