import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { startTestRegistry } from '../helpers/registry.ts';
import type { TestRegistry } from '../helpers/registry.ts';

/** A connection that sends nothing, and when the server closed it (undefined while it is open). */
async function idle(url: string): Promise<{ socket: Socket; closed: () => boolean }> {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  let closed = false;
  socket.on('close', () => (closed = true));
  socket.on('error', () => (closed = true));
  await new Promise<void>((resolve) => socket.once('connect', resolve).once('error', resolve));
  return { socket, closed: () => closed };
}

/**
 * A client that opens connections and sends nothing holds a file descriptor
 * each until a timeout ends it. The registry holds at most so many from one
 * client address, and so many in all: past either, a new connection is
 * closed as it opens (counted in /metrics, logged at most once a minute),
 * while the connections already open, and other clients, are served.
 */
describe('connection caps', () => {
  let registry: TestRegistry;
  const lines: string[] = [];
  const held: Socket[] = [];
  before(async () => {
    registry = await startTestRegistry({ connections: { perAddress: 5, total: 1000 }, log: (l) => lines.push(l) });
  });
  after(async () => {
    for (const socket of held) socket.destroy();
    await registry?.close();
  });

  it('closes the sixth idle connection from one address as it opens, and takes one again once one closes', async () => {
    const five = await Promise.all(Array.from({ length: 5 }, () => idle(registry.url)));
    held.push(...five.map((c) => c.socket));
    await sleep(200);
    assert.deepEqual(
      five.map((c) => c.closed()),
      [false, false, false, false, false],
    );
    const sixth = await idle(registry.url);
    held.push(sixth.socket);
    await sleep(300);
    assert.equal(sixth.closed(), true, 'the sixth connection was kept');
    assert.ok(five.every((c) => !c.closed()));
    const metrics = await (await fetchOver(five)).text();
    assert.match(metrics, /aam_connections_refused_total\{cap="per_address"\} [1-9]/);
    assert.ok(lines.some((l) => /connections refused: one client address holds as many as it may/.test(l)));
    // One closes: a new one is taken.
    five[0]!.socket.destroy();
    await sleep(200);
    const next = await idle(registry.url);
    held.push(next.socket);
    await sleep(300);
    assert.equal(next.closed(), false);
  });

  /** GET /metrics over one of the held connections (the address has no room for another). */
  async function fetchOver(open: { socket: Socket }[]): Promise<Response> {
    const socket = open[1]!.socket;
    const answer = new Promise<string>((resolve) => {
      let text = '';
      socket.on('data', (chunk: Buffer) => {
        text += chunk.toString('latin1');
        if (/\r\n0\r\n\r\n$/.test(text) || (/content-length: (\d+)/i.test(text) && text.includes('\r\n\r\n'))) {
          const [, body = ''] = text.split('\r\n\r\n');
          const length = Number(/content-length: (\d+)/i.exec(text)?.[1] ?? -1);
          if (length < 0 || Buffer.byteLength(body, 'latin1') >= length) resolve(text);
        }
      });
    });
    socket.write(`GET /metrics HTTP/1.1\r\nhost: localhost\r\n\r\n`);
    return new Response(await answer);
  }

  it('past the total, closes a new connection from any address', async () => {
    await registry.restart({ connections: { perAddress: false, total: 3 } });
    const three = await Promise.all(Array.from({ length: 3 }, () => idle(registry.url)));
    held.push(...three.map((c) => c.socket));
    await sleep(200);
    const fourth = await idle(registry.url);
    held.push(fourth.socket);
    await sleep(300);
    assert.equal(fourth.closed(), true);
    assert.ok(three.every((c) => !c.closed()));
    for (const c of three) c.socket.destroy();
    await sleep(200);
    const answer = await fetch(`${registry.url}/healthz`);
    assert.equal(answer.status, 200);
  });
});
