import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureCodeServer } from './tools.ts';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..');

export interface CodeServerOptions {
  folder: string;
  /** HOME for the extension host: its ~/.aam is the global AAM policy. */
  home: string;
  port?: number;
  /** false opens the folder in Restricted Mode (Workspace Trust on, folder not trusted). */
  trusted: boolean;
  env?: Record<string, string>;
  /** Install this .vsix instead of linking the repository as the extension. */
  vsix?: string;
}

export interface RunningCodeServer {
  url: string;
  folderUrl: string;
  process: ChildProcess;
  output: () => string;
  /** The profile folder (--user-data-dir): logs, global storage. */
  dataDir: string;
  stop(): Promise<void>;
}

/** Settings that keep the workbench quiet, so what the user sees is the product. */
const SETTINGS = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'chat.disableAIFeatures': true,
  'chat.commandCenter.enabled': false,
  'telemetry.telemetryLevel': 'off',
  'extensions.autoUpdate': false,
  'extensions.autoCheckUpdates': false,
  'security.workspace.trust.startupPrompt': 'never',
  'security.workspace.trust.untrustedFiles': 'open',
  'git.enabled': false,
  'workbench.enableExperiments': false,
  'files.autoSave': 'off',
};

/**
 * Starts code-server on 127.0.0.1 with this repository installed as an
 * extension (linked, so a rebuild is picked up on reload) and waits until it
 * answers HTTP.
 */
export async function startCodeServer(options: CodeServerOptions): Promise<RunningCodeServer> {
  const bin = await ensureCodeServer();
  const state = await mkdtemp(join(tmpdir(), 'aam-code-server-'));
  const extensions = join(state, 'extensions');
  const data = join(state, 'data');
  await mkdir(extensions, { recursive: true });
  await mkdir(join(data, 'User'), { recursive: true });
  if (options.vsix) await installVsix(bin, options.vsix, extensions, data);
  else await symlink(REPO, join(extensions, 'aam-trust.aam-trust-0.1.0'));
  await writeFile(join(data, 'User', 'settings.json'), JSON.stringify(SETTINGS, null, 2));
  const args = [
    '--auth',
    'none',
    '--bind-addr',
    // Port 0 when none is asked for: code-server takes a free one and says which. (A port found
    // free beforehand could be taken by another process before code-server binds it, and a server
    // that answered there would pass for code-server.)
    `127.0.0.1:${options.port ?? 0}`,
    '--extensions-dir',
    extensions,
    '--user-data-dir',
    data,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-getting-started-override',
  ];
  if (options.trusted) args.push('--disable-workspace-trust');
  args.push(options.folder);
  let output = '';
  const child = spawn(bin, args, {
    env: {
      ...process.env,
      HOME: options.home,
      GNUPGHOME: join(options.home, '.gnupg'),
      PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ''}`,
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const port = options.port ?? (await listeningPort(child, () => output));
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(url, child, () => output);
  const stop = async () => {
    if (child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    try {
      process.kill(-child.pid!, 'SIGTERM');
    } catch {
      // already gone
    }
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
    if (child.exitCode === null) process.kill(-child.pid!, 'SIGKILL');
    // Its profile and extensions folder (the link to this repository is removed, not followed).
    await rm(state, { recursive: true, force: true });
  };
  return {
    url,
    folderUrl: `${url}/?folder=${encodeURIComponent(options.folder)}`,
    process: child,
    output: () => output,
    dataDir: data,
    stop,
  };
}

/** Installs a .vsix the way a user would, with code-server's own --install-extension. */
async function installVsix(bin: string, vsix: string, extensions: string, data: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const child = spawn(bin, ['--install-extension', vsix, '--extensions-dir', extensions, '--user-data-dir', data], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ''}` },
    });
    let output = '';
    child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`Installing ${vsix} failed (${code}):\n${output}`)),
    );
  });
}

async function waitForHttp(url: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`code-server exited (${child.exitCode}):\n${output()}`);
    const ok = await fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(2000) }).then(
      (r) => r.status < 500,
      () => false,
    );
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`code-server did not answer at ${url} within 2 minutes:\n${output()}`);
}

/** The port code-server says it listens on ("HTTP server listening on http://127.0.0.1:PORT/"). */
async function listeningPort(child: ChildProcess, output: () => string): Promise<number> {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    const said = /HTTP server listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(output());
    if (said) return Number(said[1]);
    if (child.exitCode !== null) throw new Error(`code-server exited (${child.exitCode}):\n${output()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`code-server did not say where it listens within 2 minutes:\n${output()}`);
}
