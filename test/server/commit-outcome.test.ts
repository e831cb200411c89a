import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Database, Queryable } from '../../src/server/db.ts';
import type { TestPostgres } from '../helpers/postgres.ts';
import { ENGINES, packPackage, startTestRegistry } from '../helpers/registry.ts';
import type { TestRegistry } from '../helpers/registry.ts';

/**
 * A COMMIT whose answer never reaches the registry (the connection drops on
 * the way back): the database may have committed, or not. Simulated at the
 * driver's edge — the real transaction runs, then the client sees an error
 * — since a dropped connection cannot be timed to that moment for real.
 */
for (const engine of ENGINES)
  describe(`a publish whose COMMIT outcome is unknown, on ${engine.name}`, { skip: engine.skip }, () => {
    let postgres: TestPostgres | undefined;
    let registry: TestRegistry;
    let token: string;
    /** What the next transaction does wrong: lose COMMIT's answer after committing, or fail before committing. */
    let fault: 'lost-answer' | 'rolled-back' | undefined;
    /** Transactions to let through before the fault (a new scope's first package asks its batch first, which declines). */
    let skip = 0;

    before(async () => {
      postgres = await engine.start();
      registry = await startTestRegistry({ postgres });
      token = await registry.token('alice');
      const db = registry.server.db as Database;
      const real = db.transaction.bind(db);
      db.transaction = async <T>(fn: (tx: Queryable) => Promise<T>): Promise<T> => {
        const now = skip-- > 0 ? undefined : fault;
        if (now) fault = undefined;
        if (now === 'rolled-back')
          return real(async (tx) => {
            await fn(tx);
            throw new Error('Connection terminated unexpectedly');
          });
        const result = await real(fn);
        if (now === 'lost-answer') throw new Error('Connection terminated unexpectedly');
        return result;
      };
      // The first version of a package is stored alone; later ones join a batch.
      await registry.client(token).publish(await packPackage('@acme/tool', '1.0.0'), []);
    });
    after(async () => {
      await registry?.close();
      await postgres?.stop();
    });

    const versions = async (name = '@acme/tool') =>
      (await registry.client().metadata(name))!.versions.map((v) => v.version).sort();
    const entries = async (version: string, name = '@acme/tool') =>
      Number(
        (
          await registry.server.db.query<{ n: number | string }>(
            `SELECT count(*) AS n FROM audit_log WHERE package = $1 AND version = $2`,
            [name, version],
          )
        ).rows[0]!.n,
      );

    it('answers a batch the database committed as published, once: not 409 for the version it just stored', async () => {
      fault = 'lost-answer';
      await registry.client(token).publish(await packPackage('@acme/tool', '1.1.0'), []);
      assert.equal(fault, undefined, 'the publish went through the faulty transaction');
      assert.deepEqual(await versions(), ['1.0.0', '1.1.0']);
      assert.equal(await entries('1.1.0'), 1);
    });

    it('answers a first publish (stored alone) the database committed as published, once: not a 500', async () => {
      fault = 'lost-answer';
      skip = 1;
      // A package row without owners (an operator's edit): the batch leaves it to the alone path.
      await registry.server.db.query(`INSERT INTO packages (scope, name, description) VALUES ('fresh', 'new', '')`);
      await registry.client(token).publish(await packPackage('@fresh/new', '1.0.0'), []);
      assert.equal(fault, undefined);
      assert.deepEqual(await versions('@fresh/new'), ['1.0.0']);
      assert.equal(await entries('1.0.0', '@fresh/new'), 1);
    });

    it('answers a new package created in a batch the database committed as published, once', async () => {
      fault = 'lost-answer';
      // @acme is alice's: its new name is created in the batch, whose COMMIT's answer is lost.
      await registry.client(token).publish(await packPackage('@acme/made', '1.0.0'), []);
      assert.equal(fault, undefined);
      assert.deepEqual(await versions('@acme/made'), ['1.0.0']);
      assert.equal(await entries('1.0.0', '@acme/made'), 1);
    });

    it('stores a batch that was rolled back on its own, once', async () => {
      fault = 'rolled-back';
      await registry.client(token).publish(await packPackage('@acme/tool', '1.2.0'), []);
      assert.equal(fault, undefined);
      assert.deepEqual(await versions(), ['1.0.0', '1.1.0', '1.2.0']);
      assert.equal(await entries('1.2.0'), 1);
    });
  });
