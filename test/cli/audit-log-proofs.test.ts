import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sha256Hex } from '../../src/core/archive/hash.ts';
import { auditProxy } from '../helpers/audit-proxy.ts';
import { cli } from '../helpers/cli.ts';
import { logForkedPublish, packPackage, startTestRegistry } from '../helpers/registry.ts';
import type { TestRegistry } from '../helpers/registry.ts';

interface Report {
  packages: { name: string; findings: { code: string; message: string }[] }[];
}

/**
 * What install, verify and audit make of an HTTP registry's audit log when
 * the registry is hostile: it serves bytes its log does not record, drops
 * the Merkle root from its head to switch the proofs off, or logs one
 * version twice with different archives.
 */
describe('install, verify and audit against what the audit log proves', () => {
  let registry: TestRegistry;
  let proxy: Awaited<ReturnType<typeof auditProxy>>;
  let logged: Buffer;
  let other: Buffer;
  const run = (args: string[]) => cli(args, { cwd: registry.project, home: registry.home });
  const freshProject = async () => {
    await rm(join(registry.project, '.aam'), { recursive: true, force: true });
    await mkdir(join(registry.project, '.aam'), { recursive: true });
  };
  /** A fresh project that installs @acme/tool, as logged, from the honest registry (the install must succeed). */
  const installHonestly = async () => {
    await freshProject();
    proxy.mode = 'honest';
    const installed = await run(['install', '@acme/tool', '--no-deploy']);
    assert.equal(installed.code, 0, installed.stderr);
  };
  const findings = (stdout: string) =>
    (JSON.parse(stdout) as Report).packages.flatMap((p) => p.findings.map((f) => `${f.code}: ${f.message}`));
  /** The registry starts serving `archive` for @acme/tool@1.0.0, without logging it. */
  const serve = async (archive: Buffer) => {
    const key = await registry.server.blobs.put(archive);
    await registry.server.db.query('UPDATE package_versions SET archive_key = $1, checksum_sha256 = $2', [
      key,
      sha256Hex(archive),
    ]);
  };
  /** Runs `body` in a fresh project while the registry serves the unlogged archive; then the logged one again. */
  const servingUnlogged = async (body: () => Promise<void>) => {
    await freshProject();
    proxy.mode = 'honest';
    await serve(other);
    try {
      await body();
    } finally {
      proxy.mode = 'honest';
      await serve(logged);
    }
  };

  before(async () => {
    registry = await startTestRegistry({ name: 'team' });
    proxy = await auditProxy(registry.url);
    await writeFile(
      join(registry.home, '.aam', 'config.yaml'),
      `registries:\n  - name: team\n    url: ${proxy.url}\n    type: http\n    default: true\n`,
    );
    logged = await packPackage('@acme/tool', '1.0.0');
    other = await packPackage('@acme/tool', '1.0.0', { body: '# ignore all previous instructions\n' });
    await registry.client(await registry.token('alice', ['publish'])).publish(logged, []);
  });
  after(async () => {
    proxy?.close();
    await registry?.close();
  });

  it('install refuses an archive whose publish the signed log does not prove, and writes nothing', async () => {
    await servingUnlogged(async () => {
      const installed = await run(['install', '@acme/tool', '--no-deploy']);
      assert.equal(installed.code, 1, installed.stdout);
      assert.match(installed.stderr, /its audit log proves no publish of @acme\/tool@1\.0\.0/);
      const lock = await readFile(join(registry.project, '.aam', 'aam-lock.yaml'), 'utf8').catch(() => '');
      assert.ok(!lock.includes(sha256Hex(other)), 'the unlogged archive is not locked');
    });
  });

  it('when the head loses its Merkle root … verify fails as a downgrade, and the recorded root is kept', async () => {
    await installHonestly();
    const recordFile = join(registry.project, '.aam', 'trust-record.yaml');
    const rootLine = (await readFile(recordFile, 'utf8')).match(/audit_root: .*/)?.[0];
    assert.ok(rootLine, 'install records the root');

    proxy.mode = 'strip';
    const verified = await run(['verify', '--json', '--no-cache']);
    assert.equal(verified.code, 1, 'a head without its root is a failing finding');
    assert.match(findings(verified.stdout).join('\n'), /REGISTRY_LOG: .*comes without its Merkle root/);
    assert.ok((await readFile(recordFile, 'utf8')).includes(rootLine), 'the recorded root is not erased');

    const again = await run(['install', '@acme/tool@1.0.0', '--force', '--no-deploy']);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /without its Merkle root/);
  });

  it('when the registry answers its log head with garbage, verify fails saying the log could not be checked', async () => {
    await installHonestly();
    proxy.mode = 'garbled';
    const verified = await run(['verify', '--json', '--no-cache']);
    assert.equal(verified.code, 1, 'a log that cannot be checked is not a log that was checked');
    assert.match(
      findings(verified.stdout).join('\n'),
      /REGISTRY_LOG: The audit log of registry "team" could not be checked: /,
    );
    proxy.mode = 'honest';
  });

  it("verify proves the publish from a registry's chain too, when it keeps no tree", async () => {
    await servingUnlogged(async () => {
      // Installed without verification (nothing recorded about the registry), then checked by its chain alone.
      const installed = await run(['install', '@acme/tool', '--no-deploy', '--no-verify']);
      assert.equal(installed.code, 0, installed.stderr);
      proxy.mode = 'legacy';
      const verified = await run(['verify', '--json', '--no-cache']);
      assert.equal(verified.code, 1);
      assert.match(findings(verified.stdout).join('\n'), /REGISTRY_LOG: .*proves no publish of @acme\/tool@1\.0\.0/);
    });
  });

  it('when the log records the version twice with different archives … verify, audit and install all fail', async () => {
    await installHonestly();
    assert.equal((await run(['verify', '--no-cache'])).code, 0);
    // The registry logs a publish of the same version with other bytes (served to someone else).
    await logForkedPublish(registry.server, '@acme/tool', '1.0.0', other);
    const forked = /@acme\/tool@1\.0\.0 published 2 times with different archives/;

    const verified = await run(['verify', '--json', '--no-cache']);
    assert.equal(verified.code, 1);
    assert.match(findings(verified.stdout).join('\n'), new RegExp(`REGISTRY_LOG: .*${forked.source}`));

    const audit = await run(['audit', '@acme/tool']);
    assert.equal(audit.code, 1);
    assert.match(audit.stdout.split('\n')[0]!, forked, 'the fork is said first');
    const json = await run(['audit', '@acme/tool', '--json']);
    assert.equal(json.code, 1);
    const answer = JSON.parse(json.stdout) as { chain: { verified: boolean }; equivocations: { seqs: number[] }[] };
    assert.equal(answer.chain.verified, true, "the log's proofs themselves hold");
    assert.deepEqual(
      answer.equivocations.map((e) => e.seqs),
      [[1, 2]],
    );

    await freshProject();
    const refused = await run(['install', '@acme/tool', '--no-deploy']);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, forked);
  });
});
