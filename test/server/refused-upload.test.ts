import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { publishRequest, send } from '../helpers/raw-http.ts';
import { startTestRegistry } from '../helpers/registry.ts';
import type { TestRegistry } from '../helpers/registry.ts';

/**
 * An upload refused before its body is whole (declared too large, or an
 * archive found over its limit part-way) gets its 413, not a reset: with a
 * closing answer the server reads the rest of the body and throws it away
 * before it closes (transport.ts, lingerOnClose), since closing a connection
 * with the client's bytes unread resets it — and a client still writing then
 * never reads the answer. Bounded: past its limit the connection is cut.
 */
describe('an upload refused before its body is whole', () => {
  let registry: TestRegistry;
  let token: string;
  before(async () => {
    registry = await startTestRegistry();
    token = await registry.token('alice');
  });
  after(() => registry?.close());

  it('answers a body declared too large at once, and closes without resetting the client still writing it', async () => {
    const { head, body } = publishRequest(token, Buffer.alloc(60 * 1024 * 1024));
    const result = await send(registry.url, head, body);
    assert.equal(result.error, undefined, `the connection failed: ${result.error}`);
    assert.equal(result.written, body.length);
    assert.match(result.answer, /^HTTP\/1\.1 413 /);
    assert.match(result.answer, /The upload is \d+ bytes; an archive may be 52428800 bytes\./);
  });

  it('answers an archive found too large part-way through a chunked body the same way', async () => {
    const { head, body } = publishRequest(token, Buffer.alloc(60 * 1024 * 1024));
    const chunked = head.replace(/Content-Length: \d+\r\n/, 'Transfer-Encoding: chunked\r\n');
    const framed = Buffer.concat([Buffer.from(`${body.length.toString(16)}\r\n`), body, Buffer.from('\r\n0\r\n\r\n')]);
    const result = await send(registry.url, chunked, framed);
    assert.equal(result.error, undefined, `the connection failed: ${result.error}`);
    assert.equal(result.written, framed.length);
    assert.match(result.answer, /^HTTP\/1\.1 413 /);
    assert.match(result.answer, /"archive\\" is larger than 52428800 bytes\./);
  });

  it('cuts the connection instead once more than its limit is left to read', async () => {
    const { head, body } = publishRequest(token, Buffer.alloc(140 * 1024 * 1024));
    const result = await send(registry.url, head, body);
    assert.match(result.answer, /^HTTP\/1\.1 413 /);
    assert.ok(result.written < body.length, 'the whole body was read');
    assert.ok(result.error, 'the connection was closed, not cut');
  });
});
