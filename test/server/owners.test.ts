import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { packPackage, startTestRegistry } from '../helpers/registry.ts';
import type { TestRegistry } from '../helpers/registry.ts';

/**
 * Ownership decides who may publish, yank and tag; a transfer is one of the
 * audit log's events (seeds, Layer 4), appended with the change itself.
 */
describe('package ownership on an HTTP registry', () => {
  let registry: TestRegistry;
  const tokens: Record<string, string> = {};
  const as = (user: string) => (args: string[]) => registry.run(args, { AAM_REGISTRY_TOKEN: tokens[user]! });
  const archive = (version: string) => packPackage('@acme/tool', version);
  const registryAs = (user: string) => registry.client(tokens[user]);

  before(async () => {
    registry = await startTestRegistry({ name: 'corp' });
    // `admin` manages owners (spec §6.2.2); publish alone does not.
    for (const user of ['alice', 'bob', 'mallory'])
      tokens[user] = await registry.token(user, ['publish', 'yank', 'admin']);
    tokens.alicePublishOnly = await registry.token('alice', ['publish', 'yank']);
    await registry.writeConfig();
    await registryAs('alice').publish(await archive('1.0.0'), []);
  });
  after(async () => registry?.close());

  it('lets only an owner change the owners', async () => {
    const refused = await as('mallory')(['owners', '@acme/tool', '--set', 'mallory']);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /mallory is not an owner of @acme\/tool/);
    const publishOnly = await as('alicePublishOnly')(['owners', '@acme/tool', '--set', 'bob']);
    assert.equal(publishOnly.code, 1);
    assert.match(publishOnly.stderr, /the API token has no "admin" scope/);
    assert.match(publishOnly.stderr, /aam-trust token create --scope admin/);
    const unknown = await as('alice')(['owners', '@acme/tool', '--set', 'nobody']);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /No user named nobody/);
    assert.deepEqual(await registryAs('alice').owners('@acme/tool'), ['alice']);
  });

  it('transfers a package: the new owner publishes, the old one no longer can, and the log says so', async () => {
    const transferred = await as('alice')(['owners', '@acme/tool', '--set', 'bob']);
    assert.equal(transferred.code, 0, transferred.stderr);
    assert.match(transferred.stdout, /✓ @acme\/tool on corp is owned by bob/);
    await assert.rejects(registryAs('alice').publish(await archive('1.1.0'), []), /alice is not an owner/);
    await registryAs('bob').publish(await archive('1.1.0'), []);
    const audit = await registry.run(['audit', '@acme/tool']);
    assert.equal(audit.code, 0, audit.stdout + audit.stderr);
    assert.match(audit.stdout, /alice\s+ownership\.transfer\s+\(to: bob, from: alice\)/);
    assert.match(audit.stdout, /bob\s+package\.publish\s+1\.1\.0/);
    assert.match(audit.stdout, /✓ Log verified: 3 entries/);
  });
});
