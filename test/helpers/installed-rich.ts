import { cp } from 'node:fs/promises';
import { join } from 'node:path';
import { installPackages } from '../../src/core/workflows/install/install.ts';
import { publishPackage } from '../../src/core/workflows/publish.ts';
import { writeRichPackage } from './aam.ts';
import { makeWorld } from './workspace.ts';
import type { TestWorld } from './workspace.ts';
import type { FailureMode } from '../../src/core/policy/policy.ts';

/**
 * A world where @acme/rich 1.0.0 (a rich package: one artifact of every kind) is published
 * unsigned and installed, its copies deployed in the project; with `security` as the global
 * config's security settings, if given (otherwise no global config is written).
 */
export async function installedRichWorld(security?: string): Promise<TestWorld> {
  const w = await makeWorld();
  if (security !== undefined) await w.writeGlobalConfig(security);
  const { verifier } = await w.services();
  const v1 = await writeRichPackage(join(w.root, 'v1'), '@acme/rich', '1.0.0');
  await publishPackage({ packageDir: v1, registry: w.registry, signing: undefined, verifier });
  await installPackages(['@acme/rich@1.0.0'], { ...(await w.services()), registry: w.registry, homeDir: w.home });
  return w;
}

/** A copy of the project's `.aam` at `<root>/base`: the project before a pull request, as `aam-trust diff BASE` reads it. */
export async function copyBase(w: TestWorld): Promise<string> {
  const base = join(w.root, 'base');
  await cp(join(w.project, '.aam'), join(base, '.aam'), { recursive: true });
  return base;
}

/**
 * Publishes @acme/rich at `version` (unsigned), its folder first changed by `edit`, and installs it
 * in the project: the update a pull request brings. `hiddenContent` is publish's own check of it.
 */
export async function updateRich(
  w: TestWorld,
  version: string,
  edit: (packageDir: string) => Promise<void>,
  hiddenContent?: FailureMode,
): Promise<void> {
  const s = await w.services();
  const dir = await writeRichPackage(join(w.root, `v${version}`), '@acme/rich', version);
  await edit(dir);
  await publishPackage({
    packageDir: dir,
    registry: w.registry,
    signing: undefined,
    verifier: s.verifier,
    hiddenContent,
  });
  await installPackages([`@acme/rich@${version}`], { ...s, registry: w.registry, homeDir: w.home });
}
