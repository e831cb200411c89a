import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Runner } from '../../src/action/runner.ts';
import { runAction } from '../../src/action/main.ts';
import { LocalRegistry } from '../../src/core/registry/local-registry.ts';
import { useLocalSigstore } from '../helpers/sigstore.ts';
import { fakeToken, useTokenSink } from '../helpers/token-sink.ts';
import { tempDir } from '../helpers/temp.ts';

/** The lines of a step's log that hold `secret` without registering it as one. */
function unmasked(log: string, secret: string): string[] {
  return log.split('\n').filter((line) => line.includes(secret) && line !== `::add-mask::${secret}`);
}

/**
 * The Action's publish, run in-process as the runner runs it: the workflow's
 * OIDC token and SIGSTORE_ID_TOKEN are registered with `::add-mask::` before
 * anything could print them, and the project config (the repository's, a
 * pull request's) is loaded restricted and cannot pick the Sigstore instance.
 */
describe('the GitHub Action publish: the identity token and the project config', () => {
  const local = useLocalSigstore();
  const sink = useTokenSink();
  // GitHub's ACTIONS_ID_TOKEN_REQUEST_URL answering a token @sigstore/sign cannot read (email, not verified).
  const unreadable = fakeToken({
    iss: 'https://token.actions.githubusercontent.com',
    sub: 'repo:acme/tools:ref:refs/heads/main',
    aud: 'sigstore',
    exp: 4102444800,
    email: 'release@acme.example',
  });
  let oidc: Server;
  let oidcUrl = '';
  before(async () => {
    oidc = createServer((_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ value: unreadable }));
    });
    await new Promise<void>((resolve) => oidc.listen(0, '127.0.0.1', resolve));
    oidcUrl = `http://127.0.0.1:${(oidc.address() as { port: number }).port}/token`;
  });
  after(() => oidc.close());

  /** A runner's home (global config: registry `local`, the local Sigstore) and a workspace holding a package. */
  async function world() {
    const root = await tempDir('aam-action-secrets-');
    const home = join(root, 'home');
    const ws = join(root, 'ws');
    await mkdir(join(home, '.aam'), { recursive: true });
    await mkdir(join(ws, 'prompts'), { recursive: true });
    const registry = await LocalRegistry.create(join(root, 'reg'), { name: 'local' });
    await writeFile(join(root, 'trusted_root.json'), JSON.stringify(local.instance().trustedRoot()));
    await writeFile(
      join(home, '.aam', 'config.yaml'),
      `registries:\n  - name: local\n    url: ${pathToFileURL(join(root, 'reg')).href}\n    type: local\n    default: true\n` +
        `security:\n  sigstore_endpoint: ${local.instance().url}\n  sigstore_trusted_root: ${join(root, 'trusted_root.json')}\n`,
    );
    await writeFile(
      join(ws, 'aam.yaml'),
      'name: greet\nversion: 1.0.0\ndescription: Greets\nartifacts:\n  prompts:\n    - name: hi\n      path: prompts/hi.md\n      description: Hi\n',
    );
    await writeFile(join(ws, 'prompts', 'hi.md'), 'Hello.\n');
    const run = async (env: Record<string, string>) => {
      let log = '';
      const runner = new Runner(
        { HOME: home, GITHUB_WORKSPACE: ws, RUNNER_TEMP: root, INPUT_COMMAND: 'publish', ...env },
        (text) => void (log += text),
      );
      return { code: await runAction(runner), log };
    };
    return { root, ws, registry, run };
  }

  it('masks the token it fetches before anything else, and no annotation quotes it when it cannot be read', async () => {
    const { run } = await world();
    const step = await run({ ACTIONS_ID_TOKEN_REQUEST_URL: oidcUrl, ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'runner-bearer' });
    assert.notEqual(step.code, 0);
    assert.ok(step.log.startsWith(`::add-mask::${unreadable}\n`), step.log.slice(0, 200));
    assert.deepEqual(unmasked(step.log, unreadable), []);
    assert.match(
      step.log,
      /^::error title=AAM Trust publish::The identity token has an email claim that its issuer has not verified/m,
    );
  });

  it('masks the workflow token of a publish that succeeds', async () => {
    const { run, registry } = await world();
    const request = local.instance().actionsIdTokenRequest('acme/tools');
    const step = await run({
      ACTIONS_ID_TOKEN_REQUEST_URL: request.url,
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: request.token,
    });
    assert.equal(step.code, 0, step.log);
    const masked = /^::add-mask::(eyJ\S+)$/m.exec(step.log)?.[1];
    assert.ok(masked, `no ::add-mask:: line:\n${step.log}`);
    assert.ok(step.log.startsWith(`::add-mask::${masked}\n`));
    assert.deepEqual(unmasked(step.log, masked), []);
    assert.equal((await registry.metadata('greet'))?.versions.length, 1);
  });

  it('masks SIGSTORE_ID_TOKEN first thing, whatever the command', async () => {
    const { run } = await world();
    for (const command of ['publish', 'verify']) {
      const step = await run({ INPUT_COMMAND: command, SIGSTORE_ID_TOKEN: unreadable });
      assert.ok(step.log.startsWith(`::add-mask::${unreadable}\n`), `${command}: ${step.log.slice(0, 200)}`);
      assert.deepEqual(unmasked(step.log, unreadable), [], command);
    }
  });

  it('refuses a sigstore_endpoint from the project config, naming it, and sends the token nowhere', async () => {
    const { ws, registry, run } = await world();
    await mkdir(join(ws, '.aam'), { recursive: true });
    await writeFile(join(ws, '.aam', 'config.yaml'), `security:\n  sigstore_endpoint: ${sink.url()}\n`);
    const request = local.instance().actionsIdTokenRequest('acme/tools');
    const step = await run({
      ACTIONS_ID_TOKEN_REQUEST_URL: request.url,
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: request.token,
    });
    assert.equal(step.code, 1, step.log);
    assert.match(step.log, /^::error title=AAM Trust publish::.*sets security\.sigstore_endpoint to http:\/\/127/m);
    assert.equal(sink.seen.length, 0, sink.seen.join('\n'));
    assert.equal(await registry.metadata('greet'), undefined);
  });

  it('loads the project config restricted: a project entry that redefines a global registry name does not apply', async () => {
    const { root, ws, registry, run } = await world();
    const decoy = await LocalRegistry.create(join(root, 'decoy'), { name: 'local' });
    await mkdir(join(ws, '.aam'), { recursive: true });
    await writeFile(
      join(ws, '.aam', 'config.yaml'),
      `registries:\n  - name: local\n    url: ${pathToFileURL(join(root, 'decoy')).href}\n    type: local\n    default: true\n`,
    );
    const request = local.instance().actionsIdTokenRequest('acme/tools');
    const step = await run({
      ACTIONS_ID_TOKEN_REQUEST_URL: request.url,
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: request.token,
    });
    assert.equal(step.code, 0, step.log);
    assert.equal((await registry.metadata('greet'))?.versions.length, 1, 'published where the global config says');
    assert.equal(await decoy.metadata('greet'), undefined, 'not where the project config says');
  });
});
