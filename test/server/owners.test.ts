import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { packDirectory } from '../../src/core/package/pack.ts';
import { HttpRegistry } from '../../src/core/registry/http-registry.ts';
import { startRegistryServer } from '../../src/server/serve.ts';
import type { RunningRegistry } from '../../src/server/serve.ts';
import { createToken } from '../../src/server/tokens.ts';
import { cli } from '../helpers/cli.ts';
import { tempDir } from '../helpers/temp.ts';

/**
 * Ownership decides who may publish, yank and tag; a transfer is one of the
 * audit log's events (seeds, Layer 4), appended with the change itself.
 */
describe('package ownership on an HTTP registry', () => {
  let server: RunningRegistry;
  let root: string;
  let home: string;
  const tokens: Record<string, string> = {};
  const as = (user: string) => (args: string[]) =>
    cli(args, { cwd: root, home, env: { AAM_REGISTRY_TOKEN: tokens[user]! } });
  const archive = async (version: string) => {
    const dir = join(root, `pkg-${version}`);
    await mkdir(join(dir, 'prompts'), { recursive: true });
    await writeFile(
      join(dir, 'aam.yaml'),
      `name: "@acme/tool"\nversion: ${version}\ndescription: Tool\nartifacts:\n  prompts:\n    - name: p\n      path: prompts/p.md\n      description: P\n`,
    );
    await writeFile(join(dir, 'prompts', 'p.md'), `# ${version}\n`);
    return (await packDirectory(dir)).bytes;
  };
  const registryAs = (user: string) => new HttpRegistry('corp', server.url, { token: async () => tokens[user] });

  before(async () => {
    root = await tempDir('aam-owners-');
    home = join(root, 'home');
    await mkdir(join(home, '.aam'), { recursive: true });
    server = await startRegistryServer({ dataDir: join(root, 'registry'), name: 'corp' });
    for (const user of ['alice', 'bob', 'mallory'])
      tokens[user] = (await createToken(server.db, { user, scopes: ['publish', 'yank'] })).token;
    await writeFile(
      join(home, '.aam', 'config.yaml'),
      `registries:\n  - name: corp\n    url: ${server.url}\n    type: http\n    default: true\n`,
    );
    await registryAs('alice').publish(await archive('1.0.0'), []);
  });
  after(async () => server?.close());

  it('lets only an owner change the owners', async () => {
    const refused = await as('mallory')(['owners', '@acme/tool', '--set', 'mallory']);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /mallory is not an owner of @acme\/tool/);
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
    const audit = await cli(['audit', '@acme/tool'], { cwd: root, home });
    assert.equal(audit.code, 0, audit.stdout + audit.stderr);
    assert.match(audit.stdout, /alice\s+ownership\.transfer\s+\(to: bob, from: alice\)/);
    assert.match(audit.stdout, /bob\s+package\.publish\s+1\.1\.0/);
    assert.match(audit.stdout, /✓ Chain verified: 3 entries/);
  });
});
