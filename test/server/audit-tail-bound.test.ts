import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createPrivateKey } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { entryHash, signHead } from '../../src/core/registry/audit-log.ts';
import type { AuditEntry, AuditHead } from '../../src/core/registry/audit-log.ts';
import { HttpRegistry } from '../../src/core/registry/http-registry.ts';
import { checkRegistryLog } from '../../src/core/registry/registry-check.ts';
import { auditProxy } from '../helpers/audit-proxy.ts';
import { packPackage, startTestRegistry } from '../helpers/registry.ts';
import type { TestRegistry } from '../helpers/registry.ts';

/**
 * The Registry Audit Log view shows the log's last entries, checked by their hash chain up to
 * the signed head's last hash. The operator holds the key: it can sign its honest tree (whose
 * proofs pass) beside the last hash of a history it made up. The last hash must be the tree's
 * last leaf, proven, or the view would show that history as checked.
 */
describe("the audit log's tail, as the view shows it", () => {
  let registry: TestRegistry;
  let proxy: Awaited<ReturnType<typeof auditProxy>>;

  before(async () => {
    registry = await startTestRegistry({
      name: 'corp',
      log: (line) => (line.includes('"level":50') ? console.error(line) : undefined),
    });
    const token = await registry.token('alice', ['publish']);
    for (const v of ['1.0.0', '1.1.0']) await registry.client(token).publish(await packPackage('@acme/tool', v), []);
    proxy = await auditProxy(registry.url);
  });
  after(async () => {
    proxy?.close();
    await registry?.close();
  });

  it('is refused when the signed last hash ends a made-up chain beside the honest tree', async () => {
    const client = new HttpRegistry('corp', proxy.url, { attempts: 1 });
    const first = await checkRegistryLog(client, undefined, undefined, { tail: 10 });
    assert.equal(first.ok, true, first.reason);
    assert.deepEqual(
      first.entries.map((e) => e.actor),
      ['alice', 'alice'],
    );
    const recorded = { ...first.next!, recorded_at: '' };

    // The operator's other story: 1.1.0 published by mallory. Each hash is right, and the chain whole.
    const key = createPrivateKey(await readFile(join(registry.dataDir, 'registry-key.pem')));
    const fake: AuditEntry[] = [];
    let last = first.entries[0]!.prev_hash;
    for (const { hash: _hash, ...e } of first.entries) {
      const content = { ...e, actor: e.version === '1.1.0' ? 'mallory' : e.actor, prev_hash: last };
      last = entryHash(content);
      fake.push({ ...content, hash: last });
    }
    proxy.rewrite = (path, body) => {
      if (path.startsWith('/api/v1/audit-log/head')) {
        const { registry: name, size, signed_at, root } = body as AuditHead;
        return signHead({ registry: name, size, head_hash: last, signed_at, root }, key);
      }
      if (path.startsWith('/api/v1/audit-log?')) return { ...(body as object), entries: fake };
      return body;
    };
    const tail = await checkRegistryLog(client, recorded, undefined, { tail: 10 });
    assert.equal(tail.ok, false, 'the made-up history is not shown as checked');
    assert.match(tail.reason ?? '', /the signed head's last hash is not entry 2 of its signed tree/);
    assert.equal(tail.head?.root, recorded.audit_root, "the tree is the honest one: only the chain's end was made up");
    // The same head, checked for the package (as verify and audit do), proves the tree's entries.
    const pkg = await checkRegistryLog(client, recorded, undefined, { packages: ['@acme/tool'] });
    assert.deepEqual(
      pkg.entries.map((e) => e.actor),
      ['alice', 'alice'],
    );
    proxy.rewrite = undefined;
    assert.equal((await checkRegistryLog(client, recorded, undefined, { tail: 10 })).ok, true, 'control: honest');
  });
});
