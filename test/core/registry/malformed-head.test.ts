import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { generateKeyPairSync } from 'node:crypto';
import { signHead } from '../../../src/core/registry/audit-log.ts';
import { registryKeyOf } from '../../../src/core/registry/attestation.ts';
import { HttpRegistry } from '../../../src/core/registry/http-registry.ts';
import { checkRegistryLog } from '../../../src/core/registry/registry-check.ts';

/**
 * A registry signs whatever head it likes. One whose last hash or root is
 * not 64 lower-case hex digits, or whose size is not a count, is refused, not
 * recorded: the trust record reads such an entry back as no entry at all, so
 * the project would pin no key and remember no head, and every later check
 * would be a first use that a forked log or a new key passes.
 */
describe('a signed audit-log head the trust record could not hold', () => {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const identity = { name: 'evil', ...registryKeyOf(privateKey) };
  let head: Record<string, unknown> = {};
  let server: Server;
  let url: string;
  before(async () => {
    server = createServer((req, res) => {
      const json = (status: number, body: unknown) =>
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      if (req.url === '/.well-known/aam-registry.json') return json(200, identity);
      if (req.url?.startsWith('/api/v1/audit-log/head'))
        return json(
          200,
          signHead({ registry: 'evil', signed_at: new Date().toISOString(), ...head } as never, privateKey),
        );
      return json(404, { error: 'not_found', message: 'Not found.' });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  after(() => server?.close());

  const cases: [string, Record<string, unknown>, RegExp][] = [
    [
      'a last hash in upper case',
      { size: 3, head_hash: 'A'.repeat(64), root: 'b'.repeat(64) },
      /last hash that is not 64 lower-case hex/,
    ],
    [
      'a root that is not hex',
      { size: 3, head_hash: 'a'.repeat(64), root: 'x'.repeat(64) },
      /tree root that is not 64 lower-case hex|is not signed by its key/,
    ],
    [
      'a size past what a count can be',
      { size: 2 ** 60, head_hash: 'a'.repeat(64), root: 'b'.repeat(64) },
      /size that is not a count/,
    ],
    ['a negative size', { size: -1, head_hash: 'a'.repeat(64), root: 'b'.repeat(64) }, /size that is not a count/],
  ];
  for (const [what, stated, reason] of cases)
    it(`refuses ${what}, recording nothing`, async () => {
      head = stated;
      const check = await checkRegistryLog(new HttpRegistry('evil', url, { attempts: 1 }), undefined);
      assert.equal(check.ok, false);
      assert.match(check.reason ?? '', reason);
      assert.equal(check.next, undefined, 'nothing to record');
    });
});
