import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { generateKey } from 'openpgp';
import { sha256 } from '../../src/core/archive/hash.ts';
import { ArmoredKeyring } from '../../src/core/openpgp/keyring.ts';
import { signDetached } from '../../src/core/openpgp/sign.ts';
import { verifyDetachedSignature } from '../../src/core/openpgp/verify.ts';
import { PACKAGE_PREVIOUS, verifyChain } from '../../src/core/registry/audit-log.ts';
import type { AuditEntry, AuditHead } from '../../src/core/registry/audit-log.ts';
import { leafHash, MemoryTree, rootOf, verifyConsistency, verifyInclusion } from '../../src/core/registry/merkle.ts';
import { packDirectory } from '../../src/core/package/pack.ts';
import { HttpRegistry } from '../../src/core/registry/http-registry.ts';
import type { SignatureToStore } from '../../src/core/registry/registry.ts';
import { openDatabase } from '../../src/server/db.ts';
import { migrate } from '../../src/server/schema.ts';
import { postgresBin, startPostgres } from '../helpers/postgres.ts';
import type { TestPostgres } from '../helpers/postgres.ts';
import { operatorToken, packPackage, serveProcess, UNLIMITED_FLAGS } from '../helpers/registry.ts';
import { tempDir } from '../helpers/temp.ts';

/** `aam-trust registry serve` as its own process, quiet; the races here are far more than 10 publishes a minute. */
const serve = (args: string[]) => serveProcess(['--quiet', ...UNLIMITED_FLAGS, ...args]);

async function pack(root: string, name: string, version: string, body: string): Promise<Buffer> {
  const dir = join(root, `${name.replace(/\W/g, '_')}-${version}-${Math.random().toString(36).slice(2)}`);
  await mkdir(join(dir, 'prompts'), { recursive: true });
  await writeFile(
    join(dir, 'aam.yaml'),
    `name: "${name}"\nversion: ${version}\ndescription: Race\nartifacts:\n  prompts:\n    - name: hello\n      path: prompts/hello.md\n      description: Says hello\n`,
  );
  await writeFile(join(dir, 'prompts', 'hello.md'), body);
  return (await packDirectory(dir)).bytes;
}

async function signed(archive: Buffer): Promise<{ signature: SignatureToStore; publicKey: string }> {
  const { privateKey, publicKey } = await generateKey({ userIDs: [{ email: 'racer@example.com' }], format: 'object' });
  const bytes = await signDetached(archive, { key: privateKey, fingerprint: privateKey.getFingerprint(), userIds: [] });
  const armored = publicKey.armor();
  return {
    signature: { type: 'gpg', bytes, record: { signed_at: undefined }, publicKey: armored },
    publicKey: armored,
  };
}

