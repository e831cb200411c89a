import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { packPackage, startTestRegistry } from '../helpers/registry.ts';
import type { TestRegistry } from '../helpers/registry.ts';

/** Requests a hostile client can send that were answered wrongly (found by a hostile review). */
describe('malformed uploads and tags on yanked versions', () => {
  let registry: TestRegistry;
  let alice: string;
  before(async () => {
    registry = await startTestRegistry({ name: 'team' });
    alice = await registry.token('alice', ['publish', 'yank']);
    for (const version of ['1.0.0', '1.1.0'])
      await registry.client(alice).publish(await packPackage('@acme/tool', version), []);
  });
  after(async () => registry?.close());

  const post = async (path: string, contentType: string, body: string) => {
    const res = await fetch(`${registry.url}/api/v1${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${alice}`, 'content-type': contentType },
      body,
    });
    return { status: res.status, body: (await res.json()) as { error: string; message: string } };
  };

  it('answers a multipart body it cannot read with 400 naming why, not 500', async () => {
    const cut = (part: string) => `--x\r\nContent-Disposition: form-data; name="${part}"; filename="a"\r\n\r\nabc`;
    for (const [path, part] of [
      ['/packages', 'archive'],
      ['/packages/@acme/tool/1.1.0/signatures', 'signature'],
    ]) {
      const cases = [
        ['multipart/form-data', 'xx', /Boundary not found/],
        ['multipart/form-data; boundary=x', cut(part!), /terminated early|Unexpected end/],
      ] as const;
      // A signature cut short reads as one past its limit there (413): a refusal too, if a less exact one.
      for (const [type, body, why] of part === 'archive' ? cases : cases.slice(0, 1)) {
        const answer = await post(path!, type, body);
        assert.equal(answer.status, 400, `${path}: ${JSON.stringify(answer.body)}`);
        assert.equal(answer.body.error, 'bad_request');
        assert.match(answer.body.message, /^The multipart body cannot be read: /);
        assert.match(answer.body.message, why);
      }
    }
  });

  it('refuses to point a tag at a yanked version', async () => {
    const yank = await fetch(`${registry.url}/api/v1/packages/@acme/tool/1.0.0`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${alice}` },
    });
    assert.equal(yank.status, 200);
    const res = await fetch(`${registry.url}/api/v1/packages/@acme/tool/tags/latest`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${alice}`, 'content-type': 'application/json' },
      body: JSON.stringify({ version: '1.0.0' }),
    });
    assert.equal(res.status, 409);
    assert.match(
      ((await res.json()) as { message: string }).message,
      /@acme\/tool@1\.0\.0 is yanked: it cannot be tagged/,
    );
    const tags = (await (await fetch(`${registry.url}/api/v1/packages/@acme/tool/tags`)).json()) as Record<
      string,
      unknown
    >;
    assert.equal(JSON.stringify(tags).includes('"1.0.0"'), false, JSON.stringify(tags));
  });

  it('takes the tags off a version it yanks, each an entry in the log, and yanks it once', async () => {
    // registry2-review F3: a yank moved only "latest"; "stable" stayed on the yanked version, and
    // `install @acme/tool@stable` installed it.
    await registry.client(alice).publish(await packPackage('@acme/tool', '1.2.0'), []);
    const send = (method: string, path: string, body?: unknown) =>
      fetch(`${registry.url}/api/v1/packages/@acme/tool${path}`, {
        method,
        headers: {
          authorization: `Bearer ${alice}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    for (const tag of ['stable', 'lts'])
      assert.equal((await send('PUT', `/tags/${tag}`, { version: '1.1.0' })).status, 200);
    assert.equal((await send('PUT', '/tags/next', { version: '1.2.0' })).status, 200);
    const entries = async () =>
      (
        (await (await fetch(`${registry.url}/api/v1/audit-log?package=@acme/tool&limit=200`)).json()) as {
          entries: { event: string; version: string | null; metadata: { tag?: string } }[];
        }
      ).entries;
    const before = (await entries()).length;
    assert.equal((await send('DELETE', '/1.1.0')).status, 200);
    const tags = (await (await fetch(`${registry.url}/api/v1/packages/@acme/tool/tags`)).json()) as Record<
      string,
      string
    >;
    assert.deepEqual(tags, { package: '@acme/tool', tags: { latest: '1.2.0', next: '1.2.0' } });
    const added = (await entries()).slice(before);
    assert.deepEqual(added.map((e) => [e.event, e.version, e.metadata.tag ?? null]).sort(), [
      ['tag.remove', '1.1.0', 'lts'],
      ['tag.remove', '1.1.0', 'stable'],
      ['version.yank', '1.1.0', null],
    ]);
    const again = await send('DELETE', '/1.1.0');
    assert.equal(again.status, 200);
    assert.equal(((await again.json()) as { yanked: boolean }).yanked, true);
    assert.equal((await entries()).length, before + 3, 'a second yank adds nothing to the log');
    // A tag an older registry left on the yanked version comes off at the next yank, as a tag.remove alone, and
    // "latest" it left there moves (diff9-review F7).
    await registry.server.db.query(
      `INSERT INTO dist_tags (package_id, tag, version)
       SELECT id, 'old', '1.1.0' FROM packages WHERE scope = 'acme' AND name = 'tool'`,
    );
    await registry.server.db.query(
      `UPDATE dist_tags SET version = '1.1.0' WHERE tag = 'latest'
         AND package_id = (SELECT id FROM packages WHERE scope = 'acme' AND name = 'tool')`,
    );
    await registry.server.db.query(
      `UPDATE packages SET latest_version = '1.1.0' WHERE scope = 'acme' AND name = 'tool'`,
    );
    assert.equal((await send('DELETE', '/1.1.0')).status, 200);
    const after = (await (await fetch(`${registry.url}/api/v1/packages/@acme/tool/tags`)).json()) as {
      tags: Record<string, string>;
    };
    assert.deepEqual(after.tags, { latest: '1.2.0', next: '1.2.0' });
    const metadata = (await (await fetch(`${registry.url}/api/v1/packages/@acme/tool`)).json()) as {
      latest_version?: string;
      latest?: string;
    };
    assert.equal(metadata.latest_version ?? metadata.latest, '1.2.0', JSON.stringify(metadata).slice(0, 300));
    assert.deepEqual(
      (await entries()).slice(before + 3).map((e) => [e.event, e.version, e.metadata.tag ?? null]),
      [['tag.remove', '1.1.0', 'old']],
    );
  });
});
