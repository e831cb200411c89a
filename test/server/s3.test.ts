import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';
import { sha256Hex } from '../../src/core/archive/hash.ts';
import { HttpRegistry } from '../../src/core/registry/http-registry.ts';
import { operatorToken, packPackage, serveProcess } from '../helpers/registry.ts';
import { tempDir } from '../helpers/temp.ts';

/**
 * Archives in S3-compatible storage: s3rver (a real S3 API on 127.0.0.1)
 * stands in for AWS or MinIO; the registry is the CLI's own process,
 * configured the way the README says (AWS_ENDPOINT_URL, keys, region).
 */
describe('the HTTP registry with its archives in S3-compatible storage', () => {
  let s3: S3rver;
  let env: Record<string, string>;
  let server: Awaited<ReturnType<typeof serveProcess>>;
  let url: string;
  let root: string;

  before(async () => {
    root = await tempDir('aam-s3-');
    s3 = new S3rver({
      port: 0,
      address: '127.0.0.1',
      silent: true,
      directory: join(root, 's3'),
      configureBuckets: [{ name: 'aam-archives', configs: [] }],
    });
    const { port } = await s3.run();
    env = {
      PATH: process.env.PATH ?? '',
      AWS_ENDPOINT_URL: `http://127.0.0.1:${port}`,
      AWS_ACCESS_KEY_ID: 'S3RVER',
      AWS_SECRET_ACCESS_KEY: 'S3RVER',
      AWS_REGION: 'us-east-1',
    };
    server = await serveProcess(
      ['--data', join(root, 'registry'), '--blobs', 's3://aam-archives/team', '--quiet'],
      env,
    );
    url = server.url;
    const output = server.output();
    assert.match(output, /blobs in s3:\/\/aam-archives\/team\/ at http:\/\/127\.0\.0\.1:\d+/);
  });
  after(async () => {
    await server?.stop();
    await s3?.close();
  });

  it('stores the archive under its SHA-256 and serves it back; other bytes under that key are never served', async () => {
    const token = await operatorToken(['--data', join(root, 'registry'), '--user', 'alice'], env);
    const archive = await packPackage('@acme/in-s3', '1.0.0');
    const registry = new HttpRegistry('team', url, { token: async () => token, attempts: 1 });
    await registry.publish(archive, []);
    assert.deepEqual(await registry.readArchive('@acme/in-s3', '1.0.0'), archive);

    const client = new S3Client({
      endpoint: env.AWS_ENDPOINT_URL,
      forcePathStyle: true,
      region: 'us-east-1',
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    });
    const key = `team/${sha256Hex(archive)}`;
    const object = await client.send(new GetObjectCommand({ Bucket: 'aam-archives', Key: key }));
    assert.deepEqual(Buffer.from(await object.Body!.transformToByteArray()), archive);

    await client.send(
      new PutObjectCommand({ Bucket: 'aam-archives', Key: key, Body: Buffer.from('replaced in the bucket') }),
    );
    // This instance checked the bytes when it read them and serves those from memory: never the replaced ones.
    assert.deepEqual(await registry.readArchive('@acme/in-s3', '1.0.0'), archive);
    await server.stop();
    server = await serveProcess(
      ['--data', join(root, 'registry'), '--blobs', 's3://aam-archives/team', '--quiet'],
      env,
    );
    const fresh = new HttpRegistry('team', server.url, { attempts: 1 });
    await assert.rejects(fresh.readArchive('@acme/in-s3', '1.0.0'), /HTTP 500 archive_unavailable.*has changed/);
    // A blob that is gone is said to be missing, with the key to restore.
    await client.send(new DeleteObjectCommand({ Bucket: 'aam-archives', Key: key }));
    await server.stop();
    server = await serveProcess(
      ['--data', join(root, 'registry'), '--blobs', 's3://aam-archives/team', '--quiet'],
      env,
    );
    await assert.rejects(
      new HttpRegistry('team', server.url, { attempts: 1 }).readArchive('@acme/in-s3', '1.0.0'),
      new RegExp(`missing from the blob store \\(blob "${sha256Hex(archive)}"\\)`),
    );
  });
});
