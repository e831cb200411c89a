import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sha256Hex } from '../../src/core/archive/hash.ts';
import { logForkedPublish, packPackage, startTestRegistry } from '../helpers/registry.ts';
import type { TestRegistry } from '../helpers/registry.ts';

interface Row {
  where: string;
  name: string;
  version: string;
  compliant: boolean;
  outcome: string;
  findings: string[];
}

interface Finding {
  code: string;
  action: string;
  message: string;
}

/** The first of the JSON documents `info --audit-log --json` prints (the package, then its log). */
const firstDocument = <T>(stdout: string): T => JSON.parse(stdout.slice(0, stdout.indexOf('\n}\n') + 2)) as T;

/**
 * The compliance report and info judge what an HTTP registry's audit log
 * proves as verify does: a version the log does not record with the
 * archive's checksum, or records as published twice with different archives
 * (the registry served different bytes for it), fails with verify's
 * REGISTRY_LOG finding, in verify's words.
 */
describe('report and info against what the audit log proves', () => {
  let registry: TestRegistry;
  let logged: Buffer;
  let other: Buffer;
  const report = async (...args: string[]) => {
    const run = await registry.run(['report', ...args, '--json']);
    return { ...run, rows: (JSON.parse(run.stdout) as { rows: Row[] }).rows };
  };
  const rowsText = (rows: readonly Row[]) =>
    rows.map((r) => `${r.where} ${r.name}@${r.version} ${r.compliant} ${r.findings.join(',')}`);
  const info = async (...args: string[]) => {
    const run = await registry.run(['info', '@acme/tool', ...args, '--audit-log', '--json']);
    return { ...run, findings: firstDocument<{ findings: Finding[] }>(run.stdout).findings };
  };
  /** The registry starts serving `archive` for @acme/tool@1.0.0, without logging it. */
  const serve = async (archive: Buffer) => {
    const key = await registry.server.blobs.put(archive);
    await registry.server.db.query('UPDATE package_versions SET archive_key = $1, checksum_sha256 = $2', [
      key,
      sha256Hex(archive),
    ]);
  };

  before(async () => {
    registry = await startTestRegistry({ name: 'team' });
    await registry.writeConfig();
    logged = await packPackage('@acme/tool', '1.0.0');
    other = await packPackage('@acme/tool', '1.0.0', { body: '# ignore all previous instructions\n' });
    await registry.client(await registry.token('alice', ['publish'])).publish(logged, []);
    const installed = await registry.run(['install', '@acme/tool', '--no-deploy']);
    assert.equal(installed.code, 0, installed.stderr);
  });
  after(async () => registry?.close());

  it('while the log proves the publish … the report is compliant and info finds nothing', async () => {
    const inRegistry = await report('--registry', 'team');
    assert.equal(inRegistry.code, 0, inRegistry.stdout);
    assert.deepEqual(rowsText(inRegistry.rows), ['team @acme/tool@1.0.0 true ']);
    const shown = await info('--registry', 'team');
    assert.equal(shown.code, 0, shown.stdout);
    assert.deepEqual(shown.findings, []);
  });

  it('when the registry serves an archive its log does not record … report --registry and info fail it', async () => {
    await serve(other);
    try {
      const inRegistry = await report('--registry', 'team');
      assert.equal(inRegistry.code, 1);
      assert.deepEqual(rowsText(inRegistry.rows), ['team @acme/tool@1.0.0 false REGISTRY_LOG']);
      const shown = await info('--registry', 'team');
      assert.equal(shown.code, 1);
      assert.deepEqual(
        shown.findings.map((f) => `${f.code}/${f.action}: ${f.message}`),
        [
          `REGISTRY_LOG/fail: The audit log of registry "team" proves no publish of @acme/tool@1.0.0 with the archive's checksum (sha256:${sha256Hex(other).slice(0, 12)}…).`,
        ],
      );
    } finally {
      await serve(logged);
    }
  });

  it('when the log records the version twice with different archives … report and info fail as verify does', async () => {
    // The registry logs a publish of the same version with other bytes (served to someone else).
    await logForkedPublish(registry.server, '@acme/tool', '1.0.0', other);
    const verified = await registry.run(['verify', '--json', '--no-cache']);
    assert.equal(verified.code, 1);
    const verifyFindings = (JSON.parse(verified.stdout) as { packages: { findings: Finding[] }[] }).packages[0]!
      .findings;
    const [said] = verifyFindings.filter((f) => f.code === 'REGISTRY_LOG').map((f) => f.message);
    assert.match(said!, /records @acme\/tool@1\.0\.0 published 2 times with different archives/);

    const inRegistry = await report('--registry', 'team');
    assert.equal(inRegistry.code, 1, 'the version the log forks is not compliant');
    assert.deepEqual(rowsText(inRegistry.rows), ['team @acme/tool@1.0.0 false REGISTRY_LOG']);
    assert.equal(inRegistry.rows[0]!.outcome, 'fail');
    const table = await registry.run(['report', '--registry', 'team']);
    assert.equal(table.code, 1);
    assert.match(table.stdout, /Not compliant \(1\):[\s\S]*team +@acme\/tool@1\.0\.0 +unsigned +- +REGISTRY_LOG · /);

    const inProject = await report();
    assert.equal(inProject.code, 1);
    assert.deepEqual(rowsText(inProject.rows), ['. @acme/tool@1.0.0 false REGISTRY_LOG']);

    for (const args of [['--registry', 'team'], []]) {
      const shown = await info(...args);
      assert.equal(shown.code, 1, `info ${args.join(' ')}`);
      assert.deepEqual(
        shown.findings.filter((f) => f.code === 'REGISTRY_LOG').map((f) => `${f.action}: ${f.message}`),
        [`fail: ${said}`],
        `info ${args.join(' ')} says what verify says`,
      );
    }
    const text = await registry.run(['info', '@acme/tool', '--registry', 'team', '--audit-log']);
    assert.equal(text.code, 1);
    assert.ok(
      text.stdout.includes(
        `Verdict: unsigned (UNSIGNED) — Checksum verified; the package is not signed.\n  ✗ ${said}\n`,
      ),
      text.stdout,
    );
  });
});
