import { execFile, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { loadConfig } from '../../src/core/config/load.ts';
import { packDirectory } from '../../src/core/package/pack.ts';
import { createSignatureVerifier } from '../../src/core/signature/verifier.ts';
import { staticToken } from '../../src/core/sigstore/identity/providers.ts';
import { publishPackage } from '../../src/core/workflows/publish.ts';
import { HttpRegistry } from '../../src/core/registry/http-registry.ts';
import { CHECK_RESPONSES_ENV } from '../../src/server/response-checks.ts';
import { startRegistryServer } from '../../src/server/serve.ts';
import type { RegistryServerOptions, RunningRegistry } from '../../src/server/serve.ts';
import { createToken } from '../../src/server/tokens.ts';
import { appendLeaf, rootOfFrontier, storeNodes } from '../../src/server/audit-tree.ts';
import { appendAudit } from '../../src/server/audit.ts';
import { sha256Hex } from '../../src/core/archive/hash.ts';
import type { Hash } from '../../src/core/registry/merkle.ts';
import type { useLocalSigstore } from './sigstore.ts';
import { cli } from './cli.ts';
import { postgresBin, startPostgres } from './postgres.ts';
import type { TestPostgres } from './postgres.ts';
import { tempDir } from './temp.ts';

export const CLI = join(import.meta.dirname, '..', '..', 'dist', 'cli.js');

/** The spec's limits on publishes, searches and downloads, off: what a test registry starts with. */
export const UNLIMITED = { publish: false, search: false, download: false, write: false } as const;

/** The same for `registry serve` as a process. */
export const UNLIMITED_FLAGS = Object.keys(UNLIMITED).flatMap((kind) => ['--rate-limit', `${kind}=off`]);

/**
 * A registry for a test, in-process, in a fresh folder with a HOME and a
 * project beside it: start it, make tokens, write the client's config, run
 * the CLI against it. Every JSON answer is held to its route's schema.
 */
export interface TestRegistry {
  server: RunningRegistry;
  url: string;
  /** The registry's name (the one clients configure it as). */
  name: string;
  root: string;
  dataDir: string;
  /** The PostgreSQL server's database, when not PGlite. */
  databaseUrl: string | undefined;
  home: string;
  project: string;
  /** Makes an API token for `user` (created if needed) the operator's way. */
  token(user: string, scopes?: string[]): Promise<string>;
  /** A client of the registry, with `token` when given. */
  client(token?: string): HttpRegistry;
  /** ~/.aam/config.yaml naming this registry as the default, with extra YAML after it (a `security:` section, say). */
  writeConfig(extra?: string): Promise<void>;
  /** The CLI, in-process, in the project with this HOME. */
  run(args: string[], env?: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }>;
  /** Restarts on the same folder and port (with other options, e.g. another key). */
  restart(options?: Partial<RegistryServerOptions>): Promise<void>;
  /**
   * A second instance on the same database and blobs, in a folder of its own
   * (`other`, then `other-2`, …): what scaling out runs. It has the first's
   * name and rate limits unless `options` says otherwise. Closed by `close`.
   */
  secondInstance(options?: Partial<RegistryServerOptions>): Promise<RunningRegistry>;
  /** Closes the second instances, then this one. */
  close(): Promise<void>;
}

export async function startTestRegistry(
  options: Partial<RegistryServerOptions> & { postgres?: TestPostgres } = {},
): Promise<TestRegistry> {
  const root = await tempDir('aam-registry-test-');
  const home = join(root, 'home');
  const project = join(root, 'project');
  await mkdir(join(home, '.aam'), { recursive: true });
  await mkdir(join(project, '.aam'), { recursive: true });
  const name = options.name ?? 'corp';
  const { postgres, ...serverOptions } = options;
  const databaseUrl = serverOptions.databaseUrl ?? (await postgres?.createDatabase());
  const base = {
    dataDir: join(root, 'registry'),
    checkResponses: true,
    ...serverOptions,
    // Tests publish and install far more than the spec's limits a minute; a test of a limit sets it.
    rateLimits: { ...UNLIMITED, ...serverOptions.rateLimits },
    databaseUrl,
    name,
  };
  const others: RunningRegistry[] = [];
  const registry: TestRegistry = {
    server: await startRegistryServer(base),
    get url() {
      return this.server.url;
    },
    name,
    root,
    dataDir: base.dataDir,
    databaseUrl,
    home,
    project,
    token: async (user, scopes = ['publish', 'yank']) =>
      (await createToken(registry.server.db, { user, scopes })).token,
    client: (token) => new HttpRegistry(name, registry.url, { token: async () => token, attempts: 1 }),
    writeConfig: (extra = '') =>
      writeFile(
        join(home, '.aam', 'config.yaml'),
        `registries:\n  - name: ${name}\n    url: ${registry.url}\n    type: http\n    default: true\n${extra}`,
      ),
    run: (args, env = {}) => cli(args, { cwd: project, home, env }),
    async restart(changes = {}) {
      const port = Number(new URL(registry.url).port);
      await registry.server.close();
      registry.server = await startRegistryServer({
        ...base,
        port,
        ...changes,
        rateLimits: { ...base.rateLimits, ...changes.rateLimits },
      });
    },
    async secondInstance(changes = {}) {
      if (databaseUrl === undefined) throw new Error('a second instance shares a PostgreSQL server, not PGlite');
      const other = await startRegistryServer({
        dataDir: join(root, others.length === 0 ? 'other' : `other-${others.length + 1}`),
        databaseUrl,
        blobs: base.blobs ?? join(base.dataDir, 'blobs'),
        checkResponses: true,
        name,
        ...changes,
        // The first instance's limits (none, unless the test set some), as for a restart.
        rateLimits: { ...base.rateLimits, ...changes.rateLimits },
      });
      others.push(other);
      return other;
    },
    async close() {
      for (const other of others.splice(0)) await other.close();
      await registry.server.close();
    },
  };
  return registry;
}

/** The engines every registry suite runs on: PGlite always, a PostgreSQL server when it is installed. */
export const ENGINES: { name: string; skip: string | false; start: () => Promise<TestPostgres | undefined> }[] = [
  { name: 'PGlite (embedded)', skip: false, start: async () => undefined },
  {
    name: 'PostgreSQL server',
    skip: (await postgresBin()) === undefined && 'PostgreSQL is not installed',
    start: () => startPostgres(),
  },
];

/**
 * Packs a package made on the spot: one prompt, `body` its text (so two
 * archives of one version can differ), and `manifest` extra aam.yaml lines.
 */
export async function packPackage(
  name: string,
  version: string,
  options: { body?: string; manifest?: string; files?: Record<string, string>; description?: string } = {},
): Promise<Buffer> {
  const dir = await tempDir('aam-pkg-');
  await mkdir(join(dir, 'prompts'), { recursive: true });
  await writeFile(
    join(dir, 'aam.yaml'),
    `name: "${name}"\nversion: ${version}\ndescription: ${options.description ?? `Test ${name}`}\n${options.manifest ?? 'keywords: [testing]\n'}artifacts:\n  prompts:\n    - name: hello\n      path: prompts/hello.md\n      description: Says hello\n`,
  );
  await writeFile(join(dir, 'prompts', 'hello.md'), options.body ?? `# ${name} ${version}\n`);
  for (const [path, text] of Object.entries(options.files ?? {})) await writeFile(join(dir, path), text);
  return (await packDirectory(dir)).bytes;
}

/** `aam-trust registry serve` as its own process (the built CLI); resolves once it prints where it listens. */
export async function serveProcess(
  args: string[],
  env: Record<string, string | undefined> = { PATH: process.env.PATH },
): Promise<{ url: string; process: ChildProcess; output: () => string; stop: () => Promise<void> }> {
  const child = spawn(process.execPath, [CLI, 'registry', 'serve', '--port', '0', ...args], {
    // Every answer the test sees is held to its route's declared schema, as in-process servers' are.
    env: { ...env, [CHECK_RESPONSES_ENV]: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  };
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "Listening on" within 60 s:\n${output}`)), 60_000);
    const read = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /Listening on (https?:\/\/\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    child.stdout.on('data', read);
    child.stderr.on('data', read);
    child.on('exit', (code) => reject(new Error(`registry serve exited (${code}):\n${output}`)));
  });
  return { url, process: child, output: () => output, stop };
}

/** `aam-trust registry token create` as its own process: the token it prints. */
export async function operatorToken(
  args: string[],
  env: Record<string, string | undefined> = { PATH: process.env.PATH },
): Promise<string> {
  const { stdout } = await promisify(execFile)(process.execPath, [CLI, 'registry', 'token', 'create', ...args], {
    env,
  });
  return stdout.trim();
}

/**
 * Rebuilds the audit log's Merkle tree from the entries as they are now in
 * the database, the way a registry that rewrites its history would: every
 * node, the root and the frontier made consistent with the rewritten entries.
 */
export async function rebuildTree(server: RunningRegistry): Promise<void> {
  const { rows } = await server.db.query<{ hash: string }>('SELECT hash FROM audit_log ORDER BY seq');
  await server.db.query('DELETE FROM audit_nodes');
  let frontier: Hash[] = [];
  for (const [size, row] of rows.entries()) {
    const next = appendLeaf(frontier, size, row.hash.trim());
    await storeNodes(server.db, next.nodes);
    frontier = next.frontier;
  }
  await server.db.query('UPDATE audit_head SET root = $1, frontier = $2 WHERE id = 1', [
    rootOfFrontier(frontier),
    Buffer.concat(frontier),
  ]);
}

/**
 * Appends to the audit log a second publish of name@version with `archive`'s
 * checksum, as a registry that served other bytes to someone else would
 * record it: a version logged twice with different archives.
 */
export async function logForkedPublish(
  server: RunningRegistry,
  name: string,
  version: string,
  archive: Uint8Array,
): Promise<void> {
  await server.db.transaction((tx) =>
    appendAudit(tx, {
      event: 'package.publish',
      actor: 'alice',
      package: name,
      version,
      metadata: { checksum: `sha256:${sha256Hex(archive)}`, signature: null, approval: 'not required' },
    }),
  );
}

/**
 * Waits, when needed, until at least `margin` ms are left in the clock's
 * current minute: the registry's rate limits count in fixed windows of whole
 * minutes, so a test that expects the Nth request to be refused must not
 * straddle a window's end (where the count starts again).
 */
export async function awayFromMinuteEnd(margin = 10_000): Promise<void> {
  const left = 60_000 - (Date.now() % 60_000);
  if (left < margin) await new Promise((resolve) => setTimeout(resolve, left + 100));
}

/**
 * Publishes a package of one prompt, NAME@VERSION, to `registry` with
 * `token`: signed through the local Sigstore instance as `signer`, or
 * unsigned without one. Checked with the policy of the registry's HOME.
 */
export async function publishPrompt(
  registry: TestRegistry,
  token: string,
  sigstore: ReturnType<typeof useLocalSigstore>,
  { name, version, signer }: { name: string; version: string; signer?: string | undefined },
): Promise<void> {
  const dir = join(registry.root, 'src', `${name.replace(/\W/g, '_')}-${version}`);
  await mkdir(join(dir, 'prompts'), { recursive: true });
  await writeFile(
    join(dir, 'aam.yaml'),
    `name: "${name}"\nversion: ${version}\ndescription: Tool\nartifacts:\n  prompts:\n    - name: p\n      path: prompts/p.md\n      description: P\n`,
  );
  await writeFile(join(dir, 'prompts', 'p.md'), `# ${name} ${version}\n`);
  const config = await loadConfig({ homeDir: registry.home, projectDir: registry.project, env: {} });
  await publishPackage({
    packageDir: dir,
    registry: registry.client(token),
    signing:
      signer === undefined
        ? undefined
        : {
            method: 'sigstore',
            endpoints: sigstore.endpoints(),
            identityProvider: staticToken(sigstore.instance().mintToken(signer)),
          },
    verifier: createSignatureVerifier(config, registry.home, {}),
  });
}
