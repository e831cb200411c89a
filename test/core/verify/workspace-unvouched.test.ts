import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { decide } from '../../../src/core/policy/decision.ts';
import { installPackages } from '../../../src/core/workflows/install/install.ts';
import { publishPackage } from '../../../src/core/workflows/publish.ts';
import { reportProjects } from '../../../src/core/workflows/report/projects.ts';
import { VerificationStore } from '../../../src/core/verify/store/result-store.ts';
import { verifyWorkspace } from '../../../src/core/verify/workspace.ts';
import type { PackageReport } from '../../../src/core/verify/workspace.ts';
import { outcome } from '../../../src/core/verify/verdict/vocabulary.ts';
import { makeWorld } from '../../helpers/workspace.ts';
import type { TestWorld } from '../../helpers/workspace.ts';

/**
 * What the lock file does not vouch for fails verification, before any check
 * runs: an installed folder in .aam/packages that no entry names (deleting
 * the lock file must not turn "1 failed" into "0 of 0"), and an entry whose
 * name, version or source aam could not have written (such data is printed in
 * CI logs). What aam does write still verifies.
 */
describe('verifyWorkspace: what the lock file does not vouch for', () => {
  let w: TestWorld;
  const lockPath = () => join(w.project, '.aam', 'aam-lock.yaml');
  const verify = async (options: { only?: string[]; store?: VerificationStore } = {}) =>
    verifyWorkspace({ ...(await w.services()), workers: 0, ...options });
  const byName = (reports: PackageReport[]) => new Map(reports.map((r) => [r.name, r]));
  let lock: string;

  before(async () => {
    w = await makeWorld();
    const { verifier } = await w.services();
    for (const [name, version] of [
      ['@acme/tool', '1.0.0-beta.1+build.5'],
      ['helper', '2.0.0'],
    ] as const) {
      const packageDir = await w.makePackage(name, version);
      await publishPackage({ packageDir, registry: w.registry, verifier, signing: undefined });
    }
    await installPackages(['@acme/tool', 'helper'], { ...(await w.services()), registry: w.registry, platforms: [] });
    lock = await readFile(lockPath(), 'utf8');
    // aam downloads into .aam/packages/.downloads; a stray file there is no package either.
    await mkdir(join(w.project, '.aam', 'packages', '.downloads'), { recursive: true });
    await writeFile(join(w.project, '.aam', 'packages', 'notes.txt'), 'x');
  });

  it('the control: what aam writes (a scoped name, a pre-release with build metadata) verifies, nothing more is reported', async () => {
    const reports = await verify();
    assert.deepEqual(
      reports.map((r) => [r.name, r.version, outcome(r)]),
      [
        ['@acme/tool', '1.0.0-beta.1+build.5', 'pass'],
        ['helper', '2.0.0', 'pass'],
      ],
    );
  });

  it('an installed folder no lock entry names fails with NOT_LOCKED, also with the lock file gone', async () => {
    try {
      await writeFile(lockPath(), lock.replace(/\n {2}helper:\n(?: {4}.*\n)*/, '\n'));
      const without = byName(await verify());
      assert.deepEqual([...without.keys()], ['@acme/tool', 'helper']);
      const row = without.get('helper')!;
      assert.equal(row.verdict.code, 'NOT_LOCKED');
      assert.equal(outcome(row), 'fail');
      assert.equal(row.installedDir, join(w.project, '.aam', 'packages', 'helper'));
      assert.match(row.verdict.message, /"helper" is installed in \.aam\/packages but not in the lock file/);

      await rm(lockPath());
      const none = await verify();
      assert.deepEqual(
        none.map((r) => [r.name, r.verdict.code, outcome(r)]),
        [
          ['acme--tool', 'NOT_LOCKED', 'fail'],
          ['helper', 'NOT_LOCKED', 'fail'],
        ],
      );
      // A policy preview decides it again from its checks: it still fails, whatever the policy.
      const { config } = await w.services();
      assert.equal(decide(none[0]!.checks, { ...config.policyContext() }).action, 'fail');
      // Verifying the folder by its name reports it too (the editor's "Verify Package" on its row).
      assert.deepEqual(
        (await verify({ only: ['helper'] })).map((r) => r.verdict.code),
        ['NOT_LOCKED'],
      );
      // The compliance report counts it as not compliant.
      const report = await reportProjects({ projects: [w.project], cwd: w.root, homeDir: w.home, env: {} });
      assert.equal(report.totals.notCompliant, 2);
      assert.deepEqual(
        report.rows.map((r) => [r.name, r.code, r.compliant]),
        [
          ['acme--tool', 'NOT_LOCKED', false],
          ['helper', 'NOT_LOCKED', false],
        ],
      );
    } finally {
      await writeFile(lockPath(), lock);
    }
  });

  it('an entry named outside the grammar, or with a line break in its version or source, fails with LOCKFILE_INVALID, unverified', async () => {
    const store = new VerificationStore(join(w.root, 'store'), 'test', true);
    try {
      assert.equal((await verify({ store })).length, 2); // stored results, then the entries change
      const hostile = lock
        .replace('  helper:\n    version: 2.0.0', '  helper:\n    version: "2.0.0\\n::warning::x"')
        .replace(
          'packages:\n',
          'packages:\n  "x\\n::add-mask::failed":\n    version: 1.0.0\n    source: team\n    checksum: "sha256:00"\n',
        );
      await writeFile(lockPath(), hostile);
      for (const run of [{}, { store }]) {
        const reports = byName(await verify(run));
        assert.deepEqual([...reports.keys()].sort(), ['@acme/tool', 'helper', 'x\n::add-mask::failed']);
        assert.equal(outcome(reports.get('@acme/tool')!), 'pass');
        for (const name of ['helper', 'x\n::add-mask::failed']) {
          const row = reports.get(name)!;
          assert.equal(row.verdict.code, 'LOCKFILE_INVALID', name);
          assert.equal(outcome(row), 'fail');
          assert.doesNotMatch(row.verdict.message, /\n/);
          assert.deepEqual(row.deployed, []);
        }
        assert.match(reports.get('x\n::add-mask::failed')!.verdict.message, /"x\\n::add-mask::failed"/);
        assert.equal(reports.get('helper')!.version, '2.0.0\n::warning::x');
      }
    } finally {
      store.dispose();
      await writeFile(lockPath(), lock);
    }
  });

  it('a folder of a scoped package is not reported while its entry is there, copied or not', async () => {
    await cp(join(w.project, '.aam', 'packages', 'helper'), join(w.project, '.aam', 'packages', 'copied'), {
      recursive: true,
    });
    try {
      const reports = byName(await verify());
      assert.deepEqual([...reports.keys()], ['@acme/tool', 'helper', 'copied']);
      assert.equal(reports.get('copied')!.verdict.code, 'NOT_LOCKED');
    } finally {
      await rm(join(w.project, '.aam', 'packages', 'copied'), { recursive: true });
    }
  });
});
