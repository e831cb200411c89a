import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import type { TestPostgres } from '../helpers/postgres.ts';
import { ENGINES, packPackage, startTestRegistry } from '../helpers/registry.ts';
import type { TestRegistry } from '../helpers/registry.ts';
import { manifestOf } from '../../src/server/publish-checks.ts';
import { registrySettings } from '../../src/server/store/packages.ts';
import { storePublish } from '../../src/server/store/publish.ts';
import { authenticate } from '../../src/server/tokens.ts';
import { ApiFailure } from '../../src/server/errors.ts';

/**
 * A new scope is claimed inside a batch of publishes as the alone path claims
 * it — its first publisher becomes its owner — except a scope named like
 * another user, which only that user may claim. The route refuses that one
 * early; here the store is called directly, as it would be when the user
 * appears between the route's check and the batch, so the batch's own
 * condition is what decides.
 */
for (const engine of ENGINES) {
  describe(`a new scope claimed in a batch, on ${engine.name}`, { skip: engine.skip }, () => {
    let postgres: TestPostgres | undefined;
    let registry: TestRegistry;
    before(async () => {
      postgres = await engine.start();
      registry = await startTestRegistry({ postgres });
    });
    after(async () => {
      await registry?.close();
      await postgres?.stop();
    });

    const publishAs = async (user: string, name: string) => {
      const db = registry.server.db;
      const caller = (await authenticate(db, `Bearer ${await registry.token(user)}`))!;
      const archive = await packPackage(name, '1.0.0');
      const ctx = {
        db,
        blobs: registry.server.blobs,
        sigstoreRoot: undefined as never,
        key: generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey,
      };
      return storePublish(ctx, await registrySettings(db), caller, await manifestOf(archive), archive, undefined);
    };
    const membersOf = async (scope: string) =>
      (
        await registry.server.db.query<{ username: string; role: string }>(
          `SELECT u.username, m.role FROM scope_members m JOIN users u ON u.id = m.user_id WHERE m.scope = $1`,
          [scope],
        )
      ).rows;

    it('claims an unclaimed scope, and one named like the publisher, for the publisher', async () => {
      await publishAs('bob', '@open-field/kit');
      await publishAs('bob', '@bob/kit');
      assert.deepEqual(await membersOf('open-field'), [{ username: 'bob', role: 'owner' }]);
      assert.deepEqual(await membersOf('bob'), [{ username: 'bob', role: 'owner' }]);
    });

    it('does not claim a scope named like another user: refused, nothing written', async () => {
      await registry.token('carol');
      await assert.rejects(
        publishAs('bob', '@carol/kit'),
        (error: unknown) => error instanceof ApiFailure && error.status === 403,
      );
      const { rows } = await registry.server.db.query(`SELECT 1 FROM scopes WHERE name = 'carol'`);
      assert.equal(rows.length, 0);
      const packages = await registry.server.db.query(`SELECT 1 FROM packages WHERE scope = 'carol'`);
      assert.equal(packages.rows.length, 0);
    });
  });
}
