import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { aamOk, writeRichPackage } from './aam.ts';
import { cli } from './cli.ts';
import type { useLocalSigstore } from './sigstore.ts';
import { tempDir } from './temp.ts';

/** A home, project and registry path for round trips with the real aam CLI, and both CLIs run there. */
export async function interopWorld(local: ReturnType<typeof useLocalSigstore>) {
  const root = await tempDir('aam-formats-');
  const home = join(root, 'home');
  const project = join(root, 'project');
  await mkdir(project, { recursive: true });
  await mkdir(join(home, '.aam'), { recursive: true });
  const registry = join(root, 'registry');
  const trust = (...args: string[]) => cli(args, { cwd: project, home });
  const theirs = (...args: string[]) => aamOk(args, { cwd: project, home });
  const rootFile = join(home, '.aam', 'trusted_root.json');
  await writeFile(rootFile, JSON.stringify(local.instance().trustedRoot()));
  /** Adds AAM Trust's security settings to whatever config aam wrote. */
  const addTrust = async (security: string) => {
    const config = join(home, '.aam', 'config.yaml');
    const keys = security
      .split('\n')
      .map((l) => /^(\w+):/.exec(l)?.[1])
      .filter(Boolean);
    // aam writes some security keys itself: the test's value replaces aam's.
    const text = (await readFile(config, 'utf8').catch(() => ''))
      .split('\n')
      .filter((l) => !keys.some((k) => l.startsWith(`  ${k}:`)))
      .join('\n');
    await writeFile(
      config,
      text.replace(
        /^security:\n/m,
        `security:\n  sigstore_endpoint: ${local.instance().url}\n  sigstore_trusted_root: ${rootFile}\n${security
          .split('\n')
          .map((l) => `  ${l}`)
          .join('\n')}\n`,
      ),
    );
  };
  const source = (name: string, version: string, options?: Parameters<typeof writeRichPackage>[3]) =>
    writeRichPackage(join(root, 'src', `${name.replace(/[@/]/g, '_')}-${version}`), name, version, options);
  const token = (email = 'alice@example.com') => local.instance().mintToken(email);
  return { root, home, project, registry, trust, theirs, addTrust, source, token };
}
