import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { access, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type * as S3 from '@aws-sdk/client-s3';
import { sweepTemporaryFiles, tempName, TEMP_DIR } from './blob-temp.ts';

/**
 * Where archives live: content-addressed by SHA-256, so a blob is written
 * once, two instances storing the same archive write the same bytes to the
 * same key, and a blob no version row names yet is harmless.
 */
export interface BlobStore {
  /** Stores `bytes`; returns their key (the hex SHA-256). */
  put(bytes: Buffer): Promise<string>;
  /**
   * The bytes stored under `key` as they are, or undefined when there are none:
   * whoever serves them checks them against the key (`checkedArchive`), and can
   * so tell a blob that is gone from one whose bytes changed.
   */
  get(key: string): Promise<Buffer | undefined>;
  readonly description: string;
  /** Throws unless the store can be written now (for /readyz). */
  ready?(): Promise<void>;
  /** Removes what writers that died midway left behind (at start-up); how many files it removed. */
  sweep?(): Promise<number>;
}

const KEY = /^[0-9a-f]{64}$/;

export function blobKey(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * A folder: `ab/cd/<sha256>`, written under `.tmp/` and renamed into place, so
 * a reader never sees half a blob. A writer killed midway leaves its
 * temporary file there, named after its host and process, for `sweep`.
 */
export class DirBlobStore implements BlobStore {
  readonly root: string;

  constructor(root: string) {
    this.root = root;
  }

  get description(): string {
    return this.root;
  }

  private pathOf(key: string): string {
    if (!KEY.test(key)) throw new Error(`not a blob key: ${key}`);
    return join(this.root, key.slice(0, 2), key.slice(2, 4), key);
  }

  async put(bytes: Buffer): Promise<string> {
    const key = blobKey(bytes);
    const path = this.pathOf(key);
    const existing = await stat(path).catch(() => undefined);
    // Already there (another instance, or the same archive again): kept if it is intact, else written anew.
    if (existing?.size === bytes.length && blobKey((await this.get(key)) ?? Buffer.alloc(0)) === key) return key;
    await mkdir(join(path, '..'), { recursive: true });
    await mkdir(join(this.root, TEMP_DIR), { recursive: true });
    const temp = join(this.root, TEMP_DIR, tempName(key));
    try {
      await writeFile(temp, bytes, { flag: 'wx' });
      await rename(temp, path);
    } finally {
      await rm(temp, { force: true });
    }
    return key;
  }

  async ready(): Promise<void> {
    await mkdir(join(this.root, TEMP_DIR), { recursive: true });
    await access(join(this.root, TEMP_DIR), constants.W_OK);
  }

  async sweep(): Promise<number> {
    return sweepTemporaryFiles(join(this.root, TEMP_DIR));
  }

  async get(key: string): Promise<Buffer | undefined> {
    return readFile(this.pathOf(key)).catch(() => undefined);
  }
}

/**
 * Any S3-compatible endpoint (AWS, MinIO, Ceph, …): `s3://BUCKET[/PREFIX]`.
 * Credentials, region and endpoint come from the AWS SDK's usual sources
 * ($AWS_ACCESS_KEY_ID, $AWS_REGION, $AWS_ENDPOINT_URL_S3 or $AWS_ENDPOINT_URL).
 */
export class S3BlobStore implements BlobStore {
  readonly bucket: string;
  readonly prefix: string;
  private client: Promise<{ send: (command: unknown) => Promise<unknown> }> | undefined;
  private commands: Promise<typeof S3> | undefined;
  private readonly endpoint: string | undefined;

  constructor(url: string, env: Record<string, string | undefined> = process.env) {
    const parsed = /^s3:\/\/([^/]+)\/?(.*)$/.exec(url);
    if (!parsed) throw new Error(`"${url}" is not an s3://BUCKET[/PREFIX] URL.`);
    this.bucket = parsed[1]!;
    this.prefix = parsed[2] ? `${parsed[2].replace(/\/+$/, '')}/` : '';
    this.endpoint = env.AWS_ENDPOINT_URL_S3 ?? env.AWS_ENDPOINT_URL;
  }

  get description(): string {
    return `s3://${this.bucket}/${this.prefix}${this.endpoint ? ` at ${this.endpoint}` : ''}`;
  }

  private async sdk() {
    this.commands ??= import('@aws-sdk/client-s3');
    const sdk = await this.commands;
    this.client ??= Promise.resolve(
      new sdk.S3Client({
        ...(this.endpoint ? { endpoint: this.endpoint, forcePathStyle: true } : {}),
        region: process.env.AWS_REGION ?? 'us-east-1',
      }) as unknown as { send: (command: unknown) => Promise<unknown> },
    );
    return { sdk, client: await this.client };
  }

  async put(bytes: Buffer): Promise<string> {
    const key = blobKey(bytes);
    const { sdk, client } = await this.sdk();
    await client.send(
      new sdk.PutObjectCommand({
        Bucket: this.bucket,
        Key: this.prefix + key,
        Body: bytes,
        ContentType: 'application/octet-stream',
      }),
    );
    return key;
  }

  async ready(): Promise<void> {
    const { sdk, client } = await this.sdk();
    await client.send(new sdk.HeadBucketCommand({ Bucket: this.bucket }));
  }

  async get(key: string): Promise<Buffer | undefined> {
    if (!KEY.test(key)) return undefined;
    const { sdk, client } = await this.sdk();
    try {
      const answer = (await client.send(new sdk.GetObjectCommand({ Bucket: this.bucket, Key: this.prefix + key }))) as {
        Body?: { transformToByteArray(): Promise<Uint8Array> };
      };
      return Buffer.from((await answer.Body?.transformToByteArray()) ?? new Uint8Array());
    } catch (error) {
      if ((error as { name?: string }).name === 'NoSuchKey') return undefined;
      throw error;
    }
  }
}

export function openBlobStore(spec: string | undefined, dataDir: string): BlobStore {
  if (spec?.startsWith('s3://')) return new S3BlobStore(spec);
  return new DirBlobStore(spec ?? join(dataDir, 'blobs'));
}
