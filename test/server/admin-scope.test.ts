import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { TestPostgres } from '../helpers/postgres.ts';
import { ENGINES, packPackage, startTestRegistry } from '../helpers/registry.ts';
import type { TestRegistry } from '../helpers/registry.ts';
import { snapshotRegistry } from '../helpers/snapshot.ts';

type Answer = {
  status: number;
  body: { error?: string; message?: string; details?: Record<string, unknown> } & Record<string, any>;
};

/**
 * The spec's `admin` scope (§6.2.2) is "manage package owners": a user's
 * admin-scoped token manages the owners of that user's own packages, and no
 * more. Power over the whole registry (any package, reserved names, others'
 * scopes, removing delegations) is the operator's `operator` scope, which
 * only `registry token create` gives — never a self-registered user.
 */
for (const engine of ENGINES)
  describe(`the admin scope and the operator's, on ${engine.name}`, { skip: engine.skip }, () => {
    let postgres: TestPostgres | undefined;
    let registry: TestRegistry;
    const tokens: Record<string, string> = {};

    const api = async (method: string, path: string, body?: unknown, token?: string): Promise<Answer> => {
      const response = await fetch(`${registry.url}/api/v1${path}`, {
        method,
        headers: {
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await response.text();
      return { status: response.status, body: text ? JSON.parse(text) : {} };
    };
    const publish = async (token: string, name: string, version = '1.0.0'): Promise<Answer> => {
      const form = new FormData();
      form.append('archive', new Blob([new Uint8Array(await packPackage(name, version))]), 'a.aam');
      const response = await fetch(`${registry.url}/api/v1/packages`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}` },
        body: form,
      });
      return { status: response.status, body: (await response.json()) as Answer['body'] };
    };
    const snapshot = () => snapshotRegistry(registry.server.db, join(registry.dataDir, 'blobs'), registry.databaseUrl);
    /** Refused with `status` and `error`, and the registry exactly as it was. */
    const refused = async (attempt: () => Promise<Answer>, status: number, error: string) => {
      const before = await snapshot();
      const answer = await attempt();
      assert.deepEqual([answer.status, answer.body.error], [status, error], answer.body.message);
      assert.deepEqual(await snapshot(), before, 'a refused request changed the registry');
      return answer;
    };

    before(async () => {
      postgres = await engine.start();
      registry = await startTestRegistry({ postgres, name: 'corp' });
      tokens.alice = await registry.token('alice', ['publish', 'yank', 'admin']);
      tokens.alicePublish = await registry.token('alice', ['publish']);
      tokens.operator = await registry.token('root', ['operator']);
      assert.equal((await publish(tokens.alice, '@alice/tool')).status, 201);
      assert.equal((await publish(tokens.alice, 'tool')).status, 201);
      // Mallory is a stranger: she registers herself, as anyone may on an open registry.
      const registered = await api('POST', '/users/register', {
        username: 'mallory',
        email: 'm@example.org',
        password: 'correct horse battery',
      });
      assert.equal(registered.status, 201);
      tokens.mallorySession = (
        await api('POST', '/users/login', { username: 'mallory', password: 'correct horse battery' })
      ).body.token as string;
    });
    after(async () => {
      await registry?.close();
      await postgres?.stop();
    });

    it("refuses a user the operator's scope, saying whose it is", async () => {
      const answer = await refused(
        () => api('POST', '/users/tokens', { name: 'x', scopes: ['publish', 'operator'] }, tokens.mallorySession),
        403,
        'forbidden',
      );
      assert.match(answer.body.message!, /"operator" scope .* is the registry operator's/);
      assert.match(answer.body.message!, /registry token create --scope operator/);
      assert.equal(answer.body.details?.reason, 'operator_only');
      // The spec's own scopes, `admin` included, are hers to take.
      const minted = await api(
        'POST',
        '/users/tokens',
        { name: 'x', scopes: ['publish', 'yank', 'admin'] },
        tokens.mallorySession,
      );
      assert.equal(minted.status, 201, minted.body.message);
      assert.deepEqual(minted.body.scopes, ['publish', 'yank', 'admin']);
      tokens.mallory = minted.body.token as string;
    });

    it("gives an admin-scoped token no power over another user's package", async () => {
      for (const name of ['@alice/tool', 'tool']) {
        const path = name === 'tool' ? '/packages/tool' : '/packages/@alice/tool';
        const owners = await refused(
          () => api('PUT', `${path}/owners`, { owners: ['mallory'] }, tokens.mallory),
          403,
          'forbidden',
        );
        assert.match(owners.body.message!, /mallory is not an owner of/);
        assert.equal(owners.body.details?.reason, 'not_owner');
        await refused(() => publish(tokens.mallory!, name, '2.0.0'), 403, 'forbidden');
        await refused(() => api('DELETE', `${path}/1.0.0`, undefined, tokens.mallory), 403, 'forbidden');
        await refused(() => api('PUT', `${path}/tags/stable`, { version: '1.0.0' }, tokens.mallory), 403, 'forbidden');
      }
      assert.deepEqual((await api('GET', '/packages/@alice/tool/owners')).body.owners, ['alice']);
    });

    it("publishes neither into another's scope nor under a reserved name with an admin-scoped token", async () => {
      const scope = await refused(() => publish(tokens.mallory!, '@alice/other'), 403, 'scope_forbidden');
      assert.match(scope.body.message!, /@alice belongs to alice/);
      for (const name of ['aam', 'admin', '@npm/tool'])
        await refused(() => publish(tokens.mallory!, name), 403, 'name_reserved');
      await refused(
        () => api('PUT', '/scopes/alice/members/mallory', { role: 'owner' }, tokens.mallory),
        403,
        'scope_forbidden',
      );
      const delegation = await refused(
        () => api('DELETE', `/delegations/${'a'.repeat(64)}.json`, undefined, tokens.mallory),
        403,
        'forbidden',
      );
      assert.deepEqual(delegation.body.details, { reason: 'missing_scope', scope: 'operator' });
    });

    it("lets an owner manage their own package's owners with an admin-scoped token, and only with one", async () => {
      const publishOnly = await refused(
        () => api('PUT', '/packages/@alice/tool/owners', { owners: ['alice', 'mallory'] }, tokens.alicePublish),
        403,
        'forbidden',
      );
      assert.deepEqual(publishOnly.body.details, { reason: 'missing_scope', scope: 'admin' });
      const shared = await api('PUT', '/packages/@alice/tool/owners', { owners: ['alice', 'mallory'] }, tokens.alice);
      assert.deepEqual([shared.status, shared.body.owners], [200, ['alice', 'mallory']]);
      // Now an owner, mallory publishes its versions; the scope stays alice's.
      assert.equal((await publish(tokens.mallory!, '@alice/tool', '1.1.0')).status, 201);
      await refused(() => publish(tokens.mallory!, '@alice/other'), 403, 'scope_forbidden');
      const back = await api('PUT', '/packages/@alice/tool/owners', { owners: ['alice'] }, tokens.mallory);
      assert.deepEqual([back.status, back.body.owners], [200, ['alice']]);
    });

    it('lets the operator act on any package, name and scope', async () => {
      const owners = await api('PUT', '/packages/tool/owners', { owners: ['alice', 'root'] }, tokens.operator);
      assert.deepEqual([owners.status, owners.body.owners], [200, ['alice', 'root']]);
      assert.equal((await publish(tokens.operator!, 'aam')).status, 201);
      assert.equal((await publish(tokens.operator!, '@alice/registry-tool')).status, 201);
      const member = await api('PUT', '/scopes/alice/members/root', { role: 'member' }, tokens.operator);
      assert.equal(member.status, 200, member.body.message);
      const delegation = await api('DELETE', `/delegations/${'a'.repeat(64)}.json`, undefined, tokens.operator);
      assert.deepEqual([delegation.status, delegation.body.error], [404, 'not_found']);
    });
  });
