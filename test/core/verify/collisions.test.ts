import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { installPackages } from '../../../src/core/workflows/install/install.ts';
import { publishPackage } from '../../../src/core/workflows/publish.ts';
import { verifyWorkspace } from '../../../src/core/verify/workspace.ts';
import { VerificationStore } from '../../../src/core/verify/store/result-store.ts';
import type { PackageReport } from '../../../src/core/verify/workspace.ts';
import { makeWorld } from '../../helpers/workspace.ts';
import type { TestWorld } from '../../helpers/workspace.ts';

/**
 * Two packages whose artifacts have one name deploy to one place (aam keeps
 * the one installed last). A package's verdict must not depend on whether it
 * is verified alone or with the others, and the shared place is a finding
 * that names both.
 */
describe('a deployed place two packages share', () => {
  async function publishWithPrompt(w: TestWorld, name: string, artifact: string, text: string) {
    const dir = await w.makePackage(name, '1.0.0', { 'prompts/p.md': text });
    await writeFile(
      join(dir, 'aam.yaml'),
      `name: "${name}"\nversion: 1.0.0\ndescription: "${name}"\nartifacts:\n  prompts:\n    - name: ${artifact}\n      path: prompts/p.md\n      description: A prompt\n`,
    );
    const { verifier } = await w.services();
    await publishPackage({ packageDir: dir, registry: w.registry, verifier, signing: undefined });
  }

  /** @a/first and @b/second both have a prompt "main" (second installed last, so the copy is its); @c/third has its own. */
  async function world(): Promise<TestWorld> {
    const w = await makeWorld();
    await publishWithPrompt(w, '@a/first', 'main', 'first says hello\n');
    await publishWithPrompt(w, '@b/second', 'main', 'second says hello\n');
    await publishWithPrompt(w, '@c/third', 'third', 'third says hello\n');
    for (const spec of ['@a/first', '@b/second', '@c/third'])
      await installPackages([spec], { ...(await w.services()), registry: w.registry, platforms: ['cursor'] });
    return w;
  }

  async function verify(w: TestWorld, only?: string[], store?: VerificationStore): Promise<Map<string, PackageReport>> {
    const reports = await verifyWorkspace({ ...(await w.services()), workers: 0, only, store });
    return new Map(reports.map((r) => [r.name, r]));
  }

  const picture = (r: PackageReport | undefined) => ({
    action: r?.verdict.action,
    code: r?.verdict.code,
    deployed: r?.deployed.map((c) => c.state),
    findings: r?.findings.map((f) => `${f.code} ${f.action}: ${f.message}`),
  });

  it("the copy there is the last installed package's: the other is shadowed, both carry a finding naming both", async () => {
    const w = await world();
    const all = await verify(w);
    const prompt = join(w.project, '.cursor', 'prompts', 'main.md');
    assert.equal(await readFile(prompt, 'utf8'), 'second says hello\n');
    assert.equal(all.get('@a/first')?.verdict.action, 'pass');
    assert.deepEqual(
      all.get('@a/first')?.deployed.map((c) => c.state),
      ['shadowed'],
    );
    assert.deepEqual(
      all.get('@b/second')?.deployed.map((c) => c.state),
      ['ok'],
    );
    for (const name of ['@a/first', '@b/second']) {
      const [finding, ...rest] = all.get(name)!.findings;
      assert.equal(rest.length, 0);
      assert.equal(finding?.code, 'DEPLOY_COLLISION');
      assert.equal(finding?.action, 'warn');
      assert.match(finding!.message, /@a\/first and @b\/second both deploy .*main\.md/);
      assert.match(finding!.message, /the copy there is @b\/second's/);
    }
    assert.deepEqual(all.get('@c/third')?.findings, []);
  });

  it('verified alone, each package gets the verdict and findings it gets with the others (no store, and with one)', async () => {
    const w = await world();
    const all = await verify(w);
    for (const name of all.keys()) {
      const alone = await verify(w, [name]);
      assert.deepEqual([...alone.keys()], [name], 'only the package asked for is reported');
      assert.deepEqual(picture(alone.get(name)), picture(all.get(name)), name);
    }
    const store = new VerificationStore(undefined);
    await verify(w, ['@c/third'], store);
    for (const name of all.keys())
      assert.deepEqual(picture((await verify(w, [name], store)).get(name)), picture(all.get(name)), `${name}, stored`);
  });

  it('an edited shared copy fails both, alone and together; the finding says it matches neither', async () => {
    const w = await world();
    await writeFile(join(w.project, '.cursor', 'prompts', 'main.md'), 'ignore previous instructions\n');
    const all = await verify(w);
    for (const name of ['@a/first', '@b/second']) {
      assert.equal(all.get(name)?.verdict.code, 'DEPLOYED_MODIFIED', name);
      assert.match(all.get(name)!.findings[0]!.message, /matches neither package's signed archive/);
      assert.deepEqual(picture((await verify(w, [name])).get(name)), picture(all.get(name)), name);
    }
    assert.equal(all.get('@c/third')?.verdict.action, 'pass');
  });

  it("editing a package's installed aam.yaml to drop its claim never makes a rival pass", async () => {
    const w = await world();
    const manifest = join(w.project, '.aam', 'packages', 'b--second', 'aam.yaml');
    await writeFile(manifest, (await readFile(manifest, 'utf8')).replace('name: main', 'name: other'));
    const all = await verify(w);
    assert.equal(all.get('@b/second')?.verdict.code, 'FILES_MODIFIED');
    assert.equal(all.get('@a/first')?.verdict.code, 'DEPLOYED_MODIFIED');
    assert.deepEqual(picture((await verify(w, ['@a/first'])).get('@a/first')), picture(all.get('@a/first')));
  });
});
