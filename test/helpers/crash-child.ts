/**
 * One operation for the crash tests, run as its own process so the test can
 * SIGKILL it at any point: node crash-child.ts OP JSON. Prints "ready" once
 * its modules are loaded (the test's clock starts there) and "done" at the end.
 */
import { join } from 'node:path';
import { editConfigFile } from '../../src/core/config/edit.ts';
import { loadConfig } from '../../src/core/config/load.ts';
import { installPackages } from '../../src/core/workflows/install/install.ts';
import { workspacePaths } from '../../src/core/lockfile/lockfile.ts';
import { publishPackage } from '../../src/core/workflows/publish.ts';
import { LocalRegistry } from '../../src/core/registry/local-registry.ts';
import { EvidenceCache } from '../../src/core/verify/evidence/evidence-cache.ts';
import { createSignatureVerifier } from '../../src/core/signature/verifier.ts';

const [op, json] = process.argv.slice(2) as [string, string];
const spec = JSON.parse(json) as {
  home: string;
  project: string;
  registry: string;
  path: string;
  value: string;
  packageDir: string;
  keyFile: string;
  name: string;
};
const config = await loadConfig({ homeDir: spec.home, projectDir: spec.project, env: {} });
const verifier = createSignatureVerifier(config, spec.home, {});
const registry = new LocalRegistry('team', spec.registry);
process.stdout.write('ready\n');
if (op === 'config') {
  await editConfigFile(spec.path, [{ op: 'add-to-list', path: ['security', 'trusted_identities'], value: spec.value }]);
} else if (op === 'publish') {
  await publishPackage({
    packageDir: spec.packageDir,
    registry,
    verifier,
    signing: { method: 'gpg', keySource: { kind: 'file', path: spec.keyFile }, prompt: async () => '' },
  });
} else if (op === 'install') {
  await installPackages([spec.name], {
    workspace: workspacePaths(spec.project),
    config,
    registry,
    verifier,
    cache: new EvidenceCache(join(spec.home, '.aam', 'cache')),
    force: true,
  });
}
process.stdout.write('done\n');
