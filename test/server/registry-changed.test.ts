import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { generateKey } from 'openpgp';
import { sha256Hex } from '../../src/core/archive/hash.ts';
import { signDetached } from '../../src/core/openpgp/sign.ts';
import { entryHash } from '../../src/core/registry/audit-log.ts';
import type { AuditEntry } from '../../src/core/registry/audit-log.ts';
import type { RunningRegistry } from '../../src/server/serve.ts';
import { cli } from '../helpers/cli.ts';
import { packPackage, startTestRegistry } from '../helpers/registry.ts';
import type { TestRegistry } from '../helpers/registry.ts';

/**
 * An HTTP registry is input like any other: one that starts serving other
 * bytes (or another signature) for a published version must not change a
 * verdict silently, and one that is down must not either.
 */
describe('verification against an HTTP registry that changes what it serves', () => {
  let registry: TestRegistry;
  let server: RunningRegistry;
  let home: string;
  let project: string;
  let archive: Buffer;
  const verify = async () => {
    const run = await cli(['verify', '--json', '--no-cache'], { cwd: project, home });
    return {
      code: run.code,
      report: JSON.parse(run.stdout) as { packages: { name: string; status: string; findings: { code: string }[] }[] },
    };
  };

  before(async () => {
    registry = await startTestRegistry({ name: 'team' });
    ({ server, home, project } = registry);
    const token = await registry.token('alice', ['publish']);
    const { privateKey, publicKey } = await generateKey({
      userIDs: [{ email: 'release@example.com' }],
      format: 'object',
    });
    const fingerprint = privateKey.getFingerprint().toUpperCase();
    await mkdir(join(home, '.aam', 'keys'), { recursive: true });
    await writeFile(join(home, '.aam', 'keys', 'release.asc'), publicKey.armor());
    await registry.writeConfig(`security:\n  trusted_keys: ["${fingerprint}"]\n  on_signature_failure: error\n`);
    archive = await packPackage('@acme/watched', '1.0.0');
    const bytes = await signDetached(archive, { key: privateKey, fingerprint, userIds: [] });
    await registry
      .client(token)
      .publish(archive, [
        { type: 'gpg', bytes, record: { fingerprint, signed_at: undefined }, publicKey: publicKey.armor() },
      ]);
    const installed = await cli(['install', '@acme/watched', '--no-deploy'], { cwd: project, home });
    assert.equal(installed.code, 0, installed.stderr);
  });
  after(async () => registry?.close());

  it('verifies while the registry serves what was installed', async () => {
    const { code, report } = await verify();
    assert.equal(code, 0);
    assert.deepEqual(
      report.packages.map((p) => [p.name, p.status, p.findings.map((f) => f.code)]),
      [['@acme/watched', 'verified', []]],
    );
  });

  it('fails with "registry changed" once the registry serves other bytes for the version', async () => {
    const other = Buffer.concat([archive, Buffer.from('appended by the registry')]);
    const key = await server.blobs.put(other);
    await server.db.query(`UPDATE package_versions SET archive_key = $1, checksum_sha256 = $2`, [
      key,
      sha256Hex(other),
    ]);
    const { code, report } = await verify();
    assert.equal(code, 1);
    const pkg = report.packages[0]!;
    // The installed copy still verifies against the evidence captured at install; the registry's change is the finding.
    assert.equal(pkg.status, 'verified');
    assert.deepEqual(
      pkg.findings.map((f) => f.code),
      ['REGISTRY_CHANGED'],
    );
    await server.db.query(`UPDATE package_versions SET archive_key = $1, checksum_sha256 = $2`, [
      sha256Hex(archive),
      sha256Hex(archive),
    ]);
    assert.equal((await verify()).code, 0, 'back to what was installed: no finding');
  });

  it('fails with "registry changed" once the registry serves another signature', async () => {
    const { privateKey } = await generateKey({ userIDs: [{ email: 'mallory@evil.example' }], format: 'object' });
    const forged = await signDetached(archive, {
      key: privateKey,
      fingerprint: privateKey.getFingerprint(),
      userIds: [],
    });
    const { rows } = await server.db.query<{ bytes: Uint8Array }>('SELECT bytes FROM version_signatures');
    const original = Buffer.from(rows[0]!.bytes);
    await server.db.query('UPDATE version_signatures SET bytes = $1, sha256 = $2', [forged, sha256Hex(forged)]);
    const { code, report } = await verify();
    assert.equal(code, 1);
    assert.deepEqual(
      report.packages[0]!.findings.map((f) => f.code),
      ['REGISTRY_CHANGED'],
    );
    assert.equal(report.packages[0]!.status, 'verified', 'the captured signature still decides');
    await server.db.query('UPDATE version_signatures SET bytes = $1, sha256 = $2', [original, sha256Hex(original)]);
  });

  it('fails once an older audit entry about an installed package is edited: its inclusion proof no longer holds', async () => {
    await server.db.query(`UPDATE audit_log SET actor = 'mallory' WHERE package = '@acme/watched' AND seq = 1`);
    const edited = await verify();
    assert.equal(edited.code, 1);
    assert.deepEqual(
      edited.report.packages[0]!.findings.map((f) => f.code),
      ['REGISTRY_LOG'],
    );
    // The entry's hash recomputed too: it is then not the leaf the signed tree holds.
    const { rows } = await server.db.query<AuditEntry>('SELECT * FROM audit_log WHERE seq = 1');
    const { hash: original, ...content } = { ...rows[0]!, seq: 1, prev_hash: rows[0]!.prev_hash.trim() };
    await server.db.query('UPDATE audit_log SET hash = $1 WHERE seq = 1', [entryHash(content)]);
    const rehashed = await cli(['verify', '--json', '--no-cache'], { cwd: project, home });
    assert.equal(rehashed.code, 1);
    assert.match(rehashed.stdout, /entry 1 is not in the signed log/);
    await server.db.query(`UPDATE audit_log SET actor = 'alice', hash = $1 WHERE seq = 1`, [original.trim()]);
    assert.equal((await verify()).code, 0, 'restored: no finding');
  });

  it('is not "changed" while it cannot be reached: the captured evidence decides', async () => {
    await server.close();
    const { code, report } = await verify();
    assert.equal(code, 0);
    assert.deepEqual(
      report.packages.map((p) => [p.status, p.findings.map((f) => f.code)]),
      [['verified', []]],
    );
  });
});
