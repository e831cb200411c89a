import { constants } from 'node:fs';
import { access, chmod, readdir, writeFile } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import type { SuiteRun } from './results.ts';

/** A desktop VS Code to run the suites in, or why there is none. */
export type DesktopVsCode = { executable: string; from: string } | { unavailable: string };

/** How long the download may go without receiving anything (the version query included). */
const DOWNLOAD_IDLE_MS = 10_000;

/**
 * Finds a desktop VS Code: the one VSCODE_EXECUTABLE names, else the newest
 * in @vscode/test-electron's cache (`.vscode-test` in the repository, where
 * it downloads to), else the current stable one downloaded into that cache.
 * On Linux it also needs a display: DISPLAY, or xvfb-run to make one.
 */
export async function desktopVsCode(repo: string, outputDir: string): Promise<DesktopVsCode> {
  let found: { executable: string; from: string };
  if (process.env.VSCODE_EXECUTABLE) found = { executable: process.env.VSCODE_EXECUTABLE, from: 'VSCODE_EXECUTABLE' };
  else {
    const { downloadAndUnzipVSCode } = await import('@vscode/test-electron');
    const cachePath = join(repo, '.vscode-test');
    const cached = await newestCached(cachePath);
    try {
      const executable = await downloadAndUnzipVSCode({
        version: cached ?? 'stable',
        cachePath,
        timeout: DOWNLOAD_IDLE_MS,
        reporter: { report: () => undefined, error: () => undefined },
      });
      found = { executable, from: cached ? `cached in ${cachePath}` : `downloaded into ${cachePath}` };
    } catch (error) {
      return { unavailable: `no download possible: ${oneLine(error)}` };
    }
  }
  if (process.platform !== 'linux' || process.env.DISPLAY || process.env.WAYLAND_DISPLAY) return found;
  const xvfbRun = await onPath('xvfb-run');
  if (!xvfbRun) return { unavailable: 'no display: DISPLAY is unset and xvfb-run is not installed' };
  // runTests starts the executable it is given: a script that starts VS Code on a virtual display.
  const wrapper = join(outputDir, 'vscode-on-xvfb.sh');
  await writeFile(wrapper, `#!/bin/sh\nexec '${xvfbRun}' -a '${found.executable}' "$@"\n`);
  await chmod(wrapper, 0o755);
  return { executable: wrapper, from: `${found.from}, on a virtual display (xvfb-run)` };
}

/** @vscode/test-electron's name for this machine's platform (its `systemDefaultPlatform`). */
const PLATFORM =
  process.platform === 'darwin'
    ? process.arch === 'arm64'
      ? 'darwin-arm64'
      : 'darwin'
    : process.platform === 'win32'
      ? `win32-${process.arch === 'arm64' ? 'arm64' : 'x64'}-archive`
      : process.arch === 'arm64'
        ? 'linux-arm64'
        : process.arch === 'arm'
          ? 'linux-armhf'
          : 'linux-x64';

/** The newest complete copy for this machine in @vscode/test-electron's cache (folders `vscode-<platform>-<version>`). */
async function newestCached(cachePath: string): Promise<string | undefined> {
  const versions: number[][] = [];
  for (const entry of await readdir(cachePath).catch(() => [])) {
    const match = /^vscode-(.+)-(\d+)\.(\d+)\.(\d+)$/.exec(entry);
    if (match?.[1] === PLATFORM && (await exists(join(cachePath, entry, 'is-complete'))))
      versions.push(match.slice(2).map(Number));
  }
  versions.sort((a, b) => b[0]! - a[0]! || b[1]! - a[1]! || b[2]! - a[2]!);
  return versions[0]?.join('.');
}

async function onPath(command: string): Promise<string | undefined> {
  for (const dir of (process.env.PATH ?? '').split(delimiter).filter(Boolean))
    if (await exists(join(dir, command), constants.X_OK)) return join(dir, command);
  return undefined;
}

const exists = (path: string, mode = constants.F_OK) =>
  access(path, mode).then(
    () => true,
    () => false,
  );

const oneLine = (error: unknown) =>
  (error instanceof Error ? error.message : String(error)).replace(/\s+/g, ' ').trim();

/**
 * Runs the suite in a desktop VS Code's extension host with
 * @vscode/test-electron. Resolves with the exit code VS Code ends with (the
 * suite's results say why it failed).
 */
export async function runInDesktop(run: SuiteRun, executable: string): Promise<number> {
  const { runTests } = await import('@vscode/test-electron');
  const args = [
    run.world.workspace,
    '--disable-workspace-trust',
    '--disable-extensions',
    `--user-data-dir=${join(run.world.root, 'vscode-data')}`,
  ];
  // Electron refuses to run as root with its sandbox on.
  if (process.getuid?.() === 0) args.push('--no-sandbox');
  return runTests({
    vscodeExecutablePath: executable,
    extensionDevelopmentPath: run.extension,
    extensionTestsPath: run.suite,
    launchArgs: args,
    extensionTestsEnv: { HOME: run.world.home, GNUPGHOME: run.world.gnupgHome, ...run.env },
  }).catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    return 1;
  });
}
