import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { IncomingMessage, Server } from 'node:http';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { cli } from '../helpers/cli.ts';
import { startTestRegistry } from '../helpers/registry.ts';
import type { TestRegistry } from '../helpers/registry.ts';
import { tempDir } from '../helpers/temp.ts';

/**
 * A registry token or password goes only to the URL it belongs to. A
 * project's .aam/config.yaml (a cloned repository, a pull request) can give
 * any registry name any URL: the token the user keeps for their "corp", the
 * CI's $AAM_REGISTRY_TOKEN and the password typed at `login` must not follow
 * it there, nor cross the network in clear text. Tokens that belong where
 * they are sent keep working: login's, an older credentials.yaml without a
 * URL for the global config's registry, and a CI secret for the project's
 * own registry on a runner without a global config.
 */

const SECRET = 'aam_corp_secret_token_0123456789';
const PASSWORD = 'correct horse battery staple';
const CORP = 'https://aam.corp.example';

/** A host that answers like an empty registry and records every Authorization header and body it is sent. */
async function hostileRegistry(): Promise<{ url: string; seen: string[]; server: Server }> {
  const seen: string[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    if (req.headers.authorization) seen.push(req.headers.authorization);
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      if (body) seen.push(body);
      res.setHeader('content-type', 'application/json');
      if (req.method === 'GET' && req.url === '/api/v1/registry') {
        res.end(JSON.stringify({ name: 'corp', require_signatures: false }));
        return;
      }
      res.statusCode = req.method === 'GET' ? 404 : 500;
      res.end(JSON.stringify({ error: req.method === 'GET' ? 'not_found' : 'internal', message: 'thanks' }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, seen, server };
}

const registries = (name: string, url: string) =>
  `registries:\n  - name: ${name}\n    url: ${url}\n    type: http\n    default: true\n`;

/** A HOME with `global` as ~/.aam/config.yaml (none if undefined), a repository with `project` as its .aam/config.yaml, and a package in it. */
async function world(options: { global?: string; project?: string; credentials?: string; pkg?: string }) {
  const root = await tempDir('cred-bound-');
  const home = join(root, 'home');
  const project = join(root, 'repo');
  await mkdir(join(home, '.aam'), { recursive: true });
  await mkdir(join(project, '.aam'), { recursive: true });
  await mkdir(join(project, 'skills', 'greet'), { recursive: true });
  if (options.global !== undefined) await writeFile(join(home, '.aam', 'config.yaml'), options.global);
  if (options.project !== undefined) await writeFile(join(project, '.aam', 'config.yaml'), options.project);
  if (options.credentials !== undefined)
    await writeFile(join(home, '.aam', 'credentials.yaml'), options.credentials, { mode: 0o600 });
  await writeFile(
    join(project, 'aam.yaml'),
    `name: ${options.pkg ?? 'greet'}\nversion: 1.0.0\ndescription: Greets\nartifacts:\n  skills:\n    - name: greet\n      path: skills/greet\n      description: Greets\n`,
  );
  await writeFile(join(project, 'skills', 'greet', 'SKILL.md'), '---\nname: greet\ndescription: Greets\n---\nHello.\n');
  const run = (args: string[], env: Record<string, string> = {}) => cli(args, { cwd: project, home, env });
  return { home, project, run };
}

const legacyCredentials = (name: string, token: string) =>
  `tokens:\n  ${name}:\n    token: "${token}"\n    created_at: "2026-01-01T00:00:00Z"\n`;

describe('registry credentials are bound to the registry URL they belong to', () => {
  let hostile: Awaited<ReturnType<typeof hostileRegistry>>;
  const leaked = (from: number, secret = SECRET) => hostile.seen.slice(from).filter((s) => s.includes(secret));
  before(async () => {
    hostile = await hostileRegistry();
  });
  after(() => hostile.server.close());

  it('when a project gives a global registry name another URL, publish sends it no token from credentials.yaml or $AAM_REGISTRY_TOKEN_<NAME>', async () => {
    const w = await world({
      global: registries('corp', CORP),
      project: registries('corp', hostile.url),
      credentials: legacyCredentials('corp', SECRET),
    });
    const from = hostile.seen.length;
    const kept = await w.run(['publish', '.']);
    assert.deepEqual(leaked(from), [], 'the token kept for corp went to the project URL');
    assert.equal(kept.code, 1);
    assert.match(
      kept.stderr,
      new RegExp(`"corp" is ${CORP} in .*config\\.yaml, but the project's config gives it ${hostile.url}`),
    );
    const named = await w.run(['publish', '.'], { AAM_REGISTRY_TOKEN_CORP: SECRET });
    assert.deepEqual(leaked(from), [], '$AAM_REGISTRY_TOKEN_CORP went to the project URL');
    assert.match(
      named.stderr,
      /\$AAM_REGISTRY_TOKEN_CORP \(kept for "corp" at https:\/\/aam\.corp\.example\), the token in credentials\.yaml .* is not sent there/,
    );
  });

  it('a token login kept with its URL is not sent to another URL under the same name', async () => {
    const w = await world({
      project: registries('mirror', hostile.url),
      credentials: `tokens:\n  mirror:\n    token: "${SECRET}"\n    url: https://mirror.example/\n`,
    });
    const from = hostile.seen.length;
    const run = await w.run(['publish', '.']);
    assert.deepEqual(leaked(from), []);
    assert.match(
      run.stderr,
      /the token in credentials\.yaml \(issued for https:\/\/mirror\.example\/\) is not sent there/,
    );
  });

  it('does not send $AAM_REGISTRY_TOKEN to a registry only the project config defines, when the global config has its own', async () => {
    const w = await world({ global: registries('corp', CORP), project: registries('mirror', hostile.url) });
    const from = hostile.seen.length;
    const run = await w.run(['publish', '.'], { AAM_REGISTRY_TOKEN: SECRET });
    assert.deepEqual(leaked(from), [], '$AAM_REGISTRY_TOKEN (meant for corp) went to the project registry');
    assert.equal(run.code, 1);
    assert.match(run.stderr, /Registry "mirror" \(http:\/\/127\.0\.0\.1:\d+\) is not in .*: \$AAM_REGISTRY_TOKEN/);
    assert.match(run.stderr, /\$AAM_REGISTRY_TOKEN_MIRROR/, 'the hint names the variable that would do');
  });

  it('sends no token in clear text over http:// to a host that is not this machine', async () => {
    const w = await world({ global: registries('corp', 'http://aam.corp.example') });
    const sent: string[] = [];
    const realFetch = globalThis.fetch;
    globalThis.fetch = (async (input: string | URL | Request, init?: RequestInit) => {
      const url = String(input instanceof Request ? input.url : input);
      const auth = new Headers(init?.headers).get('authorization');
      if (auth) sent.push(`${url} ${auth}`);
      if (url.endsWith('/api/v1/registry')) return new Response('{"require_signatures":false}', { status: 200 });
      if ((init?.method ?? 'GET') === 'GET')
        return new Response('{"error":"not_found","message":"x"}', { status: 404 });
      return new Response('{"error":"internal","message":"x"}', { status: 500 });
    }) as typeof fetch;
    let run: Awaited<ReturnType<typeof w.run>>;
    let login: Awaited<ReturnType<typeof w.run>>;
    try {
      run = await w.run(['publish', '.'], { AAM_REGISTRY_TOKEN: SECRET });
      login = await w.run(['login', '--username', 'alice'], { AAM_REGISTRY_PASSWORD: PASSWORD });
    } finally {
      globalThis.fetch = realFetch;
    }
    assert.deepEqual(sent, [], 'the bearer token went over plain http to a remote host');
    assert.equal(run.code, 1);
    assert.match(run.stderr, /http:\/\/aam\.corp\.example: plain http to another host, so an API token is not sent/);
    assert.equal(login.code, 1);
    assert.match(login.stderr, /so a password or token is not sent/);
  });

  it('login refuses a registry the project moved, naming both URLs, and keeps the real token', async () => {
    const w = await world({
      global: registries('corp', CORP),
      project: registries('corp', hostile.url),
      credentials: legacyCredentials('corp', 'aam_the_real_one'),
    });
    const from = hostile.seen.length;
    const run = await w.run(['login', '--username', 'alice', '--registry', 'corp'], {
      AAM_REGISTRY_PASSWORD: PASSWORD,
    });
    assert.deepEqual(leaked(from, PASSWORD), [], `the password for corp was sent to ${hostile.url}`);
    assert.equal(run.code, 1);
    assert.match(
      run.stderr,
      new RegExp(`"corp" is ${CORP} in .*, but the project's \\.aam/config\\.yaml gives it ${hostile.url}`),
    );
    assert.match(run.stderr, /run the command outside this project/);
    assert.match(await readFile(join(w.home, '.aam', 'credentials.yaml'), 'utf8'), /aam_the_real_one/);
    const logout = await w.run(['logout', '--registry', 'corp']);
    assert.equal(logout.code, 1, 'logout neither revokes there nor drops the real token');
    assert.match(await readFile(join(w.home, '.aam', 'credentials.yaml'), 'utf8'), /aam_the_real_one/);
  });

  it('login, register and token create with no --registry do not take a default only the project names', async () => {
    const w = await world({ global: registries('corp', CORP), project: registries('corp-mirror', hostile.url) });
    const from = hostile.seen.length;
    for (const args of [
      ['login', '--username', 'alice'],
      ['register', '--username', 'alice', '--email', 'alice@corp.example'],
      ['token', 'create', '--username', 'alice'],
    ]) {
      const run = await w.run(args, { AAM_REGISTRY_PASSWORD: PASSWORD });
      assert.equal(run.code, 2, run.stderr);
      assert.match(
        run.stderr,
        new RegExp(
          `No registry was named, and the default one, "corp-mirror" at ${hostile.url}, comes from this project's \\.aam/config\\.yaml`,
        ),
      );
      assert.match(run.stderr, /--registry corp-mirror to use that one/);
    }
    assert.deepEqual(leaked(from, PASSWORD), [], `the password was sent to ${hostile.url}`);
    // Named, it is the user's choice (and the prompt names the URL).
    await w.run(['login', '--username', 'alice', '--registry', 'corp-mirror'], { AAM_REGISTRY_PASSWORD: PASSWORD });
    assert.equal(leaked(from, PASSWORD).length, 1);
  });
});

describe('registry credentials that belong where they are sent keep working', () => {
  let registry: TestRegistry;
  before(async () => {
    registry = await startTestRegistry({ name: 'team' });
  });
  after(async () => registry?.close());

  it('login keeps the token with its URL, and publish and whoami use it', async () => {
    await registry.writeConfig();
    const env = { AAM_REGISTRY_PASSWORD: 'a long passphrase' };
    assert.equal((await registry.run(['register', '--username', 'alice', '--email', 'a@example.org'], env)).code, 0);
    const login = await registry.run(['login', '--username', 'alice'], env);
    assert.equal(login.code, 0, login.stderr);
    const text = await readFile(join(registry.home, '.aam', 'credentials.yaml'), 'utf8');
    assert.match(text, new RegExp(`team:\\n {4}token: aam_\\S+\\n {4}url: ${registry.url}\\n`));
    assert.equal((await registry.run(['whoami'])).code, 0);
    const w = await world({ global: registries('team', registry.url) });
    await writeFile(join(w.home, '.aam', 'credentials.yaml'), text, { mode: 0o600 });
    const published = await w.run(['publish', '.']);
    assert.equal(published.code, 0, published.stderr);
  });

  it('a token of an older credentials.yaml (no URL) goes to the URL the global config gives its name', async () => {
    const token = await registry.token('bob');
    const w = await world({
      global: registries('team', `${registry.url}/`),
      credentials: legacyCredentials('team', token),
      pkg: 'hello',
    });
    const published = await w.run(['publish', '.']);
    assert.equal(published.code, 0, published.stderr);
  });

  it('on a runner without a global config, a CI secret publishes to the registry the project defines', async () => {
    const w = await world({ project: registries('team', registry.url), pkg: 'from-ci' });
    const manifest = join(w.project, 'aam.yaml');
    const generic = await w.run(['publish', '.'], { AAM_REGISTRY_TOKEN: await registry.token('carol') });
    assert.equal(generic.code, 0, generic.stderr);
    await writeFile(manifest, (await readFile(manifest, 'utf8')).replace('1.0.0', '1.0.1'));
    const named = await w.run(['publish', '.'], { AAM_REGISTRY_TOKEN_TEAM: await registry.token('carol') });
    assert.equal(named.code, 0, named.stderr);
  });

  it('a token kept without a URL is not sent to a registry only the project defines', async () => {
    const w = await world({
      project: registries('team', registry.url),
      credentials: legacyCredentials('team', await registry.token('dave')),
      pkg: 'not-sent',
    });
    const run = await w.run(['publish', '.']);
    assert.equal(run.code, 1);
    assert.match(
      run.stderr,
      /kept without a URL, so sent only to the URL .* gives "team", which is none\) is not sent there/,
    );
    assert.match(run.stderr, /aam-trust login --registry team/);
  });
});
