import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cp } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { generateKey } from 'openpgp';
import { ArmoredKeyring } from '../../src/core/openpgp/keyring.ts';
import { signDetached } from '../../src/core/openpgp/sign.ts';
import { verifyDetachedSignature } from '../../src/core/openpgp/verify.ts';
import { verifyAttestation } from '../../src/core/registry/attestation.ts';
import { HttpRegistry } from '../../src/core/registry/http-registry.ts';
import { checkRegistryLog } from '../../src/core/registry/registry-check.ts';
import { startRegistryServer } from '../../src/server/serve.ts';
import type { RunningRegistry } from '../../src/server/serve.ts';
import { postgresBin, startPostgres } from '../helpers/postgres.ts';
import type { TestPostgres } from '../helpers/postgres.ts';
import { packPackage, startTestRegistry } from '../helpers/registry.ts';
import type { TestRegistry } from '../helpers/registry.ts';
import { tempDir } from '../helpers/temp.ts';

const bin = await postgresBin();

/**
 * Backup and restore as the README describes it: pg_dump of the database
 * first, then a copy of the blob store (blobs are written before the row that
 * names them is committed, so every blob the dump names is already there),
 * and the registry's key. Restored into a fresh database, the registry serves
 * every archive as it was, and its audit chain, every publisher's signature
 * and every attestation verify.
 */
describe('backup and restore of a registry on PostgreSQL', { skip: !bin && 'PostgreSQL is not installed' }, () => {
  let postgres: TestPostgres;
  let original: TestRegistry;
  let restored: RunningRegistry;
  const published = new Map<string, { archive: Buffer; publicKey: string }>();

  before(async () => {
    postgres = await startPostgres();
    original = await startTestRegistry({ postgres, name: 'corp' });
  });
  after(async () => {
    await restored?.close();
    await original?.close();
    await postgres?.stop();
  });

  it('restores into a fresh database: archives, the audit chain, signatures and attestations all verify', async () => {
    const client = original.client(await original.token('alice'));
    for (const version of ['1.0.0', '1.1.0', '2.0.0-rc.1']) {
      const archive = await packPackage('@acme/backed-up', version);
      const { privateKey, publicKey } = await generateKey({
        userIDs: [{ email: 'alice@example.com' }],
        format: 'object',
      });
      const bytes = await signDetached(archive, {
        key: privateKey,
        fingerprint: privateKey.getFingerprint(),
        userIds: [],
      });
      await client.publish(archive, [
        { type: 'gpg', bytes, record: { signed_at: undefined }, publicKey: publicKey.armor() },
      ]);
      published.set(version, { archive, publicKey: publicKey.armor() });
    }
    const identity = await client.identity();

    // The backup: the dump, then the blobs, then the key (it never changes).
    const backup = await tempDir('aam-backup-');
    await promisify(execFile)(join(bin!, 'pg_dump'), [
      '--format=custom',
      '--file',
      join(backup, 'registry.dump'),
      original.databaseUrl!,
    ]);
    await cp(join(original.dataDir, 'blobs'), join(backup, 'blobs'), { recursive: true });
    await cp(join(original.dataDir, 'registry-key.pem'), join(backup, 'registry-key.pem'));
    // Published after the backup: not in it.
    await client.publish(await packPackage('@acme/backed-up', '3.0.0'), []);

    // The restore: a fresh database and a new folder.
    const fresh = await postgres.createDatabase();
    await promisify(execFile)(join(bin!, 'pg_restore'), [
      '--no-owner',
      '--dbname',
      fresh,
      join(backup, 'registry.dump'),
    ]);
    const root = await tempDir('aam-restored-');
    // By hand, not test/helpers/registry.ts: a bare registry started from the backup's database, blobs and key alone.
    restored = await startRegistryServer({
      dataDir: join(root, 'data'),
      databaseUrl: fresh,
      blobs: join(backup, 'blobs'),
      keyFile: join(backup, 'registry-key.pem'),
      checkResponses: true,
    });
    const after = new HttpRegistry('corp', restored.url, { attempts: 1 });

    assert.deepEqual(await after.identity(), identity, 'the same name and key');
    const versions = (await after.metadata('@acme/backed-up'))!.versions.map((v) => v.version).sort();
    assert.deepEqual(versions, ['1.0.0', '1.1.0', '2.0.0-rc.1']);
    for (const [version, { archive, publicKey }] of published) {
      const served = await after.readArchive('@acme/backed-up', version);
      assert.ok(served.equals(archive), `${version}: other bytes`);
      const [signature] = await after.readSignatures('@acme/backed-up', version);
      const check = await verifyDetachedSignature(served, signature!.bytes, new ArmoredKeyring(publicKey));
      assert.equal(check.state, 'valid', `${version}: the publisher's signature`);
      const attestation = verifyAttestation((await after.attestation('@acme/backed-up', version))!, {
        archive: served,
        name: '@acme/backed-up',
        version,
        registry: 'corp',
        publicKey: identity.public_key,
      });
      assert.equal(attestation.state, 'valid', `${version}: the registry's attestation`);
    }
    const log = await checkRegistryLog(after, undefined, identity.key_id);
    assert.ok(log.ok, log.reason);
    assert.equal(log.head?.size, 3);
  });
});
