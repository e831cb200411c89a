import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sha256Hex } from '../../archive/hash.ts';
import { writeFileAtomic } from '../../fs/atomic-write.ts';

/** Where the evidence cache notes that the archive `digest` was installed from a `.aam` file. */
export function fromFilePath(cacheDir: string, digest: string): string {
  return join(cacheDir, 'from-file', digest.replace(/^sha256:/, ''));
}

/**
 * A content-addressed store of archives and signature files, so packages can
 * be verified without their registry (`verify --offline`). A blob is only
 * ever returned when its bytes still hash to the name it was asked by.
 */
export class EvidenceCache {
  readonly dir: string;

  constructor(dir: string) {
    this.dir = dir;
  }

  pathOf(digest: string): string {
    return join(this.dir, 'sha256', digest.replace(/^sha256:/, ''));
  }

  async get(digest: string): Promise<Buffer | undefined> {
    if (!/^sha256:[0-9a-f]{64}$/.test(digest)) return undefined;
    try {
      const bytes = await readFile(this.pathOf(digest));
      return `sha256:${sha256Hex(bytes)}` === digest ? bytes : undefined;
    } catch {
      return undefined;
    }
  }

  /** The ids (`sha256:…`) of the delegation files kept. */
  async delegationIds(): Promise<Set<string>> {
    const names = await readdir(join(this.dir, 'delegations')).catch(() => [] as string[]);
    return new Set(names.filter((n) => /^[0-9a-f]{64}\.json$/.test(n)).map((n) => `sha256:${n.slice(0, 64)}`));
  }

  /** Keeps a signed delegation or revocation (`delegations/<digest>.json`), which verification reads beside a registry's. */
  async putDelegation(file: { name: string; bytes: Uint8Array }): Promise<void> {
    if (!/^[0-9a-f]{64}\.json$/.test(file.name)) return;
    const path = join(this.dir, 'delegations', file.name);
    const current = await readFile(path).catch(() => undefined);
    if (!current || !current.equals(file.bytes)) await writeFileAtomic(path, file.bytes);
  }

  /**
   * Notes that the archive `digest` was installed here from a `.aam` file: only such an archive is exempt from
   * `allowed_registries` as `source: local`. The lock entry is a pull request's to write, this file is not
   * (diff14-review A2: a lock entry rewritten to `source: local` verified any archive ever cached here).
   */
  async markFromFile(digest: string): Promise<void> {
    if (/^sha256:[0-9a-f]{64}$/.test(digest)) await writeFileAtomic(fromFilePath(this.dir, digest), `${digest}\n`);
  }

  async put(bytes: Uint8Array): Promise<string> {
    const digest = `sha256:${sha256Hex(bytes)}`;
    if (!(await this.get(digest))) await writeFileAtomic(this.pathOf(digest), bytes);
    return digest;
  }
}
