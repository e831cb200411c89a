import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { isAamError } from '../../src/core/errors.ts';
import { readTrustRecord } from '../../src/core/record/trust-record.ts';
import type { TrustRecord } from '../../src/core/record/trust-record.ts';
import { registryTrust } from '../../src/core/workflows/install/registry-trust.ts';
import { packPackage, startTestRegistry } from '../helpers/registry.ts';
import type { TestRegistry } from '../helpers/registry.ts';

/**
 * `--accept-signer-change` accepts a registry's new key (none configured): it does not accept a
 * log that no longer extends the head this project recorded — a rewritten history is not a new key.
 */
describe('install --accept-signer-change and the registry log', () => {
  let registry: TestRegistry;
  let record: TrustRecord;
  const config = { registries: [] } as never;

  before(async () => {
    registry = await startTestRegistry({ name: 'corp' });
    await registry.writeConfig();
    const token = await registry.token('alice', ['publish']);
    await registry.client(token).publish(await packPackage('@acme/tool', '1.0.0'), []);
    assert.equal((await registry.run(['audit', '@acme/tool'])).code, 0, 'the head is recorded');
    record = await readTrustRecord(join(registry.project, '.aam', 'trust-record.yaml'));
    await registry.restart({ keyFile: join(registry.root, 'another-key.pem') });
  });
  after(async () => registry?.close());

  it('without it, the new key is refused; with it, the new key is taken while the log extends the recorded head', async () => {
    await assert.rejects(
      registryTrust(registry.client(), record, config, false),
      (e) => isAamError(e, 'INSTALL_REFUSED') && /signs with key/.test(e.message),
    );
    const trust = await registryTrust(registry.client(), record, config, true);
    assert.notEqual(trust.next.key_id, record.registries!.corp!.key_id);
  });

  it('with it, a log that does not extend the recorded head is still refused', async () => {
    const recorded = record.registries!.corp!;
    const rewritten: TrustRecord = {
      ...record,
      registries: { corp: { ...recorded, audit_head: 'f'.repeat(64), audit_root: 'f'.repeat(64) } },
    };
    await assert.rejects(
      registryTrust(registry.client(), rewritten, config, true),
      (e) => isAamError(e, 'INSTALL_REFUSED') && /does not extend the one seen before/.test(e.message),
    );
  });
});
