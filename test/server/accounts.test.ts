import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { TestPostgres } from '../helpers/postgres.ts';
import { awayFromMinuteEnd, ENGINES, packPackage, startTestRegistry } from '../helpers/registry.ts';
import type { TestRegistry } from '../helpers/registry.ts';
import { MAX_LIVE_API_TOKENS } from '../../src/server/tokens.ts';

const EMAIL = 'Alice.Secret@Example.org';

/**
 * Accounts and tokens (spec §3.2, §6): register, log in for a short-lived
 * session token, make API tokens with scopes and an expiry, list them
 * (never shown again), revoke them — and each refusal on the way.
 */
for (const engine of ENGINES)
  describe(`accounts and tokens on ${engine.name}`, { skip: engine.skip }, () => {
    let postgres: TestPostgres | undefined;
    let registry: TestRegistry;
    const api = async (method: string, path: string, body?: unknown, token?: string) => {
      const response = await fetch(`${registry.url}/api/v1${path}`, {
        method,
        headers: {
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      });
      const text = await response.text();
      return { status: response.status, body: (text ? JSON.parse(text) : undefined) as Record<string, any> };
    };
    const login = async (username: string, password: string) =>
      (await api('POST', '/users/login', { username, password })).body.token as string;
    const apiToken = async (session: string, scopes: string[], extra: Record<string, unknown> = {}) =>
      api('POST', '/users/tokens', { name: 'ci', scopes, ...extra }, session);

    before(async () => {
      postgres = await engine.start();
      registry = await startTestRegistry({ postgres, name: 'corp' });
    });
    after(async () => {
      await registry?.close();
      await postgres?.stop();
    });

    it('registers a user with an Argon2id hash of the password, never the password itself', async () => {
      const created = await api('POST', '/users/register', {
        username: 'alice',
        email: EMAIL,
        password: 'correct horse battery',
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      assert.deepEqual(Object.keys(created.body).sort(), ['created_at', 'username']);
      const { rows } = await registry.server.db.query<{ password_hash: string; email: string }>(
        `SELECT password_hash, email FROM users WHERE username = 'alice'`,
      );
      assert.match(rows[0]!.password_hash, /^\$argon2id\$v=19\$m=19456,p=1,t=2\$/);
      assert.ok(!JSON.stringify(rows).includes('correct horse battery'));
    });

    it('refuses a username or an email address taken (the email in any case), and a weak or malformed request', async () => {
      const taken = await api('POST', '/users/register', {
        username: 'alice',
        email: 'a@b.example',
        password: 'x'.repeat(12),
      });
      assert.deepEqual([taken.status, taken.body.error], [409, 'user_exists']);
      const sameEmail = await api('POST', '/users/register', {
        username: 'alice2',
        email: EMAIL.toLowerCase(),
        password: 'x'.repeat(12),
      });
      assert.deepEqual([sameEmail.status, sameEmail.body.error], [409, 'user_exists']);
      const short = await api('POST', '/users/register', {
        username: 'carol',
        email: 'c@example.org',
        password: 'short',
      });
      assert.deepEqual([short.status, short.body.error], [400, 'bad_request']);
      assert.match(short.body.message, /body\/password/);
      const upper = await api('POST', '/users/register', {
        username: 'Carol',
        email: 'c@example.org',
        password: 'x'.repeat(12),
      });
      assert.equal(upper.status, 400);
      assert.match(upper.body.message, /body\/username/);
      const extra = await api('POST', '/users/register', {
        username: 'carol',
        email: 'c@example.org',
        password: 'x'.repeat(12),
        admin: true,
      });
      assert.equal(extra.status, 400);
      assert.match(extra.body.message, /body\/admin is not allowed/);
      const { rows } = await registry.server.db.query(
        `SELECT 1 FROM users WHERE username IN ('alice2', 'carol', 'Carol')`,
      );
      assert.equal(rows.length, 0);
    });

    it('logs in for an hour-long session token; a wrong password and an unknown user get the same answer', async () => {
      const ok = await api('POST', '/users/login', { username: 'alice', password: 'correct horse battery' });
      assert.equal(ok.status, 200);
      assert.equal(ok.body.kind, 'session');
      const lifetime = Date.parse(ok.body.expires_at) - Date.now();
      assert.ok(lifetime > 59 * 60_000 && lifetime <= 60 * 60_000, `${lifetime} ms`);
      const wrong = await api('POST', '/users/login', { username: 'alice', password: 'Correct horse battery' });
      const unknown = await api('POST', '/users/login', { username: 'nobody', password: 'correct horse battery' });
      assert.deepEqual(
        [wrong.status, wrong.body],
        [401, { error: 'invalid_credentials', message: 'Wrong username or password.' }],
      );
      assert.deepEqual([unknown.status, unknown.body], [wrong.status, wrong.body]);
      // A user made by the operator has no password: they cannot log in at all.
      await registry.token('ops');
      assert.equal((await api('POST', '/users/login', { username: 'ops', password: '' })).status, 401);
    });

    it('shows a user their own account (email included) and who the token is', async () => {
      const session = await login('alice', 'correct horse battery');
      const me = await api('GET', '/users/me', undefined, session);
      assert.equal(me.status, 200);
      assert.equal(me.body.username, 'alice');
      assert.equal(me.body.email, EMAIL);
      assert.deepEqual([me.body.token.kind, me.body.token.scopes], ['session', ['read']]);
      assert.equal((await api('GET', '/users/me')).status, 401);
    });

    it('makes API tokens with a session token only: scopes and an expiry, listed without the token, revocable', async () => {
      const session = await login('alice', 'correct horse battery');
      const made = await apiToken(session, ['publish', 'yank'], {
        expires_at: new Date(Date.now() + 86_400_000).toISOString(),
      });
      assert.equal(made.status, 201, JSON.stringify(made.body));
      assert.match(made.body.token, /^aam_[A-Za-z0-9_-]{43}$/);
      assert.deepEqual(made.body.scopes, ['publish', 'yank']);
      // An API token cannot make more tokens: a leaked one does not mint a longer-lived one.
      const minted = await apiToken(made.body.token, ['publish']);
      assert.deepEqual([minted.status, minted.body.error], [403, 'forbidden']);
      assert.match(minted.body.message, /needs a session token/);
      const listed = await api('GET', '/users/tokens', undefined, made.body.token);
      assert.equal(listed.status, 200);
      assert.ok(listed.body.tokens.some((t: { id: string }) => t.id === made.body.id));
      assert.ok(!JSON.stringify(listed.body).includes(made.body.token), 'a token is shown once');
      // Publishing works with it, then not once it is revoked.
      await registry.client(made.body.token).publish(await packPackage('@alice/tool', '1.0.0'), []);
      const revoked = await api('DELETE', `/users/tokens/${made.body.id}`, undefined, session);
      assert.equal(revoked.status, 204);
      await assert.rejects(
        registry.client(made.body.token).publish(await packPackage('@alice/tool', '1.0.1'), []),
        /HTTP 401/,
      );
      assert.equal((await api('GET', '/users/tokens', undefined, made.body.token)).status, 401);
      assert.equal((await api('DELETE', `/users/tokens/${made.body.id}`, undefined, session)).status, 404);
    });

    it('lets an API token revoke itself or a token that can do no more than it, not a wider one', async () => {
      const session = await login('alice', 'correct horse battery');
      const read = (await apiToken(session, ['read'])).body;
      const publish = (await apiToken(session, ['publish', 'yank'])).body;
      const other = (await apiToken(session, ['publish'])).body;
      // A leaked read-only token cannot cut its user off from publishing.
      const refused = await api('DELETE', `/users/tokens/${publish.id}`, undefined, read.token);
      assert.deepEqual([refused.status, refused.body.error], [403, 'forbidden']);
      assert.match(refused.body.message, /cannot revoke a token that can do more than it/);
      await registry.client(publish.token).publish(await packPackage('@alice/wide', '1.0.0'), []);
      // A token revokes one whose scopes are among its own, and itself; a session revokes any.
      assert.equal((await api('DELETE', `/users/tokens/${other.id}`, undefined, publish.token)).status, 204);
      assert.equal((await api('DELETE', `/users/tokens/${read.id}`, undefined, read.token)).status, 204);
      assert.equal((await api('DELETE', `/users/tokens/${publish.id}`, undefined, session)).status, 204);
    });

    it('refuses scopes it does not know, a scope twice, and an expiry in the past', async () => {
      const session = await login('alice', 'correct horse battery');
      const unknown = await apiToken(session, ['publish', 'root']);
      assert.equal(unknown.status, 400);
      assert.match(unknown.body.message, /body\/scopes\/1/);
      assert.equal((await apiToken(session, ['publish', 'publish'])).status, 400);
      const past = await apiToken(session, ['publish'], { expires_at: '2020-01-01T00:00:00Z' });
      assert.equal(past.status, 400);
      assert.match(past.body.message, /expires_at .* is not in the future/);
    });

    it('refuses an expired token', async () => {
      const session = await login('alice', 'correct horse battery');
      const made = await apiToken(session, ['publish'], { expires_at: new Date(Date.now() + 60_000).toISOString() });
      await registry.server.db.query(`UPDATE api_tokens SET expires_at = NOW() - INTERVAL '1 second' WHERE id = $1`, [
        made.body.id,
      ]);
      await assert.rejects(
        registry.client(made.body.token).publish(await packPackage('@alice/tool', '1.0.2'), []),
        /HTTP 401/,
      );
      const listed = await api('GET', '/users/tokens', undefined, session);
      assert.ok(
        !listed.body.tokens.some((t: { id: string }) => t.id === made.body.id),
        'an expired token is not listed',
      );
    });

    it("refuses a read-only token publishing, a session token publishing, and another user's package", async () => {
      const session = await login('alice', 'correct horse battery');
      const readOnly = (await apiToken(session, ['read'])).body.token as string;
      await assert.rejects(
        registry.client(readOnly).publish(await packPackage('@alice/tool', '2.0.0'), []),
        /Registry "corp" refused: the API token has no "publish" scope\./,
      );
      await assert.rejects(
        registry.client(session).publish(await packPackage('@alice/tool', '2.0.0'), []),
        /HTTP 403 forbidden.*A session token \(from a login\) cannot publish/,
      );
      const bob = await registry.token('bob');
      await assert.rejects(
        registry.client(bob).publish(await packPackage('@alice/tool', '2.0.0'), []),
        /Registry "corp" refused: bob is not an owner of @alice\/tool\./,
      );
      // Bob cannot revoke Alice's tokens, nor learn that they exist.
      const aliceToken = (await apiToken(session, ['publish'])).body.id as string;
      assert.equal((await api('DELETE', `/users/tokens/${aliceToken}`, undefined, bob)).status, 404);
      assert.equal(
        (await api('GET', '/users/tokens', undefined, session)).body.tokens.filter(
          (t: { id: string }) => t.id === aliceToken,
        ).length,
        1,
      );
      assert.deepEqual(
        (await registry.client().metadata('@alice/tool'))!.versions.map((v) => v.version),
        ['1.0.0'],
      );
    });

    it('refuses a token past the most one account may hold, until one is revoked', async () => {
      const session = await login('alice', 'correct horse battery');
      const live = (await api('GET', '/users/tokens', undefined, session)).body.tokens.filter(
        (t: { kind: string }) => t.kind === 'api',
      ).length;
      const made: string[] = [];
      for (let i = live; i < MAX_LIVE_API_TOKENS; i++) {
        const token = await apiToken(session, ['read']);
        assert.equal(token.status, 201, JSON.stringify(token.body));
        made.push(token.body.id as string);
      }
      const refused = await apiToken(session, ['read']);
      assert.deepEqual([refused.status, refused.body.error], [409, 'token_limit']);
      assert.match(refused.body.message, /holds 100 API tokens .* Revoke those no longer used/);
      const count = async () =>
        Number(
          (
            await registry.server.db.query<{ n: string }>(
              `SELECT count(*) AS n FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE u.username = 'alice' AND t.kind = 'api'`,
            )
          ).rows[0]!.n,
        );
      const stored = await count();
      assert.equal((await apiToken(session, ['read'])).status, 409);
      assert.equal(await count(), stored, 'a refused token is not stored');
      assert.equal((await api('DELETE', `/users/tokens/${made[0]}`, undefined, session)).status, 204);
      assert.equal((await apiToken(session, ['read'])).status, 201, 'a revoked token makes room');
      // A login's session token is not an API token: logging in still works.
      assert.ok(await login('alice', 'correct horse battery'));
    });

    it('never shows an email address in a public answer', async () => {
      const paths = [
        '/packages',
        '/packages/@alice/tool',
        '/packages/@alice/tool/1.0.0',
        '/packages/@alice/tool/owners',
        '/audit-log',
        '/packages/@alice/tool/audit-log?after=0',
        '/registry',
        '/openapi.json',
      ];
      for (const path of paths) {
        const response = await fetch(`${registry.url}/api/v1${path}`);
        assert.equal(response.status, 200, path);
        const text = (await response.text()).toLowerCase();
        assert.ok(!text.includes(EMAIL.toLowerCase()), `${path} shows the email`);
        assert.ok(!/[a-z0-9.]+@example\.org/.test(text), `${path} shows an email`);
      }
    });

    it('closes registration when the operator says so', async () => {
      await registry.restart({ registration: false });
      const closed = await api('POST', '/users/register', {
        username: 'dave',
        email: 'd@example.org',
        password: 'x'.repeat(12),
      });
      assert.deepEqual([closed.status, closed.body.error], [403, 'registration_closed']);
      assert.equal((await api('GET', '/registry')).body.registration, false);
      await registry.restart({ registration: true });
    });

    it('limits logins per client address (spec §9.3)', async () => {
      await registry.restart({ rateLimits: { auth: 3 } });
      // The counters live in the database (every instance shares them, a restart keeps them):
      // this suite's earlier logins from this address would count too.
      await registry.server.db.query('DELETE FROM rate_limit_counters');
      await awayFromMinuteEnd();
      const statuses = [];
      for (let i = 0; i < 4; i++)
        statuses.push((await api('POST', '/users/login', { username: 'alice', password: 'wrong password' })).status);
      assert.deepEqual(statuses, [401, 401, 401, 429]);
      const limited = await api('POST', '/users/login', { username: 'alice', password: 'correct horse battery' });
      assert.deepEqual([limited.status, limited.body.error], [429, 'rate_limited']);
    });
  });
