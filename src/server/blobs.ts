import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { access, mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
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
  /**
   * Writes `bytes` where no reader sees them, flushed, before they are allowed
   * in (a folder's store; elsewhere `put` does it all). The slow part of a
   * write is then done outside the publish's transaction.
   */
  stage?(bytes: Buffer): Promise<StagedBlob>;
}

/** Bytes written and flushed under a temporary name, not yet a blob. */
export interface StagedBlob {
  readonly key: string;
  /** Names them under their key, durably (as `put` would, which it falls back to); once, whoever asks again. */
  commit(): Promise<string>;
  /** Removes the temporary file unless they were named (a publish refused or failed). */
  discard(): Promise<void>;
}

const KEY = /^[0-9a-f]{64}$/;

/** Makes a rename in `dir` durable (where the platform lets a folder be opened and synced). */
async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r').catch(() => undefined);
  if (!handle) return;
  try {
    await handle.sync().catch(() => undefined);
  } finally {
    await handle.close();
  }
}

/** Runs `step`; when it fails for a missing folder (ENOENT), makes `dir` and runs it again — not asked for each time: a publish is a few syscalls fewer. */
async function orMake<T>(dir: string, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    await mkdir(dir, { recursive: true });
    return step();
  }
}

/**
 * `bytes` staged in `store` before the publish naming them is allowed in; a
 * store that cannot stage (S3) gets a handle whose commit is the whole `put`,
 * each time it is asked, and whose discard has nothing to remove.
 */
export async function stageBlob(store: BlobStore, bytes: Buffer): Promise<StagedBlob> {
  if (store.stage) return store.stage(bytes);
  return { key: blobKey(bytes), commit: () => store.put(bytes), discard: async () => {} };
}

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
    if (await this.holds(key, bytes.length)) return key;
    const temp = await this.writeTemporary(key, bytes);
    await this.name(key, temp);
    return key;
  }

  async stage(bytes: Buffer): Promise<StagedBlob> {
    const key = blobKey(bytes);
    const temp = (await this.holds(key, bytes.length)) ? undefined : await this.writeTemporary(key, bytes);
    let named: Promise<string> | undefined;
    return {
      key,
      // Named once. When naming fails (the folder, the disk), or the blob was there when staged (checked
      // again now), put does the whole write.
      commit: () => (named ??= temp ? this.name(key, temp).catch(() => this.put(bytes)) : this.put(bytes)),
      discard: async () => {
        if (temp && !named) await rm(temp, { force: true });
      },
    };
  }

  /** Already there (another instance, or the same archive again), and intact: else written anew. */
  private async holds(key: string, size: number): Promise<boolean> {
    const existing = await stat(this.pathOf(key)).catch(() => undefined);
    return existing?.size === size && blobKey((await this.get(key)) ?? Buffer.alloc(0)) === key;
  }

  /** `bytes` in a file of their own under `.tmp/`, flushed to disk: its path. */
  private async writeTemporary(key: string, bytes: Buffer): Promise<string> {
    const temp = join(this.root, TEMP_DIR, tempName(key));
    try {
      // Flushed to disk before it is named, and named durably, before the caller commits the version
      // that points at it: a crash after the commit never leaves a version whose archive is empty.
      const file = await orMake(join(this.root, TEMP_DIR), () => open(temp, 'wx'));
      try {
        await file.writeFile(bytes);
        await file.sync();
      } finally {
        await file.close();
      }
      return temp;
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
  }

  /** The temporary file renamed to its key, and the rename made durable. */
  private async name(key: string, temp: string): Promise<string> {
    const path = this.pathOf(key);
    const folder = join(path, '..');
    try {
      await orMake(folder, () => rename(temp, path));
      await syncDirectory(folder);
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
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
