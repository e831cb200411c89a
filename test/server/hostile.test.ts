import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { connect } from 'node:net';
import { join } from 'node:path';
import type { TestPostgres } from '../helpers/postgres.ts';
import { ENGINES, packPackage, startTestRegistry } from '../helpers/registry.ts';
import type { TestRegistry } from '../helpers/registry.ts';
import { snapshotRegistry } from '../helpers/snapshot.ts';

/** One request exactly as written: headers in order (twice, if given twice), a declared length, the body. */
function raw(
  url: string,
  method: string,
  path: string,
  headers: [string, string][],
  body?: Buffer | string,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const req = request({ host: target.hostname, port: target.port, path, method }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    for (const [name, value] of headers) req.appendHeader(name, value);
    req.end(body);
  });
}

/** A body that arrives two bytes at a time: the status line it gets, or '' if the connection just closed. */
function trickle(url: string, path: string, length: number): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname);
    let answer = '';
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString()));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearInterval(timer);
      resolve(answer.split('\r\n')[0] ?? '');
    });
    socket.write(
      `POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${length}\r\n\r\n`,
    );
    const timer = setInterval(() => !socket.destroyed && socket.write('{"'), 100);
  });
}

/**
 * The registry as a stranger tries it (#25): about a hundred oversized,
 * malformed, duplicated, slow, concurrent and unauthorized requests at once.
 * Each gets the 4xx it should, a well-behaved reader is served throughout,
 * and nothing changes — every table, the pg_dump of a server's database and
 * every file of the blob store, byte for byte.
 */
