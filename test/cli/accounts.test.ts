import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { packPackage, startTestRegistry } from '../helpers/registry.ts';
import type { TestRegistry } from '../helpers/registry.ts';

/**
 * The account commands against a real registry: register, login (the
 * session traded for a kept API token), whoami, token create|list|revoke,
 * logout — and that what login keeps is what publish then uses.
 */
describe('aam-trust register, login, whoami, token and logout', () => {
  let registry: TestRegistry;
  const password = { AAM_REGISTRY_PASSWORD: 'a long passphrase' };
  const credentials = () => join(registry.home, '.aam', 'credentials.yaml');

  before(async () => {
    registry = await startTestRegistry({ name: 'team' });
    await registry.writeConfig();
  });
  after(async () => registry?.close());

  it('registers an account; the password comes from the prompt or $AAM_REGISTRY_PASSWORD', async () => {
    const missing = await registry.run(['register', '--username', 'alice', '--email', 'alice@example.org']);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /A password is needed/);
    const made = await registry.run(['register', '--username', 'alice', '--email', 'alice@example.org'], password);
    assert.equal(made.code, 0, made.stderr);
    assert.match(made.stdout, /✓ Registered alice on team/);
    const again = await registry.run(['register', '--username', 'alice', '--email', 'other@example.org'], password);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /HTTP 409 user_exists/);
  });

  it('refuses a wrong password and keeps nothing', async () => {
    const wrong = await registry.run(['login', '--username', 'alice'], { AAM_REGISTRY_PASSWORD: 'not it at all' });
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, /HTTP 401 invalid_credentials.*Wrong username or password/);
    await assert.rejects(readFile(credentials(), 'utf8'), { code: 'ENOENT' });
  });

  it('logs in: an API token kept in credentials.yaml (0600), the session ended; publish uses it', async () => {
    const login = await registry.run(['login', '--username', 'alice', '--expires', '30'], password);
    assert.equal(login.code, 0, login.stderr);
    assert.match(
      login.stdout,
      /✓ Logged in to team as alice: token "aam-trust on .*" \(publish, yank, expires 20\d\d-/,
    );
    const text = await readFile(credentials(), 'utf8');
    assert.match(text, /tokens:\n {2}team:\n {4}token: aam_[A-Za-z0-9_-]{43}\n/);
    assert.equal((await stat(credentials())).mode & 0o777, 0o600);
    const whoami = await registry.run(['whoami']);
    assert.equal(whoami.code, 0, whoami.stderr);
    assert.match(
      whoami.stdout,
      /^alice on team \(http:\/\/127\.0\.0\.1:\d+\)\n {2}token aam-trust on .* \(publish, yank\)/,
    );
    // Only the kept token is live: the login's session was revoked.
    const { rows } = await registry.server.db.query<{ kind: string }>(
      `SELECT kind FROM api_tokens WHERE revoked_at IS NULL AND user_id = (SELECT id FROM users WHERE username = 'alice')`,
    );
    assert.deepEqual(
      rows.map((r) => r.kind),
      ['api'],
    );
    await registry.client(/token: (\S+)/.exec(text)![1]).publish(await packPackage('@alice/tool', '1.0.0'), []);
  });

  it('creates a token for CI (printed once), lists tokens without them, and revokes one', async () => {
    const created = await registry.run(['token', 'create', '--name', 'ci', '--scope', 'publish'], password);
    assert.equal(created.code, 0, created.stderr);
    const token = created.stdout.trim();
    assert.match(token, /^aam_[A-Za-z0-9_-]{43}$/);
    assert.match(created.stderr, /Token "ci" for alice \(publish; id [0-9a-f-]{36}\)\. It is shown once/);
    const id = /id ([0-9a-f-]{36})/.exec(created.stderr)![1]!;
    const list = await registry.run(['token', 'list']);
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, new RegExp(`^ci {2}\\(publish\\) {2}id ${id} {2}does not expire`, 'm'));
    assert.match(list.stdout, /^aam-trust on .* \(publish, yank\)/m);
    assert.ok(!list.stdout.includes(token), 'a token is never listed');
    const json = JSON.parse((await registry.run(['token', 'list', '--json'])).stdout) as { tokens: { id: string }[] };
    assert.equal(json.tokens.length, 2);
    const revoked = await registry.run(['token', 'revoke', id]);
    assert.equal(revoked.code, 0, revoked.stderr);
    await assert.rejects(registry.client(token).publish(await packPackage('@alice/tool', '1.0.1'), []), /HTTP 401/);
    const unknown = await registry.run(['token', 'revoke', id]);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /HTTP 404 token_not_found/);
    const badScope = await registry.run(['token', 'create', '--scope', 'root'], password);
    assert.equal(badScope.code, 2);
  });

  it('logs out: the kept token is revoked on the registry and dropped from credentials.yaml', async () => {
    const kept = /token: (\S+)/.exec(await readFile(credentials(), 'utf8'))![1]!;
    const out = await registry.run(['logout']);
    assert.equal(out.code, 0, out.stderr);
    assert.match(out.stdout, /✓ Logged out of team \(token "aam-trust on .*" of alice revoked\)/);
    assert.doesNotMatch(await readFile(credentials(), 'utf8'), /team:/);
    await assert.rejects(registry.client(kept).publish(await packPackage('@alice/tool', '1.0.2'), []), /HTTP 401/);
    const whoami = await registry.run(['whoami']);
    assert.equal(whoami.code, 1);
    assert.match(whoami.stderr, /You are not logged in to registry "team"/);
    assert.match((await registry.run(['logout'])).stdout, /Not logged in to team/);
  });
});
