import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildBenchWorld } from '../../../bench/fixtures.ts';
import type { WorldInfo } from '../../../bench/fixtures.ts';
import { LocalSigstore } from '../../../dev/local-sigstore/instance.ts';
import { loadConfig } from '../../../src/core/config/load.ts';
import { workspacePaths } from '../../../src/core/lockfile/lockfile.ts';
import { verificationServices } from '../../../src/core/verify/services.ts';
import { verifyWorkspace } from '../../../src/core/verify/workspace.ts';
import type { PackageReport } from '../../../src/core/verify/workspace.ts';

/**
 * The benchmark's own world, small: every package signed (Sigstore or
 * OpenPGP), each deploying a prompt of its own but three pairs that deploy
 * one path. Verified alone or with the others, with worker threads or on one
 * thread, every package gets one picture; each pair carries a finding that
 * names both. (collisions.test.ts covers the cases one pair can show.)
 */
const COUNT = 12;

for (const method of ['sigstore', 'gpg'] as const) {
  describe(`the bench world (${method}): verify-one and verify-all agree`, () => {
    let root = '';
    let info: WorldInfo;
    let sigstore: LocalSigstore;
    before(async () => {
      root = await mkdtemp(join(tmpdir(), `aam-bench-collisions-${method}-`));
      sigstore = await LocalSigstore.start();
      info = await buildBenchWorld(root, { count: COUNT, method, sigstore, concurrency: 4 });
    });
    after(async () => {
      await sigstore?.close();
      if (method === 'gpg') spawnSync('gpgconf', ['--homedir', join(root, 'home', '.gnupg'), '--kill', 'gpg-agent']);
      await rm(root, { recursive: true, force: true });
    });

    async function verify(only: string[] | undefined, workers: number): Promise<Map<string, PackageReport>> {
      const home = join(root, 'home');
      const project = join(root, 'project');
      const config = await loadConfig({ homeDir: home, projectDir: project, env: {} });
      const services = verificationServices(config, home, {});
      const reports = await verifyWorkspace({
        workspace: workspacePaths(project),
        config,
        ...services,
        homeDir: home,
        only,
        workers,
      });
      return new Map(reports.map((r) => [r.name, r]));
    }

    const picture = (r: PackageReport | undefined) => ({
      action: r?.verdict.action,
      status: r?.verdict.status,
      code: r?.verdict.code,
      deployed: r?.deployed.map((c) => `${c.state} ${c.path}`),
      findings: r?.findings.map((f) => `${f.code} ${f.action}: ${f.message}`),
    });

    it('every package: the same verdict, deployed copies and findings alone as with the others', async () => {
      assert.equal(info.collisions.length, 3);
      const all = await verify(undefined, 1);
      assert.deepEqual([...all.keys()].sort(), [...info.names].sort());
      const oneThread = await verify(undefined, 0);
      for (const name of info.names) {
        assert.deepEqual(picture(oneThread.get(name)), picture(all.get(name)), `${name}: one thread and two`);
        const alone = await verify([name], 0);
        assert.deepEqual([...alone.keys()], [name]);
        assert.deepEqual(picture(alone.get(name)), picture(all.get(name)), `${name}: alone and with the others`);
      }
      const colliding = new Set(info.collisions.flat());
      for (const [first, second] of info.collisions)
        for (const name of [first, second]) {
          const report = all.get(name)!;
          assert.equal(report.verdict.action, 'pass', name);
          const finding = report.findings.find((f) => f.code === 'DEPLOY_COLLISION');
          assert.ok(finding, `${name} carries the collision`);
          assert.ok(finding.message.includes(first) && finding.message.includes(second), finding.message);
        }
      for (const name of info.names.filter((n) => !colliding.has(n))) {
        assert.equal(all.get(name)!.verdict.status, 'verified', name);
        assert.deepEqual(all.get(name)!.findings, [], name);
      }
    });
  });
}