for (const engine of ENGINES)
  describe(`a hostile client, on ${engine.name}`, { skip: engine.skip }, () => {
    let postgres: TestPostgres | undefined;
    let registry: TestRegistry;
    let alice: string;
    let bob: string;

    before(async () => {
      postgres = await engine.start();
      registry = await startTestRegistry({
        postgres,
        // Rate limits have tests of their own: here every refusal should be the one its request earns.
        rateLimits: { auth: false },
        timeouts: { minBodyBytes: 1_000, rateWindowMs: 500 },
      });
      alice = await registry.token('alice');
      bob = await registry.token('bob');
      await registry.client(alice).publish(await packPackage('@acme/tool', '1.0.0'), []);
    });
    after(async () => {
      await registry?.close();
      await postgres?.stop();
    });

    it('answers each with a clean 4xx, serves others meanwhile, and changes nothing', async () => {
      const snapshot = () =>
        snapshotRegistry(registry.server.db, join(registry.dataDir, 'blobs'), registry.databaseUrl);
      const beforeAll = await snapshot();
      const archive = await packPackage('@acme/tool', '1.0.0', { body: 'other bytes' });
      const other = await packPackage('@acme/tool', '2.0.0');
      const publish = (token: string | undefined, bytes: Buffer) => {
        const form = new FormData();
        form.append('archive', new Blob([new Uint8Array(bytes)]), 'a.aam');
        return fetch(`${registry.url}/api/v1/packages`, {
          method: 'POST',
          headers: token ? { authorization: `Bearer ${token}` } : {},
          body: form,
        }).then((r) => r.status);
      };
      const login = (body: string, headers: [string, string][] = [['content-type', 'application/json']]) =>
        raw(registry.url, 'POST', '/api/v1/users/login', headers, body);
      const times = <T>(n: number, make: (i: number) => Promise<T>) => Array.from({ length: n }, (_, i) => make(i));
      const cases: [string, number[], Promise<number | string>[]][] = [
        ['publish without a token', [401], times(10, () => publish(undefined, other))],
        ['publish with an invented token', [401], times(15, () => publish('aam_invented', other))],
        ["publish into another's scope", [403], times(10, () => publish(bob, other))],
        ['publish of a version that exists', [409], times(10, () => publish(alice, archive))],
        [
          'upload declared over the limit',
          [413],
          times(5, () =>
            raw(registry.url, 'POST', '/api/v1/packages', [
              ['authorization', `Bearer ${alice}`],
              ['content-type', 'multipart/form-data; boundary=x'],
              ['content-length', String(60 * 1024 * 1024)],
            ]).catch(() => 413),
          ),
        ],
        [
          'JSON over the limit',
          [413],
          times(5, () => login(JSON.stringify({ username: 'a', password: 'x'.repeat(100_000) }))),
        ],
        ['malformed JSON', [400], times(15, () => login('{"username": "alice", "password": '))],
        ['a JSON key twice', [400], times(5, () => login('{"username":"alice","username":"bob","password":"x"}'))],
        [
          'a header twice',
          [400],
          times(5, () =>
            raw(registry.url, 'GET', '/api/v1/users/me', [
              ['authorization', `Bearer ${alice}`],
              ['authorization', `Bearer ${bob}`],
            ]),
          ),
        ],
        [
          'a name the API does not allow',
          [400],
          times(5, () => raw(registry.url, 'GET', '/api/v1/packages/@ACME/Tool', [])),
        ],
        [
          'a path that climbs',
          [400, 404],
          times(5, () => raw(registry.url, 'GET', '/api/v1/packages/..%2f..%2fetc', [])),
        ],
        ['a body that trickles in', [408], times(5, () => trickle(registry.url, '/api/v1/users/login', 2_000))],
      ];
      // A well-behaved reader, all the while.
      const reader = (async () => {
        const statuses = [];
        for (let i = 0; i < 20; i++) statuses.push((await fetch(`${registry.url}/api/v1/packages/@acme/tool`)).status);
        return statuses;
      })();
      let total = 0;
      for (const [what, expected, pending] of cases) {
        const answers = await Promise.all(pending);
        total += answers.length;
        for (const answer of answers) {
          const status = typeof answer === 'string' ? Number(/^HTTP\/1\.1 (\d+)/.exec(answer)?.[1]) : answer;
          assert.ok(expected.includes(status), `${what}: ${String(answer)}, not ${expected.join(' or ')}`);
        }
      }
      assert.ok(total >= 90, `${total} requests`);
      assert.deepEqual(await reader, Array(20).fill(200));
      assert.equal((await fetch(`${registry.url}/readyz`)).status, 200);
      assert.deepEqual(await snapshot(), beforeAll, 'the hostile requests changed the registry');
    });

    it('refuses, with a 400 naming the field, values a schema would pass that JS or PostgreSQL cannot hold', async () => {
      // A session, for the token route (made before the snapshot: the refusals below must change nothing).
      const password = 'correct horse battery staple';
      const json = (path: string, body: unknown, token?: string) =>
        fetch(`${registry.url}${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
          body: JSON.stringify(body),
        });
      assert.equal(
        (await json('/api/v1/users/register', { username: 'carol', email: 'c@example.com', password })).status,
        201,
      );
      const session = (
        (await (await json('/api/v1/users/login', { username: 'carol', password })).json()) as { token: string }
      ).token;
      const snapshot = () =>
        snapshotRegistry(registry.server.db, join(registry.dataDir, 'blobs'), registry.databaseUrl);
      const beforeAll = await snapshot();
      const leap = '2026-12-31T23:59:60Z';
      const yearZero = '0000-01-01T00:00:00Z';
      const evalResult = {
        eval_name: 'accuracy',
        status: 'passed',
        metrics: { score: 1 },
        run_at: '2026-01-01T00:00:00Z',
      };
      const evals = '/api/v1/packages/@acme/tool/1.0.0/eval-results';
      const get = (path: string) => fetch(`${registry.url}${path}`);
      const confirmName = () => {
        const form = new FormData();
        form.append('confirm_name', 'tool\u0000');
        return fetch(`${registry.url}/api/v1/packages`, {
          method: 'POST',
          headers: { authorization: `Bearer ${alice}` },
          body: form,
        });
      };
      const cases: [string, string, Promise<Response>][] = [
        ['audit actor with a NUL (public)', 'querystring/actor', get('/api/v1/audit-log?actor=%00')],
        ['audit package with a NUL (public)', 'querystring/package', get('/api/v1/audit-log?package=a%00')],
        [
          "a package's audit actor with a NUL",
          'querystring/actor',
          get('/api/v1/packages/@acme/tool/audit-log?actor=%00'),
        ],
        [
          'inclusion proof package with a NUL',
          'querystring/package',
          get('/api/v1/audit-log/proof/inclusion?size=1&package=%00'),
        ],
        ['audit from a leap second', 'querystring/from', get(`/api/v1/audit-log?from=${leap}`)],
        [
          'audit from a leap-second date-time in an offset',
          'querystring/from',
          get('/api/v1/audit-log?from=2027-01-01T00:59:60%2B01:00'),
        ],
        ['audit from year 0000', 'querystring/from', get('/api/v1/audit-log?from=0000-01-01')],
        ['audit to year 0000', 'querystring/to', get(`/api/v1/audit-log?to=${yearZero}`)],
        ['audit to past year 9999 in UTC', 'querystring/to', get('/api/v1/audit-log?to=9999-12-31T23:00:00-05:00')],
        [
          'login username with a NUL',
          'body/username',
          json('/api/v1/users/login', { username: 'alice\u0000', password }),
        ],
        [
          'login username with a lone surrogate',
          'body/username',
          json('/api/v1/users/login', { username: 'alice\ud800', password }),
        ],
        [
          'register password with a NUL',
          'body/password',
          json('/api/v1/users/register', { username: 'dave', email: 'd@example.com', password: `${password}\u0000` }),
        ],
        [
          'eval runner_identity with a NUL',
          'body/runner_identity',
          json(evals, { ...evalResult, runner_identity: 'ci\u0000' }, alice),
        ],
        [
          'eval environment value with a NUL',
          'body/environment/os',
          json(evals, { ...evalResult, environment: { os: 'linux\u0000' } }, alice),
        ],
        ['eval run_at a leap second', 'body/run_at', json(evals, { ...evalResult, run_at: leap }, alice)],
        ['eval run_at in year 0000', 'body/run_at', json(evals, { ...evalResult, run_at: yearZero }, alice)],
        [
          'token expires_at a leap second',
          'body/expires_at',
          json('/api/v1/users/tokens', { name: 'ci', scopes: ['read'], expires_at: leap }, session),
        ],
        [
          'token expires_at in year 0000',
          'body/expires_at',
          json('/api/v1/users/tokens', { name: 'ci', scopes: ['read'], expires_at: yearZero }, session),
        ],
        ['a multipart field with a NUL', 'confirm_name', confirmName()],
      ];
      const wrong = [];
      for (const [what, field, pending] of cases) {
        const answer = await pending;
        const body = (await answer.json()) as { error: string; message: string };
        if (answer.status !== 400 || !body.message.includes(field))
          wrong.push(`${what}: ${answer.status} ${body.message} (wanted 400 naming ${field})`);
      }
      assert.deepEqual(wrong, []);
      assert.deepEqual(await snapshot(), beforeAll, 'the refused values changed the registry');
    });
  });
