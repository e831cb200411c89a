import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { TestPostgres } from '../helpers/postgres.ts';
import { awayFromMinuteEnd, ENGINES, packPackage, startTestRegistry } from '../helpers/registry.ts';
import type { TestRegistry } from '../helpers/registry.ts';

/**
 * The spec's limits (§9.3) count every request, per address and per account
 * (#25: "per token and per address"): a request refused for its token is
 * still a request, so a flood of bad-token publishes from one address meets
 * a 429 like any other; several accounts from one address share the
 * address's limit, and one account from several addresses shares its own.
 */
for (const engine of ENGINES)
  describe(
    `rate limits count refused requests, per address and per account, on ${engine.name}`,
    { skip: engine.skip },
    () => {
      let postgres: TestPostgres | undefined;
      let registry: TestRegistry;
      const tokens: Record<string, string> = {};

      /** A publish of a fresh version as `token` (none when undefined), from `address` (the proxy's X-Forwarded-For). */
      let version = 0;
      const publish = async (token: string | undefined, address: string, name = '@alice/tool') => {
        const form = new FormData();
        form.append('archive', new Blob([new Uint8Array(await packPackage(name, `1.0.${version++}`))]), 'a.aam');
        const response = await fetch(`${registry.url}/api/v1/packages`, {
          method: 'POST',
          headers: { 'x-forwarded-for': address, ...(token ? { authorization: `Bearer ${token}` } : {}) },
          body: form,
        });
        const body = (await response.json()) as { error?: string; message?: string };
        return { status: response.status, retryAfter: response.headers.get('retry-after'), ...body };
      };
      /** A fresh window for each case: the counters live in the database. */
      const freshWindow = async () => {
        await registry.server.db.query('DELETE FROM rate_limit_counters');
        await awayFromMinuteEnd();
      };

      before(async () => {
        postgres = await engine.start();
        // Behind a trusted proxy, so the test can speak from several addresses.
        registry = await startTestRegistry({ postgres, trustProxy: ['127.0.0.1', '::1'], rateLimits: { publish: 3 } });
        tokens.alice = await registry.token('alice');
        tokens.bob = await registry.token('bob');
        tokens.reader = await registry.token('alice', ['read']);
      });
      after(async () => {
        await registry?.close();
        await postgres?.stop();
      });

      it('answers a flood of bad-token publishes from one address 429 with Retry-After', async () => {
        await freshWindow();
        const invented = `aam_${randomBytes(32).toString('base64url')}`;
        const answers = [];
        for (let i = 0; i < 3; i++) answers.push(await publish(invented, '10.0.0.1'));
        answers.push(await publish(undefined, '10.0.0.1'));
        answers.push(await publish(tokens.reader, '10.0.0.1'));
        assert.deepEqual(
          answers.map((a) => a.status),
          [401, 401, 401, 429, 429],
        );
        const limited = answers[4]!;
        assert.equal(limited.error, 'rate_limited');
        assert.match(limited.message!, /Too many requests: at most 3 a minute from this address \(publish requests\)/);
        const retryAfter = Number(limited.retryAfter);
        assert.ok(retryAfter > 0 && retryAfter <= 60, `Retry-After: ${limited.retryAfter}`);
        // Even a good token: the address is spent (co-signatures count as publishes too).
        assert.equal((await publish(tokens.alice, '10.0.0.1')).status, 429);
        const signature = await fetch(`${registry.url}/api/v1/packages/@alice/tool/1.0.0/signatures`, {
          method: 'POST',
          headers: { 'x-forwarded-for': '10.0.0.1', authorization: 'Bearer aam_nottherealtokenatall000' },
        });
        assert.equal(signature.status, 429);
        // Another address has its own allowance.
        assert.equal((await publish(tokens.alice, '10.0.0.2')).status, 201);
      });

      it('counts one account across addresses, and several accounts on one address together', async () => {
        await freshWindow();
        const spread = [];
        for (const address of ['10.0.1.1', '10.0.1.2', '10.0.1.3', '10.0.1.4'])
          spread.push(await publish(tokens.alice, address));
        assert.deepEqual(
          spread.map((a) => a.status),
          [201, 201, 201, 429],
        );
        assert.match(spread[3]!.message!, /at most 3 a minute by this account/);
        await freshWindow();
        const shared = [
          await publish(tokens.alice, '10.0.2.1'),
          await publish(tokens.bob, '10.0.2.1', '@bob/tool'),
          await publish(tokens.bob, '10.0.2.1', '@bob/tool'),
          await publish(tokens.bob, '10.0.2.1', '@bob/tool'),
        ];
        assert.deepEqual(
          shared.map((a) => a.status),
          [201, 201, 201, 429],
        );
        assert.match(shared[3]!.message!, /at most 3 a minute from this address/);
      });
    },
  );
