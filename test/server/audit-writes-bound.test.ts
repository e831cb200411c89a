import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_TAGS } from '../../src/server/routes/tags.ts';
import { awayFromMinuteEnd, packPackage, startTestRegistry } from '../helpers/registry.ts';
import type { TestRegistry } from '../helpers/registry.ts';
import { cli } from '../helpers/cli.ts';

/**
 * Writes that append to the audit log — which every client that checks it reads for ever — are bounded
 * (amplify-review F2: one publish token set 146 new tags a second, each a permanent entry): they count
 * against a rate limit of their own (`write`), a package keeps at most MAX_TAGS dist-tags, and a tag set
 * to the version it already names changes nothing and logs nothing.
 */
describe('the registry bounds the writes that grow its audit log', () => {
  let registry: TestRegistry;
  let token: string;
  const size = async () =>
    ((await (await fetch(`${registry.url}/api/v1/audit-log/head`)).json()) as { size: number }).size;
  const setTag = async (tag: string, version = '1.0.0') => {
    const response = await fetch(`${registry.url}/api/v1/packages/mtool/tags/${tag}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ version }),
    });
    return { status: response.status, body: (await response.json()) as { message?: string } };
  };

  before(async () => {
    registry = await startTestRegistry();
    token = await registry.token('mallory', ['publish']);
    for (const version of ['1.0.0', '1.0.1'])
      await registry.client(token).publish(await packPackage('mtool', version), []);
  });
  after(async () => registry?.close());

  it('a tag set again to its version logs nothing; a move logs one entry', async () => {
    assert.equal((await setTag('stable')).status, 200);
    const logged = await size();
    assert.equal((await setTag('stable')).status, 200);
    assert.equal(await size(), logged);
    assert.equal((await setTag('stable', '1.0.1')).status, 200);
    assert.equal(await size(), logged + 1);
  });

  it(`keeps at most ${MAX_TAGS} dist-tags a package, and moves an existing one past that`, async () => {
    const { rows } = await registry.server.db.query<{ n: number }>(
      "SELECT COUNT(*)::int AS n FROM dist_tags d JOIN packages p ON p.id = d.package_id WHERE p.name = 'mtool'",
    );
    for (let i = rows[0]!.n; i < MAX_TAGS; i++) assert.equal((await setTag(`t${i}`)).status, 200);
    const logged = await size();
    const refused = await setTag('one-more');
    assert.equal(refused.status, 409);
    assert.match(refused.body.message!, new RegExp(`mtool has ${MAX_TAGS} dist-tags, as many as a package keeps`));
    assert.equal(await size(), logged);
    assert.equal((await setTag('t50', '1.0.1')).status, 200);
  });

  it('counts tag and yank writes against the write limit', async () => {
    const limited = await startTestRegistry({ rateLimits: { write: 3 } });
    try {
      const mine = await limited.token('mallory', ['publish', 'yank']);
      await limited.client(mine).publish(await packPackage('mtool', '1.0.0'), []);
      await awayFromMinuteEnd();
      const write = async (method: string, path: string, body?: unknown) =>
        (
          await fetch(`${limited.url}/api/v1/packages/mtool${path}`, {
            method,
            headers: { authorization: `Bearer ${mine}`, ...(body ? { 'content-type': 'application/json' } : {}) },
            ...(body ? { body: JSON.stringify(body) } : {}),
          })
        ).status;
      const answers = [
        await write('PUT', '/tags/a', { version: '1.0.0' }),
        await write('DELETE', '/tags/a'),
        await write('PUT', '/tags/b', { version: '1.0.0' }),
        await write('DELETE', '/1.0.0'),
      ];
      assert.deepEqual(answers, [200, 204, 200, 429]);
    } finally {
      await limited.close();
    }
  });

  it('names write among the kinds --rate-limit takes', async () => {
    const run = await cli(['registry', 'serve', '--data', registry.root, '--rate-limit', 'writes=5'], {
      cwd: registry.root,
      home: registry.home,
    });
    assert.equal(run.code, 2);
    assert.match(run.stderr, /KIND: auth, publish, search, download, write;/);
  });
});
