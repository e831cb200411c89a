import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { LocalSigstore } from '../../dev/local-sigstore/instance.ts';
import { buildDemoWorld } from '../../demo/world.ts';

const REPO = join(import.meta.dirname, '..', '..');

/**
 * Runs the mocha suites in test/electron/suite inside a desktop VS Code's
 * extension host with @vscode/test-electron. It needs a VS Code build:
 * VSCODE_EXECUTABLE, or AAM_TRUST_DOWNLOAD_VSCODE=1 where downloads work.
 */
async function main(): Promise<void> {
  const executable = process.env.VSCODE_EXECUTABLE;
  if (!executable && process.env.AAM_TRUST_DOWNLOAD_VSCODE !== '1') {
    console.log(
      'Skipping the @vscode/test-electron suites: no VS Code build is available here.\n' +
        '  Set VSCODE_EXECUTABLE=/path/to/code (a desktop VS Code), or AAM_TRUST_DOWNLOAD_VSCODE=1 where\n' +
        '  update.code.visualstudio.com is reachable. The same scenarios run in code-server: npm run test:e2e.',
    );
    return;
  }
  const { downloadAndUnzipVSCode, runTests } = await import('@vscode/test-electron');
  const suite = join(await mkdtemp(join(tmpdir(), 'aam-electron-')), 'suite.cjs');
  await build({
    entryPoints: [join(REPO, 'test/electron/suite/index.ts')],
    outfile: suite,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    external: ['vscode', 'mocha'],
    absWorkingDir: REPO,
    nodePaths: [join(REPO, 'node_modules')],
  });
  const sigstore = await LocalSigstore.start();
  let world: Awaited<ReturnType<typeof buildDemoWorld>> | undefined;
  try {
    world = await buildDemoWorld(join(await mkdtemp(join(tmpdir(), 'aam-electron-world-')), 'demo'), sigstore);
    await runTests({
      vscodeExecutablePath: executable ?? (await downloadAndUnzipVSCode('stable')),
      extensionDevelopmentPath: REPO,
      extensionTestsPath: suite,
      launchArgs: [
        world.workspace,
        '--disable-workspace-trust',
        '--disable-extensions',
        `--user-data-dir=${join(world.root, 'vscode-data')}`,
      ],
      extensionTestsEnv: {
        HOME: world.home,
        GNUPGHOME: world.gnupgHome,
        AAM_TEST_EXPECTED: JSON.stringify(world.expected),
        NODE_PATH: join(REPO, 'node_modules'),
      },
    });
  } finally {
    await world?.stop();
    await sigstore.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
