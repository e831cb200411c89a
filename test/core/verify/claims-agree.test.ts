import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { installPackages } from '../../../src/core/workflows/install/install.ts';
import { publishPackage } from '../../../src/core/workflows/publish.ts';
import { readLockFile } from '../../../src/core/lockfile/lockfile.ts';
import { verifyWorkspace } from '../../../src/core/verify/workspace.ts';
import type { PackageReport } from '../../../src/core/verify/workspace.ts';
import type { Platform } from '../../../src/core/model/platform.ts';
import { VerificationStore } from '../../../src/core/verify/store/result-store.ts';
import { makeWorld } from '../../helpers/workspace.ts';
import type { TestWorld } from '../../helpers/workspace.ts';

/**
 * A package gets the same verdict verified alone (`only`, whose run reads the other packages' installed
 * aam.yaml for the places they claim) as with every other (whose jobs take the claims from the archive's
 * text, or from a stored result). Found by a hostile review: an aam.yaml over the installed-manifest read
 * limit, and a stored result whose claims outlived an edit of the aam.yaml they were read from.
 */
const VICTIM = '@v/victim';
const RIVAL = '@r/rival';

const manifest = (name: string, artifact: string) =>
  `name: "${name}"\nversion: 1.0.0\ndescription: "${name}"\nartifacts:\n  prompts:\n    - name: ${artifact}\n      path: prompts/p.md\n      description: An artifact\n`;

/**
 * A comment block past the 64 KiB the claim filter reads a manifest into (an earlier read limit was 1 MiB, and
 * a manifest is now at most 128 KB): the signed archive stays small.
 */
const PADDING = `# ${'x'.repeat(100)}\n`.repeat(1_000);

async function publish(w: TestWorld, name: string, text: string, content: string): Promise<void> {
  const dir = await w.makePackage(name, '1.0.0', { 'prompts/p.md': content });
  await writeFile(join(dir, 'aam.yaml'), text);
  const { verifier } = await w.services();
  await publishPackage({ packageDir: dir, registry: w.registry, verifier, signing: undefined });
}

async function install(w: TestWorld, names: string[], platform: Platform = 'cursor'): Promise<void> {
  for (const name of names)
    await installPackages([name], {
      ...(await w.services()),
      registry: w.registry,
      platforms: [platform],
      homeDir: w.home,
    });
}

async function verify(
  w: TestWorld,
  only?: string[],
  store?: VerificationStore,
  homeDir = w.home,
): Promise<Map<string, PackageReport>> {
  const reports = await verifyWorkspace({ ...(await w.services()), workers: 0, only, store, homeDir });
  return new Map(reports.map((r) => [r.name, r]));
}

/** What a user reads of a report: the verdict, the deployed copies' states, the findings. */
const picture = (r: PackageReport | undefined) => ({
  action: r?.verdict.action,
  code: r?.verdict.code,
  deployed: r?.deployed.map((c) => `${c.platform} ${c.type} ${c.name}: ${c.state}`),
  findings: r?.findings.map((f) => `${f.code} ${f.action}: ${f.message}`),
});

/** Past the stamps' racy window (stamps.ts): a stored result is reused only once its stamps have settled. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 2_500));

describe('verify-one and verify-all agree on shared places', () => {
  for (const [big, order, alone] of [
    ['rival', [RIVAL, VICTIM], VICTIM],
    ['rival', [VICTIM, RIVAL], VICTIM],
    ['victim', [VICTIM, RIVAL], RIVAL],
  ] as const) {
    it(`when the ${big}'s aam.yaml is over 64 KiB (installed ${order.join(', then ')}; ${alone} alone)`, async () => {
      const w = await makeWorld();
      await publish(w, VICTIM, manifest(VICTIM, 'main') + (big === 'victim' ? PADDING : ''), 'victim\n');
      await publish(w, RIVAL, manifest(RIVAL, 'main') + (big === 'rival' ? PADDING : ''), 'rival\n');
      await install(w, [...order]);
      const all = await verify(w);
      assert.match(
        all
          .get(alone)!
          .findings.map((f) => f.message)
          .join('\n'),
        /@r\/rival and @v\/victim both deploy/,
        'the run over every package names both',
      );
      assert.deepEqual(picture((await verify(w, [alone])).get(alone)), picture(all.get(alone)));
      await rm(w.root, { recursive: true, force: true });
    });
  }

  for (const [from, to] of [
    ['other', 'main'],
    ['main', 'other'],
  ] as const) {
    it(`when a package whose archive is gone has its installed aam.yaml edited (${from} to ${to}) after a stored run`, async () => {
      const w = await makeWorld();
      await publish(w, VICTIM, manifest(VICTIM, 'main'), 'victim\n');
      await publish(w, RIVAL, manifest(RIVAL, from), 'rival\n');
      await install(w, [RIVAL, VICTIM]);
      // The rival's archive can no longer be had: neither the registry's copy nor the evidence cache's.
      const checksum = (await readLockFile(join(w.project, '.aam', 'aam-lock.yaml'))).packages[RIVAL]!.checksum;
      await rm(join(w.home, '.aam', 'cache', 'sha256', checksum.slice('sha256:'.length)));
      const versions = join(w.registryDir, 'packages', 'r--rival', 'versions');
      for (const file of await readdir(versions)) if (file.endsWith('.aam')) await rm(join(versions, file));
      await settle();
      const store = new VerificationStore(undefined);
      await verify(w, undefined, store);
      const installed = join(w.project, '.aam', 'packages', 'r--rival', 'aam.yaml');
      await writeFile(installed, (await readFile(installed, 'utf8')).replace(`name: ${from}`, `name: ${to}`));
      await settle();
      const all = await verify(w, undefined, store);
      assert.equal(all.get(RIVAL)!.verdict.code, 'ARCHIVE_UNAVAILABLE');
      const named = all.get(VICTIM)!.findings.some((f) => /@r\/rival and @v\/victim both deploy/.test(f.message));
      assert.equal(named, to === 'main', 'the run over every package sees the claim as it is now');
      assert.deepEqual(picture((await verify(w, [VICTIM], store)).get(VICTIM)), picture(all.get(VICTIM)));
      await rm(w.root, { recursive: true, force: true });
    });
  }

  it('when a stored result was made with another home folder (Codex places are under it)', async () => {
    const w = await makeWorld();
    await publish(w, VICTIM, manifest(VICTIM, 'main'), 'victim\n');
    await publish(w, RIVAL, manifest(RIVAL, 'main'), 'rival\n');
    await install(w, [VICTIM, RIVAL], 'codex');
    await settle();
    const store = new VerificationStore(undefined);
    await verify(w, undefined, store, join(w.root, 'another-home'));
    // Verified alone first: the other-home results are all the store holds.
    const one = await verify(w, [VICTIM], store);
    const all = await verify(w, undefined, store);
    assert.match(
      all
        .get(VICTIM)!
        .findings.map((f) => f.message)
        .join('\n'),
      /@r\/rival and @v\/victim both deploy/,
    );
    assert.deepEqual(picture(one.get(VICTIM)), picture(all.get(VICTIM)));
    await rm(w.root, { recursive: true, force: true });
  });
});
