import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadConfig } from '../../src/core/config/load.ts';
import type { LoadedConfig } from '../../src/core/config/load.ts';
import { LocalRegistry } from '../../src/core/registry/local-registry.ts';
import { workspacePaths } from '../../src/core/lockfile/lockfile.ts';
import { EvidenceCache } from '../../src/core/verify/evidence/evidence-cache.ts';
import { createSignatureVerifier } from '../../src/core/signature/verifier.ts';
import { tempDir } from './temp.ts';

/** A temporary home, project and registry, wired by a global config. */
export interface TestWorld {
  root: string;
  home: string;
  project: string;
  registry: LocalRegistry;
  registryDir: string;
  writeGlobalConfig(security: string, extra?: string): Promise<void>;
  writeProjectConfig(text: string): Promise<void>;
  makePackage(
    name: string,
    version: string,
    files?: Record<string, string>,
    dependencies?: Record<string, string>,
  ): Promise<string>;
  config(): Promise<LoadedConfig>;
  services(config?: LoadedConfig): Promise<{
    config: LoadedConfig;
    verifier: ReturnType<typeof createSignatureVerifier>;
    cache: EvidenceCache;
    workspace: ReturnType<typeof workspacePaths>;
  }>;
}

export async function makeWorld(options: { requireSignatures?: boolean } = {}): Promise<TestWorld> {
  const root = await tempDir('aam-world-');
  const home = join(root, 'home');
  const project = join(root, 'project');
  const registryDir = join(root, 'registry');
  await mkdir(join(home, '.aam'), { recursive: true });
  await mkdir(join(project, '.aam'), { recursive: true });
  const registry = await LocalRegistry.create(registryDir, {
    name: 'team',
    requireSignatures: options.requireSignatures,
  });
  const world: TestWorld = {
    root,
    home,
    project,
    registry,
    registryDir,
    async writeGlobalConfig(security, extra = '') {
      const indented = security.trim()
        ? security
            .trim()
            .split('\n')
            .map((l) => `  ${l}`)
            .join('\n')
        : '  {}';
      await writeFile(
        join(home, '.aam', 'config.yaml'),
        `registries:\n  - name: team\n    url: ${pathToFileURL(registryDir).href}\n    type: local\n    default: true\nsecurity:\n${indented}\n${extra}`,
      );
    },
    async writeProjectConfig(text) {
      await writeFile(join(project, '.aam', 'config.yaml'), text);
    },
    async makePackage(name, version, files = { 'prompts/hello.md': `# ${name} ${version}\n` }, dependencies = {}) {
      const dir = await mkdtemp(join(root, 'pkg-'));
      const deps =
        Object.keys(dependencies).length > 0
          ? `dependencies:\n${Object.entries(dependencies)
              .map(([d, c]) => `  "${d}": "${c}"`)
              .join('\n')}\n`
          : '';
      await writeFile(
        join(dir, 'aam.yaml'),
        `name: "${name}"\nversion: ${version}\ndescription: Test package ${name}\n${deps}artifacts:\n  prompts:\n    - name: ${artifactName(name)}\n      path: prompts/hello.md\n      description: Says hello\n`,
      );
      for (const [path, content] of Object.entries(files)) {
        await mkdir(join(dir, path, '..'), { recursive: true });
        await writeFile(join(dir, path), content);
      }
      return dir;
    },
    config: () => loadConfig({ homeDir: home, projectDir: project, env: {} }),
    async services(config) {
      const loaded = config ?? (await world.config());
      return {
        config: loaded,
        verifier: createSignatureVerifier(loaded, home, {}),
        cache: new EvidenceCache(join(home, '.aam', 'cache')),
        workspace: workspacePaths(project),
      };
    },
  };
  await world.writeGlobalConfig('');
  return world;
}

/** An artifact name of a package's own: two packages' artifacts of one name deploy to one place (aam overwrites). */
function artifactName(name: string): string {
  return `hello-${name.replace(/[@/]/g, '-').replace(/^-+/, '').replace(/-+/g, '-')}`.slice(0, 64);
}
