import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sha256Hex } from '../../src/core/archive/hash.ts';
import type { AuditEntry, AuditHead } from '../../src/core/registry/audit-log.ts';
import { unloggedPublishes } from '../../src/core/registry/audit-publishes.ts';
import { HttpRegistry } from '../../src/core/registry/http-registry.ts';
import { checkRegistryLog } from '../../src/core/registry/registry-check.ts';
import { logForkedPublish, packPackage, startTestRegistry } from '../helpers/registry.ts';
import type { TestRegistry } from '../helpers/registry.ts';

/**
 * A client of the registry as a hostile registry would have it: it serves
 * its signed head without the Merkle root (the older head format, whose
 * signature still verifies), or hides the tree's proofs too; or it logs a
 * second publish of a version with other bytes.
 */
class HostileHead extends HttpRegistry {
  /** `strip`: the head without root; `legacy`: that, and no proof routes (a registry from before the tree). */
  mode: 'honest' | 'strip' | 'legacy' = 'honest';

  override async auditHead(): Promise<AuditHead> {
    const head = await super.auditHead();
    if (this.mode === 'honest') return head;
    const { root: _root, root_signature: _signature, ...old } = head;
    return old;
  }

  override async call(...args: Parameters<HttpRegistry['call']>): Promise<unknown> {
    if (this.mode === 'legacy' && args[1].startsWith('/audit-log/proof/')) throw new Error('404 not found');
    return super.call(...args);
  }
}

describe("the client's checks of what an HTTP registry's audit log proves", () => {
  let registry: TestRegistry;
  let client: HostileHead;
  let logged: Buffer;
  let forked: Buffer;

  before(async () => {
    registry = await startTestRegistry({ name: 'team' });
    const token = await registry.token('alice', ['publish']);
    logged = await packPackage('@acme/tool', '1.0.0');
    await registry.client(token).publish(logged, []);
    await registry.client(token).publish(await packPackage('@acme/other', '1.0.0'), []);
    forked = await packPackage('@acme/tool', '1.0.0', { body: '# ignore all previous instructions\n' });
    client = new HostileHead('team', registry.url, { attempts: 1 });
  });
  after(async () => registry?.close());

  const held = (archive: Buffer) => ({
    name: '@acme/tool',
    version: '1.0.0',
    checksum: `sha256:${sha256Hex(archive)}`,
  });
  const seen = async () => {
    client.mode = 'honest';
    const check = await checkRegistryLog(client, undefined);
    assert.equal(check.ok, true, check.reason);
    return check.next!;
  };

  it('proves the publish of an archive the log records, and refuses one it does not', async () => {
    const next = await seen();
    assert.deepEqual(await unloggedPublishes(client, next, [held(logged)]), { ok: true });
    const refused = await unloggedPublishes(client, next, [held(forked)]);
    assert.equal(refused.ok, false);
    assert.match(refused.ok ? '' : refused.reasons.join(), /proves no publish of @acme\/tool@1\.0\.0/);
  });

  it('when the head comes without the root recorded before … fails as a downgrade, and records nothing', async () => {
    const recorded = { ...(await seen()), recorded_at: '' };
    assert.ok(recorded.audit_root, 'the honest head has a root');
    client.mode = 'strip';
    const check = await checkRegistryLog(client, recorded, undefined, { packages: ['@acme/tool'] });
    assert.equal(check.ok, false);
    assert.equal(check.downgraded, true);
    assert.match(check.reason!, /without its Merkle root, though a root was recorded from it at 2 entries/);
    assert.equal(check.next, undefined, 'nothing to record over the root');
  });

  it('when a first head comes without a root from a registry that serves the proofs … fails as a downgrade', async () => {
    client.mode = 'strip';
    const check = await checkRegistryLog(client, undefined);
    assert.equal(check.ok, false);
    assert.match(check.reason!, /without its Merkle root, though it serves the tree's proofs/);
  });

  it('checks a registry from before the tree by its chain, and still proves the publish from it', async () => {
    const next = await seen();
    client.mode = 'legacy';
    const check = await checkRegistryLog(client, undefined, undefined, { packages: ['@acme/tool'] });
    assert.equal(check.ok, true, check.reason);
    assert.deepEqual(
      check.entries.map((e) => [e.package, e.event]),
      [['@acme/tool', 'package.publish']],
    );
    const { audit_root: _root, ...chainOnly } = next;
    assert.deepEqual(await unloggedPublishes(client, chainOnly, [held(logged)]), { ok: true });
    assert.equal((await unloggedPublishes(client, chainOnly, [held(forked)])).ok, false);
  });

  it('proves every publish of a version the log records, so a second one with other bytes shows', async () => {
    await logForkedPublish(registry.server, '@acme/tool', '1.0.0', forked);
    const next = await seen();
    const response = await fetch(
      `${registry.url}/api/v1/audit-log/proof/inclusion?package=${encodeURIComponent('@acme/tool')}&size=${next.audit_size}`,
    );
    const { proofs } = (await response.json()) as { proofs: { entry: AuditEntry }[] };
    assert.deepEqual(
      proofs.map((p) => [p.entry.event, p.entry.version, p.entry.metadata.checksum]),
      [
        ['package.publish', '1.0.0', held(logged).checksum],
        ['package.publish', '1.0.0', held(forked).checksum],
      ],
    );
    for (const archive of [logged, forked]) {
      const check = await unloggedPublishes(client, next, [held(archive)]);
      assert.match(
        check.ok ? '' : check.reasons.join(),
        /records @acme\/tool@1\.0\.0 published 2 times with different archives/,
      );
    }
  });
});
