import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readLockFile, readLockLazily } from '../../../src/core/lockfile/lockfile.ts';
import { readRecordedPackages, readTrustRecord } from '../../../src/core/record/trust-record.ts';

const SUM = (c: string) => `sha256:${c.repeat(64)}`;

const LOCK = `lockfile_version: 1
resolved_at: '2026-12-03T13:45:17.028Z'
packages:
  '@acme/one':
    version: 1.0.0
    source: team
    checksum: ${SUM('a').toUpperCase().replace('SHA256', 'sha256')}
    dependencies: {}
    file_checksums: null
    signature:
      type: sigstore
      identity: dev@example.com
      transparency_log:
        log_index: '12'
        url: http://127.0.0.1:1
      bundle_digest: ${SUM('b')}
  '@acme/two':
    version: 2.0.0
    source: team
    checksum: ${SUM('c')}
    dependencies:
      '@acme/one': ^1.0.0
  # a comment between entries
  plain:
    version: 0.1.0
    cosignatures:
    - x
    - y
`;

const RECORD = `record_version: 1
packages:
  '@acme/one':
    version: 1.0.0
    checksum: ${SUM('a')}
    source: team
    signature:
      type: sigstore
      digest: ${SUM('b')}
      identity: dev@example.com
      issuer: https://issuer
    platforms:
    - cursor
    - nowhere
    recorded_at: '2026-12-03T13:45:08.211Z'
  '@acme/bad':
    version: 1.0.0
    checksum: not-a-checksum
    source: team
    signature: null
  '@acme/two':
    version: 2.0.0
    checksum: ${SUM('c')}
    source: team
    signature: null
    recorded_at: '2026-12-03T13:45:08.211Z'
`;

async function withFiles(files: Record<string, string>, body: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'aam-lazy-'));
  try {
    for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
    await body(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The lazy readers against the whole ones: the same names, entries and errors. */
async function agree(lockText: string, recordText: string): Promise<{ lockFails: boolean; recordFails: boolean }> {
  const failed = { lockFails: false, recordFails: false };
  await withFiles({ 'aam-lock.yaml': lockText, 'trust-record.yaml': recordText }, async (dir) => {
    const lockFile = join(dir, 'aam-lock.yaml');
    const recordFile = join(dir, 'trust-record.yaml');
    const whole = await readLockFile(lockFile).then(
      (lock) => ({ ok: true as const, lock }),
      (error: Error) => ({ ok: false as const, message: error.message }),
    );
    const lazy = await readLockLazily(lockFile).then(
      (lock) => ({ ok: true as const, lock }),
      (error: Error) => ({ ok: false as const, message: error.message }),
    );
    assert.equal(lazy.ok, whole.ok);
    failed.lockFails = !whole.ok;
    if (!whole.ok || !lazy.ok) {
      assert.equal(lazy.ok ? '' : lazy.message, whole.ok ? '' : whole.message);
    } else {
      assert.deepEqual(lazy.lock.names, Object.keys(whole.lock.packages));
      for (const name of [...lazy.lock.names, 'constructor', '@acme/none'])
        assert.deepEqual(
          lazy.lock.entry(name),
          Object.hasOwn(whole.lock.packages, name) ? whole.lock.packages[name] : undefined,
        );
    }
    const record = await readTrustRecord(recordFile).catch((error: Error) => error);
    const recorded = await readRecordedPackages(recordFile).catch((error: Error) => error);
    failed.recordFails = record instanceof Error;
    if (record instanceof Error || recorded instanceof Error) {
      assert.equal((recorded as Error).message, (record as Error).message);
      return;
    }
    for (const name of ['@acme/one', '@acme/bad', '@acme/two', '@acme/none'])
      assert.deepEqual(recorded(name), record.packages[name], name);
  });
  return failed;
}

describe('reading a few entries of a lock file or trust record', () => {
  it('gives the names and entries the whole reading gives, built one at a time', async () => {
    assert.deepEqual(await agree(LOCK, RECORD), { lockFails: false, recordFails: false });
  });

  it('still fails on an entry it is not asked for that cannot be read, with the same error', async () => {
    // A flow sequence left open in the last entry: the fast reader leaves it to the full parser, which rejects it.
    const open = await agree(`${LOCK}  broken:\n    version: [1\n`, `${RECORD}  broken:\n    version: "1\n`);
    assert.deepEqual(open, { lockFails: true, recordFails: true });
    // Indentation that is not YAML, deep in an entry of the middle.
    const indented = await agree(
      LOCK.replace('    dependencies:\n', '    dependencies:\n   bad: 1\n'),
      RECORD.replace('    - cursor\n', '    - cursor\n  - odd\n'),
    );
    assert.deepEqual(indented, { lockFails: true, recordFails: true });
    // An entry that is not a mapping (it would hide what is installed under its name), built or not.
    for (const entry of ['  scalar: 3\n', '  listed:\n  - 1\n', '  empty:\n'])
      assert.deepEqual(await agree(LOCK.replace("  '@acme/two':", `${entry}  '@acme/two':`), RECORD), {
        lockFails: true,
        recordFails: false,
      });
  });

  it('reads files that need the full parser (anchors, flow collections) as the whole reading does', async () => {
    await agree(
      LOCK.replace("  '@acme/two':\n    version: 2.0.0", "  '@acme/two': &two\n    version: 2.0.0").concat(
        '  alias: *two\n',
      ),
      RECORD.replace('    - cursor\n    - nowhere\n', '    platforms: [cursor]\n').replace('    platforms:\n', ''),
    );
  });

  it('reads a missing file as no entries', async () => {
    await withFiles({}, async (dir) => {
      const lock = await readLockLazily(join(dir, 'aam-lock.yaml'));
      assert.deepEqual(lock.names, []);
      assert.equal(lock.entry('@acme/one'), undefined);
      assert.equal((await readRecordedPackages(join(dir, 'trust-record.yaml')))('@acme/one'), undefined);
    });
  });
});
