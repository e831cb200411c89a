import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { connect } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { makeGpgHome } from '../helpers/gpg.ts';
import { CLI, serveProcess } from '../helpers/registry.ts';
import { useLocalSigstore } from '../helpers/sigstore.ts';
import { tempDir } from '../helpers/temp.ts';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * The README's path for an HTTP registry, each step its own process, from
 * a fresh HOME: registry serve, token create, publish --sign (Sigstore
 * through the local instance, and GnuPG), install, verify.
 */
describe('aam-trust against its own HTTP registry, from a fresh HOME', () => {
  const local = useLocalSigstore();
  let root: string;
  let home: string;
  let project: string;
  let server: Awaited<ReturnType<typeof serveProcess>>;
  let url: string;
  let gpg: Awaited<ReturnType<typeof makeGpgHome>>;
  const run = async (args: string[], options: { cwd?: string; env?: Record<string, string> } = {}): Promise<Run> => {
    try {
      const { stdout, stderr } = await promisify(execFile)(process.execPath, [CLI, ...args], {
        cwd: options.cwd ?? project,
        env: { PATH: process.env.PATH, HOME: home, GNUPGHOME: gpg.home, ...options.env },
      });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const e = error as { code: number; stdout: string; stderr: string };
      return { code: e.code, stdout: e.stdout, stderr: e.stderr };
    }
  };
  const makePackage = async (name: string, version: string) => {
    const dir = join(root, 'src', `${name.replace(/\W/g, '_')}-${version}`);
    await mkdir(join(dir, 'skills', 'greet'), { recursive: true });
    await writeFile(
      join(dir, 'aam.yaml'),
      `name: "${name}"\nversion: ${version}\ndescription: Greets\nartifacts:\n  skills:\n    - name: greet\n      path: skills/greet\n      description: Greets\n`,
    );
    await writeFile(
      join(dir, 'skills', 'greet', 'SKILL.md'),
      `---\nname: greet\ndescription: Greets\n---\nSay hello (${version}).\n`,
    );
    return dir;
  };

  before(async () => {
    root = await tempDir('aam-http-cli-');
    home = join(root, 'home');
    project = join(root, 'project');
    await mkdir(join(home, '.aam'), { recursive: true });
    await mkdir(project, { recursive: true });
    gpg = await makeGpgHome([{ uid: 'Release <release@example.com>', algo: 'ed25519' }]);
    const trustedRoot = join(root, 'trusted_root.json');
    await writeFile(trustedRoot, JSON.stringify(local.instance().trustedRoot()));
    server = await serveProcess(
      ['--data', join(root, 'registry'), '--name', 'team', '--require-signatures', '--trusted-root', trustedRoot],
      { PATH: process.env.PATH, HOME: home },
    );
    url = server.url;
    const output = server.output();
    assert.match(output, /Registry "team" on embedded PostgreSQL \(PGlite\)/);
    await writeFile(
      join(home, '.aam', 'config.yaml'),
      `registries:\n  - name: team\n    url: ${url}\n    type: http\n    default: true\nsecurity:\n  sigstore_endpoint: ${local.instance().url}\n  sigstore_trusted_root: ${trustedRoot}\n  trusted_identities: ["*@example.com"]\n  trusted_keys: ["${gpg.fingerprints['Release <release@example.com>']}"]\n  gpg_home: ${gpg.home}\n  on_signature_failure: error\n`,
    );
  });
  after(async () => server?.stop());

  it('creates a token while the registry serves; publishing needs one', async () => {
    const created = await run([
      'registry',
      'token',
      'create',
      '--data',
      join(root, 'registry'),
      '--user',
      'alice',
      '--scope',
      'publish',
    ]);
    assert.equal(created.code, 0, created.stderr);
    const token = created.stdout.trim();
    assert.match(token, /^aam_[A-Za-z0-9_-]{43}$/);
    assert.match(created.stderr, /shown once/);
    const credentials = join(home, '.aam', 'credentials.yaml');
    await writeFile(
      credentials,
      `tokens:\n  team:\n    token: "${token}"\n    created_at: "${new Date().toISOString()}"\n`,
    );
    await chmod(credentials, 0o600);
    const publishWithout = await run(
      [
        'publish',
        await makePackage('@acme/nosig', '1.0.0'),
        '--sign',
        '--signing-method',
        'gpg',
        '--gpg-key',
        'release@example.com',
      ],
      { env: { AAM_CREDENTIALS: join(root, 'none.yaml') } },
    );
    assert.equal(publishWithout.code, 1);
    assert.match(publishWithout.stderr, /needs an API token/);
    // Refused before anything is signed: no signature is made (or logged) for a publish that cannot happen.
    assert.doesNotMatch(publishWithout.stdout + publishWithout.stderr, /Signing|signed successfully/);
  });

  it('refuses an unsigned publish to a registry that requires signatures', async () => {
    const unsigned = await run(['publish', await makePackage('@acme/unsigned', '1.0.0')]);
    assert.equal(unsigned.code, 1);
    assert.match(unsigned.stderr, /Package must be signed|requires a signature/);
    const search = (await (await fetch(`${url}/api/v1/packages`)).json()) as { total: number };
    assert.equal(search.total, 0);
  });

  it('publishes signed with Sigstore (local instance) and with GnuPG, installs and verifies both', async () => {
    const sigstore = await run([
      'publish',
      await makePackage('@acme/greeter', '1.0.0'),
      '--sign',
      '--identity-token',
      local.instance().mintToken('author@example.com'),
    ]);
    assert.equal(sigstore.code, 0, sigstore.stderr);
    assert.match(sigstore.stdout, /✓ Published @acme\/greeter@1\.0\.0/);
    const gnupg = await run([
      'publish',
      await makePackage('@acme/notes', '2.0.0'),
      '--sign',
      '--signing-method',
      'gpg',
      '--gpg-key',
      'release@example.com',
    ]);
    assert.equal(gnupg.code, 0, gnupg.stderr);
    assert.match(gnupg.stdout, /Using key: Release <release@example\.com> \([0-9A-F]{40}\)/);
    const installed = await run(['install', '@acme/greeter', '@acme/notes', '--platform', 'claude']);
    assert.equal(installed.code, 0, installed.stderr);
    assert.match(installed.stdout, /✓ @acme\/greeter@1\.0\.0 {2}verified — Signed by author@example\.com/);
    assert.match(installed.stdout, /✓ @acme\/notes@2\.0\.0 {2}verified — Signed by Release/);
    const verified = await run(['verify', '--json']);
    assert.equal(verified.code, 0, verified.stdout + verified.stderr);
    const report = JSON.parse(verified.stdout) as {
      packages: { name: string; source: string; status: string }[];
      summary: { line: string };
    };
    assert.equal(report.summary.line, '2 packages: 2 verified');
    assert.deepEqual(
      report.packages.map((p) => [p.name, p.source]),
      [
        ['@acme/greeter', 'team'],
        ['@acme/notes', 'team'],
      ],
    );
  });

  it('goes through the proxy in $HTTP_PROXY', async () => {
    const tunnels: string[] = [];
    const proxy = createServer();
    proxy.on('connect', (req, client, head) => {
      tunnels.push(req.url ?? '');
      const [host, port] = (req.url ?? '').split(':');
      const upstream = connect(Number(port), host, () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        upstream.write(head);
        upstream.pipe(client);
        client.pipe(upstream);
      });
      upstream.on('error', () => client.destroy());
      client.on('error', () => upstream.destroy());
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    try {
      const address = proxy.address() as { port: number };
      const through = await run(['verify', '--no-cache'], { env: { HTTP_PROXY: `http://127.0.0.1:${address.port}` } });
      assert.equal(through.code, 0, through.stdout + through.stderr);
      assert.ok(
        tunnels.includes(new URL(url).host),
        `the proxy carried the registry's requests: ${tunnels.join(', ')}`,
      );
    } finally {
      proxy.closeAllConnections();
      await new Promise((resolve) => proxy.close(resolve));
    }
  });

  it('verifies offline from the captured evidence once the registry is gone', async () => {
    const prepared = await run(['prepare-offline']);
    assert.equal(prepared.code, 0, prepared.stderr);
    await server.stop();
    const offline = await run(['verify', '--offline', '--no-cache']);
    assert.equal(offline.code, 0, offline.stdout + offline.stderr);
    assert.match(offline.stdout, /2 packages: 2 verified/);
    // Without --offline, an unreachable registry is not a changed one: the captured evidence decides.
    const unreachable = await run(['verify', '--no-cache']);
    assert.equal(unreachable.code, 0, unreachable.stdout + unreachable.stderr);
    assert.match(unreachable.stdout, /2 packages: 2 verified/);
  });
});
