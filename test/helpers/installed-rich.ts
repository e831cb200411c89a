import { join } from 'node:path';
import { installPackages } from '../../src/core/workflows/install/install.ts';
import { publishPackage } from '../../src/core/workflows/publish.ts';
import { writeRichPackage } from './aam.ts';
import { makeWorld } from './workspace.ts';
import type { TestWorld } from './workspace.ts';

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