describe(
  'two registry instances on one PostgreSQL database',
  { skip: !(await postgresBin()) && 'PostgreSQL is not installed' },
  () => {
    let postgres: TestPostgres;
    let root: string;
    let a: Awaited<ReturnType<typeof serve>>;
    let b: Awaited<ReturnType<typeof serve>>;
    let token: string;

    before(async () => {
      postgres = await startPostgres();
      const database = await postgres.createDatabase();
      root = await tempDir('aam-scale-');
      const blobs = join(root, 'blobs');
      // Both start at once: the migrations' advisory lock lets one migrate while the other waits.
      [a, b] = await Promise.all([
        serve(['--data', join(root, 'a'), '--database', database, '--blobs', blobs, '--name', 'team']),
        serve(['--data', join(root, 'b'), '--database', database, '--blobs', blobs]),
      ]);
      token = await operatorToken(['--data', join(root, 'a'), '--database', database, '--user', 'alice']);
    });
    it('migrates a fresh database from several instances starting at the same moment', async () => {
      // CREATE TABLE IF NOT EXISTS is not safe against a concurrent one: every step runs under one lock.
      for (let round = 0; round < 6; round++) {
        const url = await postgres.createDatabase();
        const dbs = await Promise.all([1, 2, 3, 4].map(() => openDatabase({ url, dataDir: root })));
        try {
          const versions = await Promise.all(dbs.map((db) => migrate(db)));
          assert.equal(new Set(versions).size, 1);
          const { rows } = await dbs[0]!.query<{ count: number }>(
            'SELECT COUNT(*)::int AS count FROM schema_migrations',
          );
          assert.equal(rows[0]!.count, versions[0]);
        } finally {
          await Promise.all(dbs.map((db) => db.close()));
        }
      }
    });

    after(async () => {
      await Promise.all([a?.stop(), b?.stop()]);
      await postgres?.stop();
    });

    it('exactly one of 16 racing publishes of one version wins, with its own archive and signature', async () => {
      const attempts = await Promise.all(
        Array.from({ length: 16 }, async (_, i) => {
          const archive = await pack(root, '@race/same', '1.0.0', `racer ${i}\n`);
          return { archive, ...(await signed(archive)) };
        }),
      );
      const results = await Promise.allSettled(
        attempts.map((attempt, i) =>
          new HttpRegistry('team', i % 2 === 0 ? a.url : b.url, { token: async () => token, attempts: 1 }).publish(
            attempt.archive,
            [attempt.signature],
          ),
        ),
      );
      const won = results.flatMap((r, i) => (r.status === 'fulfilled' ? [i] : []));
      assert.equal(won.length, 1, `winners: ${won.join(', ')}`);
      for (const r of results)
        if (r.status === 'rejected')
          assert.equal((r.reason as { code?: string }).code, 'VERSION_EXISTS', String(r.reason));
      const winner = attempts[won[0]!]!;
      for (const url of [a.url, b.url]) {
        const registry = new HttpRegistry('team', url);
        const archive = await registry.readArchive('@race/same', '1.0.0');
        assert.deepEqual(archive, winner.archive, `${url} serves the winner's archive`);
        const [signature] = await registry.readSignatures('@race/same', '1.0.0');
        const check = await verifyDetachedSignature(archive, signature!.bytes, new ArmoredKeyring(winner.publicKey));
        assert.equal(check.state, 'valid', `${url} serves the winner's signature with it`);
        assert.equal((await registry.metadata('@race/same'))!.versions.length, 1);
      }
    });

    it('publishes 20 versions through both at once, while both serve installs: none lost, none half-written', async () => {
      const archives = await Promise.all(
        Array.from({ length: 20 }, (_, i) => pack(root, '@race/many', `1.0.${i}`, `version ${i}\n`)),
      );
      const readers = [a.url, b.url].map((url) => new HttpRegistry('team', url));
      let reads = 0;
      let publishing = true;
      // Installs meanwhile: whatever a reader resolves is complete (its archive has the checksum it lists).
      const reading = (async () => {
        while (publishing) {
          for (const reader of readers) {
            const metadata = await reader.metadata('@race/many');
            for (const entry of metadata?.versions ?? []) {
              assert.equal(sha256(await reader.readArchive('@race/many', entry.version)), entry.checksum);
              reads++;
            }
          }
        }
      })();
      const results = await Promise.allSettled(
        archives.map((archive, i) =>
          new HttpRegistry('team', i % 2 === 0 ? a.url : b.url, { token: async () => token, attempts: 1 }).publish(
            archive,
            [],
          ),
        ),
      );
      publishing = false;
      await reading;
      assert.deepEqual(
        results.filter((r) => r.status === 'rejected').map((r) => String((r as PromiseRejectedResult).reason)),
        [],
      );
      for (const reader of readers) {
        const metadata = (await reader.metadata('@race/many'))!;
        assert.deepEqual(metadata.versions.map((v) => v.version).sort(), archives.map((_, i) => `1.0.${i}`).sort());
        assert.equal(metadata.dist_tags.latest, '1.0.19');
        for (const [i, archive] of archives.entries())
          assert.equal(metadata.versions.find((v) => v.version === `1.0.${i}`)!.checksum, sha256(archive));
      }
      assert.ok(reads > 0, 'installs ran while publishing');
    });

    it('keeps one log under 48 publishes at once through both: each answer after its entry is under the signed head, no gap, proofs verify', async () => {
      const get = async <T>(url: string, path: string) => (await (await fetch(`${url}/api/v1${path}`)).json()) as T;
      const hashes = (list: string[]) => list.map((h) => Buffer.from(h, 'hex'));
      const publisher = (url: string) => new HttpRegistry('team', url, { token: async () => token, attempts: 1 });
      const packages = ['@log/one', '@log/two', '@log/three', '@log/four'];
      const start = await get<AuditHead>(a.url, '/audit-log/head');
      // The packages exist first (created one by one); then 12 versions of each, all at once.
      for (const name of packages) await publisher(a.url).publish(await pack(root, name, '0.1.0', 'first\n'), []);
      const jobs = packages.flatMap((name, p) =>
        Array.from({ length: 12 }, (_, v) => ({ name, version: `1.0.${v}`, url: (p + v) % 2 === 0 ? a.url : b.url })),
      );
      const archives = await Promise.all(jobs.map((j) => pack(root, j.name, j.version, `${j.name} ${j.version}\n`)));
      await Promise.all(
        jobs.map(async (job, i) => {
          await publisher(job.url).publish(archives[i]!, []);
          // Answered: the other instance's signed head already covers the entry, and proves it.
          const other = job.url === a.url ? b.url : a.url;
          const head = await get<AuditHead>(other, '/audit-log/head');
          const { proofs } = await get<{ proofs: { index: number; entry: AuditEntry; proof: string[] }[] }>(
            other,
            `/audit-log/proof/inclusion?package=${encodeURIComponent(job.name)}&size=${head.size}`,
          );
          const mine = proofs.find((p) => p.entry.version === job.version);
          assert.ok(mine, `${job.name}@${job.version} is under the head answered after its publish`);
          assert.equal(mine.entry.metadata.checksum, sha256(archives[i]!));
          const leaf = leafHash(Buffer.from(mine.entry.hash, 'hex'));
          const check = verifyInclusion(
            mine.index,
            head.size,
            leaf,
            hashes(mine.proof),
            Buffer.from(head.root!, 'hex'),
          );
          assert.deepEqual(check, { ok: true });
        }),
      );
      const head = await get<AuditHead>(a.url, '/audit-log/head');
      const fromB = await get<AuditHead>(b.url, '/audit-log/head');
      assert.deepEqual([fromB.size, fromB.root], [head.size, head.root], 'both instances sign the same log');
      assert.equal(head.size, start.size + packages.length + jobs.length, 'one entry per publish, none more');
      const { entries } = await get<{ entries: AuditEntry[] }>(a.url, '/audit-log?after=0&limit=1000');
      // One chain from the first entry to the signed head: numbered without a gap, each linked to the one before.
      assert.deepEqual(verifyChain(entries, head), { ok: true });
      const tree = new MemoryTree(entries.map((e) => leafHash(Buffer.from(e.hash, 'hex'))));
      assert.equal((await rootOf(tree, head.size)).toString('hex'), head.root);
      const since = await get<{ proof: string[] }>(
        a.url,
        `/audit-log/proof/consistency?from=${start.size}&to=${head.size}`,
      );
      assert.deepEqual(
        verifyConsistency(
          start.size,
          head.size,
          hashes(since.proof),
          await rootOf(tree, start.size),
          Buffer.from(head.root!, 'hex'),
        ),
        { ok: true },
      );
      assert.equal((await rootOf(tree, start.size)).toString('hex'), start.root);
      // Every publish recorded exactly once, and each entry names the one before it about its package.
      const last = new Map<string, number>();
      for (const entry of entries) {
        assert.equal(entry.metadata[PACKAGE_PREVIOUS] ?? 0, last.get(entry.package) ?? 0, `entry ${entry.seq}`);
        last.set(entry.package, entry.seq);
      }
      for (const [i, job] of jobs.entries()) {
        const recorded = entries.filter((e) => e.package === job.name && e.version === job.version);
        assert.equal(recorded.length, 1, `${job.name}@${job.version}`);
        assert.equal(recorded[0]!.metadata.checksum, sha256(archives[i]!));
      }
    });

    it('a version stored in a batch replaces its package keywords, and search finds it by the new ones only', async () => {
      const publisher = new HttpRegistry('team', a.url, { token: async () => token, attempts: 1 });
      const keyworded = (version: string, keywords: string[]) =>
        packPackage('@kw/tool', version, {
          description: 'Keyworded',
          manifest: `keywords: [${keywords.join(', ')}]\n`,
        });
      await publisher.publish(await keyworded('1.0.0', ['alpha', 'beta']), []);
      // Existing package: these go through the batch, at once.
      await Promise.all([
        publisher.publish(await keyworded('1.1.0', ['beta', 'gamma']), []),
        publisher.publish(await keyworded('1.2.0', ['beta', 'delta']), []),
      ]);
      const found = async (q: string) =>
        ((await (await fetch(`${b.url}/api/v1/packages?q=${q}`)).json()) as { packages: { name: string }[] }).packages
          .map((p) => p.name)
          .includes('@kw/tool');
      assert.equal(await found('beta'), true);
      assert.equal(await found('alpha'), false, "the first version's keyword is gone");
      const latest = (await new HttpRegistry('team', b.url).metadata('@kw/tool'))!;
      assert.equal(latest.dist_tags.latest, '1.2.0');
      assert.equal(
        (await found('gamma')) !== (await found('delta')),
        true,
        'one version of the batch speaks for the package',
      );
    });
  },
);
