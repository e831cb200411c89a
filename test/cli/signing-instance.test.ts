import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { cli } from '../helpers/cli.ts';
import { useLocalSigstore } from '../helpers/sigstore.ts';
import { useTokenSink } from '../helpers/token-sink.ts';
import { makeWorld } from '../helpers/workspace.ts';

/**
 * A repository's .aam/config.yaml is the repository's (a pull request's) to
 * write; where `publish --sign` sends the publisher's Sigstore identity token
 * (sigstore_endpoint: Fulcio) and where it signs in for one
 * (sigstore_oidc_issuer) is the publisher's alone: the global config or an
 * option given for the run.
 */
describe('aam-trust publish --sign: the Sigstore instance comes from the global config or an option', () => {
  const local = useLocalSigstore();
  const sink = useTokenSink();

  async function setup(globalSecurity = `sigstore_endpoint: ${local.instance().url}`) {
    const w = await makeWorld();
    const root = join(w.root, 'trusted_root.json');
    await writeFile(root, JSON.stringify(local.instance().trustedRoot()));
    await w.writeGlobalConfig(`sigstore_trusted_root: ${root}\n${globalSecurity}`);
    const token = local.instance().mintToken('author@example.com');
    const publish = async (extra: string[] = [], env: Record<string, string> = { SIGSTORE_ID_TOKEN: token }) =>
      cli(['publish', await w.makePackage('greet', '1.0.0'), '--sign', '--signing-method', 'sigstore', ...extra], {
        cwd: w.project,
        home: w.home,
        env,
      });
    return { w, token, publish };
  }

  const leaked = (token: string) => sink.seen.filter((request) => request.includes(token));

  it('when only the project sets sigstore_endpoint, refuses before the token goes anywhere, naming both values', async () => {
    const { w, token, publish } = await setup('');
    await w.writeProjectConfig(`security:\n  sigstore_endpoint: ${sink.url()}\n`);
    const run = await publish();
    assert.equal(run.code, 1, run.stderr);
    assert.deepEqual(leaked(token), [], 'the identity token went to the project config’s endpoint');
    assert.equal(sink.seen.length, 0);
    assert.match(run.stderr, /sets security\.sigstore_endpoint to http:\/\/127\.0\.0\.1:\d+/);
    assert.match(run.stderr, /global config .*config\.yaml does not set it \(the public-good instance\)/);
    assert.match(run.stderr, /move security\.sigstore_endpoint to .*config\.yaml, or pass --sigstore-endpoint http/);
    assert.match(run.stderr, /\(CONFIG_INVALID\)/);
    assert.equal(await w.registry.metadata('greet'), undefined, 'nothing published');
  });

  it('when the project names another endpoint than the global config, refuses (and with --restricted too)', async () => {
    const { w, token, publish } = await setup();
    await w.writeProjectConfig(`security:\n  sigstore_endpoint: ${sink.url()}\n`);
    for (const extra of [[], ['--restricted']]) {
      const run = await publish(extra);
      assert.equal(run.code, 1, run.stderr);
      assert.match(run.stderr, new RegExp(`has ${local.instance().url.replace(/\./g, '\\.')}\\. Signing takes`));
    }
    assert.deepEqual(leaked(token), []);
    assert.equal(await w.registry.metadata('greet'), undefined);
  });

  it('signs when the project repeats the global endpoint, or when --sigstore-endpoint is given', async () => {
    const { w, publish } = await setup();
    await w.writeProjectConfig(`security:\n  sigstore_endpoint: ${local.instance().url}\n`);
    const same = await publish();
    assert.equal(same.code, 0, same.stderr);
    const other = await setup('');
    await other.w.writeProjectConfig(`security:\n  sigstore_endpoint: ${sink.url()}\n`);
    const given = await other.publish(['--sigstore-endpoint', local.instance().url]);
    assert.equal(given.code, 0, given.stderr);
    assert.equal((await other.w.registry.metadata('greet'))?.versions.length, 1);
    assert.equal(sink.seen.length, 0);
  });

  it('when only the project sets sigstore_oidc_issuer, refuses before any sign-in starts', async () => {
    const { w, publish } = await setup();
    await w.writeProjectConfig(`security:\n  sigstore_oidc_issuer: ${sink.url()}/auth\n`);
    const run = await publish([], {});
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.stderr, /sets security\.sigstore_oidc_issuer to http:\/\/127\.0\.0\.1:\d+\/auth/);
    assert.match(run.stderr, /has https:\/\/oauth2\.sigstore\.dev\/auth/);
    assert.match(run.stderr, /or pass --oidc-issuer http/);
    assert.doesNotMatch(run.stderr, /Sign in to|Opening browser/);
    assert.equal(sink.seen.length, 0);
  });

  it('aam-trust sign (a co-signature) refuses the same way', async () => {
    const { w, token, publish } = await setup();
    assert.equal((await publish()).code, 0);
    await w.writeProjectConfig(`security:\n  sigstore_endpoint: ${sink.url()}\n`);
    const run = await cli(['sign', 'greet@1.0.0', '--signing-method', 'sigstore'], {
      cwd: w.project,
      home: w.home,
      env: { SIGSTORE_ID_TOKEN: token },
    });
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.stderr, /sets security\.sigstore_endpoint/);
    assert.deepEqual(leaked(token), []);
  });

  it('run as a GitHub Actions step, masks the workflow token it fetches before anything prints it', async () => {
    const { w, publish } = await setup();
    const request = local.instance().actionsIdTokenRequest('acme/tools');
    const run = await publish([], {
      GITHUB_ACTIONS: 'true',
      ACTIONS_ID_TOKEN_REQUEST_URL: request.url,
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: request.token,
    });
    assert.equal(run.code, 0, run.stderr);
    const masked = /^::add-mask::(eyJ\S+)$/m.exec(run.stderr)?.[1];
    assert.ok(masked, run.stderr);
    assert.ok(!run.stdout.includes(masked));
    assert.equal((await w.registry.metadata('greet'))?.versions.length, 1);
  });
});
