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
    // No account may hold more than half the budget: three accounts' uploads fill it.
    const [bob, carol] = [await registry.token('bob'), await registry.token('carol')];
    const first = publishRequest(token, await packPackage('@acme/big', '1.0.0', noise(340)));
    const second = publishRequest(bob, await packPackage('@bob/big', '1.0.0', noise(340)));
    assert.ok(first.body.length > 340 * 1024 && first.body.length < 500 * 1024, `${first.body.length} bytes`);
    // Packed before the first upload starts: packing on a loaded machine must not eat its window.
    const other = publishRequest(carol, await packPackage('@carol/big', '1.0.0', noise(340)));
    // ~350 KB each at ~200 KB/s: in flight for about two seconds.
    const sending = [first, second].map((u) => send(registry.url, u.head, u.body, 20 * 1024, 100));
    // The server (in this process) takes their heads meanwhile: this event loop is otherwise idle.
    await new Promise((resolve) => setTimeout(resolve, 500));

    // Another 350 KB would pass the 1 MB budget: refused at once, though not a byte of its body was sent.
    const refused = await send(registry.url, other.head, undefined);
    assert.match(refused.answer, /^HTTP\/1\.1 503/);
    assert.match(refused.answer, /\r\nretry-after: 10\r\n/i);
    assert.match(refused.answer, /"error":"busy"/);

    // A small one fits beside them.
    const small = await registry.client(token).publish(await packPackage('@acme/small', '1.0.0'), []);
    assert.equal(small.entry.version, '1.0.0');

    for (const done of await Promise.all(sending)) assert.match(done.answer, /^HTTP\/1\.1 201/);
    // Released: the same upload now goes through.
    const again = await send(registry.url, other.head, other.body, 256 * 1024, 10);
    assert.match(again.answer, /^HTTP\/1\.1 201/);
  });

  it('refuses, to that account alone, uploads that would hold more than half of it (429), so a slow one cannot take it all', async () => {
    const mallory = await registry.token('mallory');
    // Declares 680 KB: refused at once, before its body is read.
    const greedy = publishRequest(mallory, await packPackage('@mallory/big', '1.0.0', noise(660)));
    assert.ok(greedy.body.length > 512 * 1024, `${greedy.body.length} bytes`);
    const refused = await send(registry.url, greedy.head, undefined);
    assert.match(refused.answer, /^HTTP\/1\.1 429/);
    assert.match(refused.answer, /more than half of what the registry reads at once/);
    // Two of 350 KB: the second passes the half and is refused; others still publish meanwhile.
    const a = publishRequest(mallory, await packPackage('@mallory/a', '1.0.0', noise(340)));
    const b = publishRequest(mallory, await packPackage('@mallory/b', '1.0.0', noise(340)));
    const slow = send(registry.url, a.head, a.body, 20 * 1024, 100);
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.match((await send(registry.url, b.head, undefined)).answer, /^HTTP\/1\.1 429/);
    const alice = await registry.client(token).publish(await packPackage('@acme/beside', '1.0.0'), []);
    assert.equal(alice.entry.version, '1.0.0');
    assert.match((await slow).answer, /^HTTP\/1\.1 201/);
  });

  it('frees what an upload reserved when its client goes away midway', async () => {
    const big = publishRequest(token, await packPackage('@acme/gone', '1.0.0', noise(480)));
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
