import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { packDirectory } from '../../../src/core/package/pack.ts';
import { LocalRegistry } from '../../../src/core/registry/local-registry.ts';
import { readYamlMapping } from '../../../src/core/yaml/io.ts';
import { isAamError } from '../../../src/core/errors.ts';
import { makeWorld } from '../../helpers/workspace.ts';

describe('local registry', () => {
  it('publishes in the AAM CLI layout: archive, metadata.yaml and index.yaml', async () => {
    const world = await makeWorld();
    const packed = await packDirectory(await world.makePackage('@acme/hello', '1.0.0'));
    const result = await world.registry.publish(packed.bytes, [], { now: new Date('2026-11-01T00:00:00Z') });
    assert.equal(result.archivePath, join(world.registryDir, 'packages', 'acme--hello', 'versions', '1.0.0.aam'));
    const metadata = await readYamlMapping(
      join(world.registryDir, 'packages', 'acme--hello', 'metadata.yaml'),
      'REGISTRY_INVALID',
      'metadata',
    );
    assert.deepEqual(metadata, {
      name: '@acme/hello',
      description: 'Test package @acme/hello',
      author: null,
      license: null,
      repository: null,
      keywords: [],
      dist_tags: { latest: '1.0.0' },
      versions: [
        {
          version: '1.0.0',
          published: '2026-11-01T00:00:00.000Z',
          checksum: packed.checksum,
          size: packed.bytes.length,
          dependencies: {},
        },
      ],
    });
    const index = await readYamlMapping(join(world.registryDir, 'index.yaml'), 'REGISTRY_INVALID', 'index');
    assert.deepEqual(index, {
      packages: [
        {
          name: '@acme/hello',
          description: 'Test package @acme/hello',
          latest: '1.0.0',
          keywords: [],
          artifact_types: ['prompt'],
          updated_at: '2026-11-01T00:00:00.000Z',
        },
      ],
    });
  });

  it('stores signatures beside the archive and records them in metadata', async () => {
    const world = await makeWorld();
    const packed = await packDirectory(await world.makePackage('hello', '1.0.0'));
    await world.registry.publish(packed.bytes, [
      {
        type: 'gpg',
        bytes: Buffer.from('-----BEGIN PGP SIGNATURE-----'),
        record: {
          fingerprint: 'ABCD1234EF567890ABCD1234EF567890ABCD1234',
          identity: 'Alice <alice@example.com>',
          signed_at: '2026-11-01T00:00:00Z',
        },
      },
    ]);
    assert.deepEqual((await readdir(join(world.registryDir, 'packages', 'hello', 'versions'))).sort(), [
      '1.0.0.aam',
      '1.0.0.aam.asc',
    ]);
    const { entry } = await world.registry.resolve('hello');
    assert.deepEqual(entry.signatures, [
      {
        type: 'gpg',
        fingerprint: 'ABCD1234EF567890ABCD1234EF567890ABCD1234',
        identity: 'Alice <alice@example.com>',
        signed_at: '2026-11-01T00:00:00Z',
        file: '1.0.0.aam.asc',
      },
    ]);
    assert.deepEqual(
      (await world.registry.readSignatures('hello', '1.0.0')).map((s) => [s.type, s.file]),
      [['gpg', '1.0.0.aam.asc']],
    );
  });

  it('refuses to publish the same version twice', async () => {
    const world = await makeWorld();
    const dir = await world.makePackage('hello', '1.0.0');
    await world.registry.publish((await packDirectory(dir)).bytes, []);
    await writeFile(join(dir, 'prompts', 'hello.md'), 'changed');
    await assert.rejects(
      world.registry.publish((await packDirectory(dir)).bytes, []),
      (e) => isAamError(e, 'VERSION_EXISTS') && /Bump the version/.test(e.hint ?? ''),
    );
  });

  it('refuses unsigned publishes when registry.yaml has require_signatures: true', async () => {
    const world = await makeWorld({ requireSignatures: true });
    const packed = await packDirectory(await world.makePackage('hello', '1.0.0'));
    await assert.rejects(
      world.registry.publish(packed.bytes, []),
      (e) => isAamError(e, 'SIGNATURE_REQUIRED') && e.message === 'Package must be signed. Use --sign.',
    );
  });

  it('resolves latest, exact versions, dist-tags and constraints', async () => {
    const world = await makeWorld();
    for (const version of ['1.0.0', '1.2.0', '2.0.0', '1.2.5'])
      await world.registry.publish((await packDirectory(await world.makePackage('hello', version))).bytes, []);
    const resolve = async (spec?: string) => (await world.registry.resolve('hello', spec)).entry.version;
    assert.equal(await resolve(), '2.0.0');
    assert.equal(await resolve('latest'), '2.0.0');
    assert.equal(await resolve('1.2.0'), '1.2.0');
    assert.equal(await resolve('^1.0.0'), '1.2.5');
    assert.equal(await resolve('~1.2.0'), '1.2.5');
    assert.equal(await resolve('>=1.0.0,<1.2.0'), '1.0.0');
    await assert.rejects(
      world.registry.resolve('hello', '3.0.0'),
      (e) => isAamError(e, 'VERSION_NOT_FOUND') && /1.0.0, 1.2.0, 2.0.0, 1.2.5/.test(e.hint ?? ''),
    );
    await assert.rejects(world.registry.resolve('nope'), (e) => isAamError(e, 'PACKAGE_NOT_FOUND'));
  });

  it('lets exactly one of two concurrent publishes of a version win', async () => {
    const world = await makeWorld();
    const a = await packDirectory(await world.makePackage('hello', '1.0.0', { 'prompts/hello.md': 'a' }));
    const b = await packDirectory(await world.makePackage('hello', '1.0.0', { 'prompts/hello.md': 'b' }));
    const results = await Promise.allSettled([
      new LocalRegistry('team', world.registryDir).publish(a.bytes, []),
      new LocalRegistry('team', world.registryDir).publish(b.bytes, []),
    ]);
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
    const rejected = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    assert.ok(isAamError(rejected.reason, 'VERSION_EXISTS'));
    const { entry } = await world.registry.resolve('hello', '1.0.0');
    const stored = await readFile(world.registry.archivePath('hello', '1.0.0'));
    assert.ok([a.checksum, b.checksum].includes(entry.checksum));
    assert.equal(
      `sha256:${(await import('node:crypto')).createHash('sha256').update(stored).digest('hex')}`,
      entry.checksum,
      'the archive on disk is the one metadata describes',
    );
  });

  it('finishes a publish whose process died between writing metadata and index', async () => {
    const world = await makeWorld();
    await world.registry.publish((await packDirectory(await world.makePackage('hello', '1.0.0'))).bytes, []);
    const metadataPath = join(world.registryDir, 'packages', 'hello', 'metadata.yaml');
    const metadata = await readFile(metadataPath, 'utf8');
    const next = metadata.replace('latest: 1.0.0', 'latest: 1.0.0\n  beta: 1.0.0');
    // As the publish left it: journal written, nothing applied yet.
    await writeFile(
      join(world.registryDir, '.publish-journal.json'),
      JSON.stringify({
        writes: [
          { path: metadataPath, content: next },
          { path: join(world.registryDir, 'index.yaml'), content: 'packages: []\n' },
        ],
        removes: [],
      }),
    );
    const reopened = new LocalRegistry('team', world.registryDir);
    assert.equal((await reopened.metadata('hello'))?.dist_tags.beta, '1.0.0');
    assert.deepEqual(await readdir(world.registryDir).then((n) => n.filter((x) => x.startsWith('.'))), []);
  });

  it('reports a missing registry with what to do', async () => {
    await assert.rejects(
      new LocalRegistry('gone', '/nonexistent/registry').settings(),
      (e) => isAamError(e, 'REGISTRY_NOT_FOUND') && /registry "gone"/.test(e.hint ?? ''),
    );
  });
});
