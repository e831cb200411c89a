import { join } from 'node:path';
import type { SuiteRun } from './results.ts';

/** Where a desktop VS Code can come from: a local build (VSCODE_EXECUTABLE), or a download where one can happen. */
export function desktopVsCode(): { executable?: string } | undefined {
  if (process.env.VSCODE_EXECUTABLE) return { executable: process.env.VSCODE_EXECUTABLE };
  if (process.env.AAM_TRUST_DOWNLOAD_VSCODE === '1') return {};
  return undefined;
}

/**
 * Runs the suite in a desktop VS Code's extension host with
 * @vscode/test-electron. Resolves with the exit code VS Code ends with (the
 * suite's results say why it failed).
 */
export async function runInDesktop(run: SuiteRun, desktop: { executable?: string }): Promise<number> {
  const { downloadAndUnzipVSCode, runTests } = await import('@vscode/test-electron');
  const args = [
    run.world.workspace,
    '--disable-workspace-trust',
    '--disable-extensions',
    `--user-data-dir=${join(run.world.root, 'vscode-data')}`,
  ];
  // Electron refuses to run as root with its sandbox on.
  if (process.getuid?.() === 0) args.push('--no-sandbox');
  return runTests({
    vscodeExecutablePath: desktop.executable ?? (await downloadAndUnzipVSCode('stable')),
    extensionDevelopmentPath: run.extension,
    extensionTestsPath: run.suite,
    launchArgs: args,
    extensionTestsEnv: { HOME: run.world.home, GNUPGHOME: run.world.gnupgHome, ...run.env },
  }).catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    return 1;
  });
}
