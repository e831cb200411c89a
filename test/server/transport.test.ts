import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startRegistryServer } from '../../src/server/serve.ts';
import type { RunningRegistry } from '../../src/server/serve.ts';
import { postgresBin, startPostgres } from '../helpers/postgres.ts';
import type { TestPostgres } from '../helpers/postgres.ts';
import { awayFromMinuteEnd, packPackage, startTestRegistry } from '../helpers/registry.ts';
import type { TestRegistry } from '../helpers/registry.ts';
import { paced, publishRequest } from '../helpers/raw-http.ts';
import { tempDir } from '../helpers/temp.ts';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A GET over HTTP or HTTPS (trusting `ca`), with the headers given. */
function get(url: string, headers: Record<string, string> = {}, ca?: Buffer): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const send = url.startsWith('https:') ? httpsRequest : httpRequest;
    const req = send(url, { headers, ...(ca ? { ca } : {}) }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Opens a raw connection, writes `head`, then `body` a few bytes at a time every `everyMs`; resolves with what came back and when. */
function trickle(url: string, head: string, body: string, everyMs: number): Promise<{ answer: string; ms: number }> {
  return paced(url, head, Buffer.from(body), 2, everyMs);
}

describe('the registry over HTTPS, with HSTS (spec §9.1)', () => {
  let registry: TestRegistry;
  let cert: Buffer;

  before(async () => {
    const dir = await tempDir('aam-tls-');
    await promisify(execFile)('openssl', [
      ...['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '2'],
      ...['-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost'],
      ...['-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')],
    ]);
    cert = await readFile(join(dir, 'cert.pem'));
    registry = await startTestRegistry({ tlsCert: join(dir, 'cert.pem'), tlsKey: join(dir, 'key.pem') });
  });
  after(async () => registry?.close());

  it('answers over HTTPS with Strict-Transport-Security, and not over plain HTTP', async () => {
    assert.match(registry.url, /^https:\/\/127\.0\.0\.1:\d+$/);
    const answer = await get(`${registry.url}/api/v1/registry`, {}, cert);
    assert.equal(answer.status, 200);
    assert.equal(answer.headers['strict-transport-security'], 'max-age=31536000; includeSubDomains');
    const plain = await get(`${registry.url.replace('https:', 'http:')}/api/v1/registry`).catch(
      (error: Error) => error,
    );
    assert.ok(plain instanceof Error || plain.status >= 400, 'plain HTTP was served');
  });

  it('refuses a client that does not trust its certificate (no fallback)', async () => {
    await assert.rejects(get(`${registry.url}/api/v1/registry`), /self-signed|certificate/);
  });
});

describe('behind a reverse proxy (--trust-proxy), and slow clients', () => {
  let trusting: TestRegistry;
  let direct: TestRegistry;
  const search = (registry: TestRegistry, headers: Record<string, string> = {}) =>
    get(`${registry.url}/api/v1/packages?q=x`, headers);

  before(async () => {
    const timeouts = { headersMs: 1_000, minBodyBytes: 1_000, rateWindowMs: 500 };
    trusting = await startTestRegistry({ trustProxy: ['127.0.0.1'], rateLimits: { search: 2 }, timeouts });
    direct = await startTestRegistry({ rateLimits: { search: 2 }, timeouts });
  });
  after(async () => {
    await trusting?.close();
    await direct?.close();
  });

  it("counts a trusted proxy's clients apart, and believes it about HTTPS", async () => {
    const as = (ip: string) => search(trusting, { 'x-forwarded-for': ip, 'x-forwarded-proto': 'https' });
    await awayFromMinuteEnd();
    const one = [await as('10.0.0.1'), await as('10.0.0.1'), await as('10.0.0.1')];
    assert.deepEqual(
      one.map((a) => a.status),
      [200, 200, 429],
    );
    assert.equal((await as('10.0.0.2')).status, 200, 'another client behind the proxy has a limit of its own');
    assert.equal(one[0]!.headers['strict-transport-security'], 'max-age=31536000; includeSubDomains');
  });

  it('believes no X-Forwarded-For without --trust-proxy: a client cannot pick its own limit', async () => {
    const statuses = [];
    await awayFromMinuteEnd();
    for (const ip of ['10.0.0.1', '10.0.0.2', '10.0.0.3'])
      statuses.push((await search(direct, { 'x-forwarded-for': ip, 'x-forwarded-proto': 'https' })).status);
    assert.deepEqual(statuses, [200, 200, 429]);
    const limited = await search(direct);
    assert.equal(limited.headers['strict-transport-security'], undefined, 'HSTS over plain HTTP');
    assert.ok(Number(limited.headers['retry-after']) > 0);
  });

  it("sets a JSON API's security headers (helmet) on answers and refusals alike, HSTS only over HTTPS", async () => {
    // The last: a URL the router refuses itself (a bad percent-escape), before any route's hooks.
    for (const path of ['/api/v1/registry', '/api/v1/no-such-route', '/api/v1/users/me', '/api/v1/packages/%E0%A4%A']) {
      const answer = await get(`${direct.url}${path}`);
      assert.equal(answer.headers['x-content-type-options'], 'nosniff', path);
      assert.equal(answer.headers['content-security-policy'], "default-src 'none';frame-ancestors 'none'", path);
      assert.equal(answer.headers['x-frame-options'], 'DENY', path);
      assert.equal(answer.headers['referrer-policy'], 'no-referrer', path);
      assert.equal(answer.headers['strict-transport-security'], undefined, path);
      if (path.includes('%')) assert.equal(answer.status, 400, path);
    }
    const viaProxy = await get(`${trusting.url}/api/v1/users/me`, { 'x-forwarded-proto': 'https' });
    assert.equal(viaProxy.status, 401);
    assert.equal(viaProxy.headers['strict-transport-security'], 'max-age=31536000; includeSubDomains');
    assert.equal(viaProxy.headers['x-content-type-options'], 'nosniff');
  });

  it('cuts off a body that trickles in with a 408, while serving others meanwhile', async () => {
    const body = JSON.stringify({ username: 'alice', password: 'x'.repeat(400) });
    const slow = trickle(
      direct.url,
      `POST /api/v1/users/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`,
      body,
      100,
    );
    const meanwhile = await get(`${direct.url}/api/v1/registry`);
    assert.equal(meanwhile.status, 200);
    const { answer, ms } = await slow;
    assert.match(answer, /^HTTP\/1\.1 408/);
    assert.match(answer, /"error":"request_timeout"/);
    // Written outside Fastify, and still with the security headers every answer carries.
    assert.match(answer, /\r\ncontent-security-policy: default-src 'none';frame-ancestors 'none'\r\n/i);
    assert.match(answer, /\r\nx-frame-options: DENY\r\n/i);
    // The whole body would take 20 s at this pace; it is shed within about two windows.
    assert.ok(ms < 3_000, `held for ${ms} ms`);
  });

  it('cuts off headers that trickle in', async () => {
    const { answer, ms } = await trickle(direct.url, 'GET /api/v1/registry HTTP/1.1\r\n', 'X-Slow: '.repeat(500), 100);
    assert.match(answer, /^HTTP\/1\.1 408/);
    assert.ok(ms < 4_000, `held for ${ms} ms`);
  });
});

describe('slow uploads, with the default timeouts', () => {
  let registry: TestRegistry;
  const log: string[] = [];
  before(async () => {
    registry = await startTestRegistry({ log: (line) => log.push(line) });
  });
  after(async () => registry?.close());

  it('cuts a publish trickling just above the per-window floor within seconds, with a log line and a metric', async () => {
    const token = await registry.token('alice');
    // 4 KB/s: above 16 KB in 5 s (the stall floor), far under 64 KB/s (the average after 5 s of grace).
    const { head, body } = publishRequest(token, randomBytes(400 * 1024));
    const { answer, ms } = await paced(registry.url, head, body, 400, 100);
    assert.match(answer, /^HTTP\/1\.1 408/);
    assert.match(answer, /"error":"request_timeout"/);
    assert.match(answer, /slower than 65536 bytes a second/);
    // Generous bound (the body would take 100 s at this pace): due at about 6 s.
    assert.ok(ms < 20_000, `held for ${ms} ms`);
    const cut = log.map((line) => JSON.parse(line) as Record<string, unknown>).find((l) => l.reason === 'too_slow');
    assert.ok(cut, 'a log line for the cut');
    assert.equal(cut.url, '/api/v1/packages');
    const metrics = await get(`${registry.url}/metrics`);
    assert.match(metrics.body, /aam_slow_bodies_cut_total\{reason="too_slow"\} 1/);
    assert.match(metrics.body, /aam_refusals_total\{reason="request_timeout"\} 1/);
  });

  it('cuts a trickling upload that was refused before its body was read, too', async () => {
    const { head, body } = publishRequest('aam_not-a-token', randomBytes(400 * 1024));
    // Keep-alive (as a client that means to send more would): the server must end it itself.
    const { answer, ms } = await paced(registry.url, head.replace('Connection: close\r\n', ''), body, 400, 100);
    assert.ok(ms > 1_000, `closed after ${ms} ms: the server did not wait for the body at all`);
    assert.match(answer, /^HTTP\/1\.1 401/);
    // The answer came at once; the connection is closed within seconds, not drained for 120 s.
    assert.ok(ms < 20_000, `held for ${ms} ms`);
  });

  it('lets a modest upload through: 96 KB/s for longer than the grace', async () => {
    const token = await registry.token('alice');
    const archive = await packPackage('@acme/slow-upload', '1.0.0', {
      files: { 'prompts/noise.md': randomBytes(600 * 1024).toString('base64') },
    });
    assert.ok(archive.length > 550 * 1024, `archive of ${archive.length} bytes`);
    const { head, body } = publishRequest(token, archive);
    const { answer, ms } = await paced(registry.url, head, body, 12 * 1024, 125);
    assert.ok(ms > 5_000, `the upload took ${ms} ms, not past the grace`);
    assert.match(answer, /^HTTP\/1\.1 201/);
  });
});

describe(
  'rate limits across two instances on one PostgreSQL database (spec §9.3)',
  { skip: !(await postgresBin()) && 'PostgreSQL is not installed' },
  () => {
    let postgres: TestPostgres;
    let a: RunningRegistry;
    let b: RunningRegistry;

    before(async () => {
      postgres = await startPostgres();
      const databaseUrl = await postgres.createDatabase();
      const root = await tempDir('aam-limits-');
      const common = { databaseUrl, blobs: join(root, 'blobs'), rateLimits: { search: 4 }, checkResponses: true };
      // By hand, not test/helpers/registry.ts: two bare instances with the spec's limits, which the helper switches off.
      a = await startRegistryServer({ ...common, dataDir: join(root, 'a') });
      b = await startRegistryServer({ ...common, dataDir: join(root, 'b') });
    });
    after(async () => {
      await a?.close();
      await b?.close();
      await postgres?.stop();
    });

    it('allows what one instance would, in all, and answers the rest 429 with Retry-After', async () => {
      const answers = [];
      await awayFromMinuteEnd();
      for (const server of [a, b, a, b, a, b]) answers.push(await get(`${server.url}/api/v1/packages?q=x`));
      assert.deepEqual(
        answers.map((r) => r.status),
        [200, 200, 200, 200, 429, 429],
      );
      const limited = answers[5]!;
      const retryAfter = Number(limited.headers['retry-after']);
      assert.ok(retryAfter > 0 && retryAfter <= 60, `Retry-After: ${limited.headers['retry-after']}`);
      assert.equal(JSON.parse(limited.body).error, 'rate_limited');
    });
  },
);
