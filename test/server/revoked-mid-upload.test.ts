import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { packPackage, startTestRegistry } from '../helpers/registry.ts';
import type { TestRegistry } from '../helpers/registry.ts';
import { publishRequest } from '../helpers/raw-http.ts';

/**
 * registry2-review F2: a token was checked once, when a request's headers came. A publish started with a
 * leaked token, its body sent slowly, was stored after its owner revoked the token (201, in the log as
 * theirs). A write is now refused when its token no longer works at the moment it would be stored.
 */
describe('a token revoked while its upload is still arriving', () => {
  let registry: TestRegistry;
  before(async () => {
    registry = await startTestRegistry({ name: 'corp' });
  });
  after(async () => registry?.close());

  /** Sends the headers and a little of the body, runs `meanwhile`, then the rest; the raw answer. */
  async function slowPublish(token: string, name: string, version: string, meanwhile: () => Promise<void>) {
    const { head, body } = publishRequest(token, await packPackage(name, version));
    const { hostname, port } = new URL(registry.url);
    const socket = connect(Number(port), hostname);
    let answer = '';
    socket.on('data', (d) => (answer += d));
    const closed = new Promise((resolve) => socket.on('close', resolve));
    socket.write(head);
    socket.write(body.subarray(0, 50));
    await new Promise((resolve) => setTimeout(resolve, 300));
    await meanwhile();
    socket.write(body.subarray(50));
    await closed;
    return answer;
  }

  async function revoke(token: string) {
    const auth = { authorization: `Bearer ${token}` };
    const { tokens } = (await (await fetch(`${registry.url}/api/v1/users/tokens`, { headers: auth })).json()) as {
      tokens: { id: string }[];
    };
    for (const { id } of tokens)
      assert.equal(
        (await fetch(`${registry.url}/api/v1/users/tokens/${id}`, { method: 'DELETE', headers: auth })).status,
        204,
      );
  }

  const entries = async (name: string) =>
    ((await (await fetch(`${registry.url}/api/v1/audit-log?package=${name}`)).json()) as { entries: unknown[] }).entries
      .length;

  it('refuses a new package and a new version of one, storing nothing and logging nothing', async () => {
    const first = await registry.token('alice', ['publish']);
    const fresh = await slowPublish(first, 'leaked-tool', '1.0.0', () => revoke(first));
    assert.match(fresh, /^HTTP\/1\.1 401 /, fresh.slice(0, 120));
    assert.match(fresh, /revoked or expired before it could be stored: nothing was written/);
    assert.equal((await fetch(`${registry.url}/api/v1/packages/leaked-tool`)).status, 404);

    const second = await registry.token('alice', ['publish']);
    await registry.client(second).publish(await packPackage('owned-tool', '1.0.0'), []);
    const logged = await entries('owned-tool');
    const next = await slowPublish(second, 'owned-tool', '1.1.0', () => revoke(second));
    assert.match(next, /^HTTP\/1\.1 401 /, next.slice(0, 120));
    assert.equal((await fetch(`${registry.url}/api/v1/packages/owned-tool/1.1.0`)).status, 404);
    assert.equal(await entries('owned-tool'), logged);
  });

  it('stores a slow upload whose token still works', async () => {
    const token = await registry.token('carol', ['publish']);
    const answer = await slowPublish(token, 'slow-tool', '1.0.0', async () => {});
    assert.match(answer, /^HTTP\/1\.1 201 /, answer.slice(0, 120));
  });
});
