import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { packPackage, startTestRegistry } from '../helpers/registry.ts';
import type { TestRegistry } from '../helpers/registry.ts';
import { paced as send, publishRequest } from '../helpers/raw-http.ts';

const noise = (kb: number) => ({ files: { 'prompts/noise.md': randomBytes(kb * 1024).toString('base64') } });

/**
 * The total of uploads read at once (#25 H6): each publish's body is held
 * whole, so the instance bounds their sum; beyond it an upload is refused
 * with a 503 and Retry-After before any of its body is read.
 */
describe('the upload budget: bytes of uploads in flight, in all', () => {
  let registry: TestRegistry;
  let token: string;
  before(async () => {
    registry = await startTestRegistry({ uploadBudgetBytes: 1024 * 1024 });
    token = await registry.token('alice');
  });
  after(async () => registry?.close());

  it('refuses an upload past the budget with 503 + Retry-After before reading it, takes small ones meanwhile, and frees it after', async () => {
    const big = publishRequest(token, await packPackage('@acme/big', '1.0.0', noise(600)));
    assert.ok(big.body.length > 550 * 1024, `${big.body.length} bytes`);
    // Packed before the first upload starts: packing 600 KB on a loaded machine must not eat its window.
    const other = publishRequest(token, await packPackage('@acme/big', '2.0.0', noise(600)));
    // ~600 KB at ~200 KB/s: in flight for about three seconds.
    const first = send(registry.url, big.head, big.body, 20 * 1024, 100);
    // The server (in this process) takes its head meanwhile: this event loop is otherwise idle.
    await new Promise((resolve) => setTimeout(resolve, 500));

    // Another 600 KB would pass the 1 MB budget: refused at once, though not a byte of its body was sent.
    const refused = await send(registry.url, other.head, undefined);
    assert.match(refused.answer, /^HTTP\/1\.1 503/);
    assert.match(refused.answer, /\r\nretry-after: 10\r\n/i);
    assert.match(refused.answer, /"error":"busy"/);

    // A small one fits beside it.
    const small = await registry.client(token).publish(await packPackage('@acme/small', '1.0.0'), []);
    assert.equal(small.entry.version, '1.0.0');

    const done = await first;
    assert.match(done.answer, /^HTTP\/1\.1 201/);
    // Released: the same large upload now goes through.
    const again = await send(registry.url, other.head, other.body, 256 * 1024, 10);
    assert.match(again.answer, /^HTTP\/1\.1 201/);
  });

  it('frees what an upload reserved when its client goes away midway', async () => {
    const big = publishRequest(token, await packPackage('@acme/gone', '1.0.0', noise(600)));
    const { hostname, port } = new URL(registry.url);
    const socket = connect(Number(port), hostname);
    socket.write(big.head);
    socket.write(big.body.subarray(0, 100 * 1024));
    await new Promise((resolve) => setTimeout(resolve, 300));
    socket.destroy();
    await new Promise((resolve) => setTimeout(resolve, 300));
    const again = await send(registry.url, big.head, big.body, 256 * 1024, 10);
    assert.match(again.answer, /^HTTP\/1\.1 201/);
  });
});
