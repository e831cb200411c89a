import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { entryHash, GENESIS } from '../../src/core/registry/audit-log.ts';
import type { AuditEntry, AuditHead } from '../../src/core/registry/audit-log.ts';
import { leafHash, MemoryTree, rootOf, verifyConsistency, verifyInclusion } from '../../src/core/registry/merkle.ts';
import { checkRegistryLog } from '../../src/core/registry/registry-check.ts';
import { TREE_BACKFILL } from '../../src/server/schema-scale.ts';
import type { RunningRegistry } from '../../src/server/serve.ts';
import type { TestPostgres } from '../helpers/postgres.ts';
import { ENGINES, packPackage, rebuildTree, startTestRegistry } from '../helpers/registry.ts';
import type { TestRegistry } from '../helpers/registry.ts';

const hex = (h: Buffer) => h.toString('hex');
const bytes = (hs: string[]) => hs.map((h) => Buffer.from(h, 'hex'));

async function entriesOf(server: RunningRegistry): Promise<AuditEntry[]> {
  const { rows } = await server.db.query<AuditEntry>('SELECT * FROM audit_log ORDER BY seq');
  return rows.map((r) => ({ ...r, seq: Number(r.seq), prev_hash: r.prev_hash.trim(), hash: r.hash.trim() }));
}

async function memoryTree(server: RunningRegistry): Promise<MemoryTree> {
  return new MemoryTree((await entriesOf(server)).map((e) => leafHash(Buffer.from(e.hash, 'hex'))));
}

/** Rewrites the log the way a dishonest registry would: `change` applied, every hash recomputed, the tree rebuilt. */
async function rewrite(server: RunningRegistry, change: (entry: AuditEntry) => AuditEntry): Promise<void> {
  let prev = GENESIS;
  for (const original of await entriesOf(server)) {
    const { hash: _, ...content } = { ...change(original), prev_hash: prev };
    prev = entryHash(content);
    await server.db.query('UPDATE audit_log SET actor = $2, prev_hash = $3, hash = $4 WHERE seq = $1', [
      content.seq,
      content.actor,
      content.prev_hash,
      prev,
    ]);
  }
  await server.db.query('UPDATE audit_head SET head_hash = $1 WHERE id = 1', [prev]);
  await rebuildTree(server);
}

for (const engine of ENGINES)
  describe(`the audit log's Merkle tree and its proofs (${engine.name})`, { skip: engine.skip }, () => {
    let postgres: TestPostgres | undefined;
    let registry: TestRegistry;
    let server: RunningRegistry;
    let token: string;
    const get = async (path: string) => {
      const response = await fetch(`${registry.url}/api/v1${path}`);
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    };
    const head = async () => (await get('/audit-log/head')).body as unknown as AuditHead;

    before(async () => {
      postgres = await engine.start();
      registry = await startTestRegistry({ name: 'corp', postgres });
      server = registry.server;
      token = await registry.token('alice', ['publish', 'yank']);
      for (const [name, version] of [
        ['@acme/a', '1.0.0'],
        ['@acme/b', '1.0.0'],
        ['@acme/a', '1.1.0'],
        ['@acme/b', '2.0.0'],
        ['@acme/a', '1.2.0'],
      ] as const)
        await registry.client(token).publish(await packPackage(name, version), []);
    });
    after(async () => {
      await registry?.close();
      await postgres?.stop();
    });

    it('signs the root of the RFC 6962 tree over its entries, and every proof it serves verifies', async () => {
      const signed = await head();
      const tree = await memoryTree(server);
      assert.equal(signed.size, 5);
      assert.equal(signed.root, hex(await rootOf(tree, 5)));
      for (let size = 1; size <= 5; size++) {
        const root = await rootOf(tree, size);
        for (let index = 0; index < size; index++) {
          const { body } = await get(`/audit-log/proof/inclusion?index=${index}&size=${size}`);
          const [item] = body.proofs as { entry: AuditEntry; proof: string[] }[];
          const leaf = leafHash(Buffer.from(item!.entry.hash, 'hex'));
          assert.deepEqual(verifyInclusion(index, size, leaf, bytes(item!.proof), root), { ok: true });
        }
        for (let from = 0; from <= size; from++) {
          const { body } = await get(`/audit-log/proof/consistency?from=${from}&to=${size}`);
          const check = verifyConsistency(from, size, bytes(body.proof as string[]), await rootOf(tree, from), root);
          assert.deepEqual(check, { ok: true }, `${from} → ${size}`);
        }
      }
    });

    it("proves a package's entries, each linked to the one before it about the package", async () => {
      const { body } = await get(`/audit-log/proof/inclusion?package=${encodeURIComponent('@acme/a')}&size=5`);
      const proofs = body.proofs as { index: number; entry: AuditEntry }[];
      assert.deepEqual(
        proofs.map((p) => [p.index, p.entry.version, p.entry.metadata.package_previous]),
        [
          [0, '1.0.0', 0],
          [2, '1.1.0', 1],
          [4, '1.2.0', 3],
        ],
      );
      const check = await checkRegistryLog(registry.client(), undefined, undefined, { packages: ['@acme/a'] });
      assert.equal(check.ok, true, check.reason);
      assert.deepEqual(
        check.entries.map((e) => e.seq),
        [1, 3, 5],
      );
    });

    it('refuses a proof for another tree, and a tree it does not have', async () => {
      const tree = await memoryTree(server);
      const { body } = await get('/audit-log/proof/inclusion?index=1&size=5');
      const [item] = body.proofs as { entry: AuditEntry; proof: string[] }[];
      const leaf = leafHash(Buffer.from(item!.entry.hash, 'hex'));
      assert.equal(verifyInclusion(1, 4, leaf, bytes(item!.proof), await rootOf(tree, 4)).ok, false);
      assert.equal(verifyInclusion(1, 5, leaf, bytes(item!.proof), await rootOf(tree, 4)).ok, false);
      const consistency = await get('/audit-log/proof/consistency?from=2&to=5');
      const proof = bytes(consistency.body.proof as string[]);
      assert.equal(verifyConsistency(2, 5, proof, await rootOf(tree, 3), await rootOf(tree, 5)).ok, false);
      assert.equal(verifyConsistency(3, 5, proof, await rootOf(tree, 2), await rootOf(tree, 5)).ok, false);
      assert.equal((await get('/audit-log/proof/consistency?from=2&to=6')).status, 400);
      assert.equal((await get('/audit-log/proof/inclusion?index=5&size=5')).status, 400);
      assert.equal((await get('/audit-log/proof/inclusion?size=5')).status, 400, 'neither an index nor a package');
    });

    it('catches a fork with proofs alone: history rewritten, re-rooted, re-signed and grown', async () => {
      const first = await checkRegistryLog(registry.client(), undefined);
      assert.equal(first.ok, true);
      const recorded = { ...first.next!, recorded_at: '' };
      await rewrite(server, (e) => (e.seq === 2 ? { ...e, actor: 'mallory' } : e));
      await registry.client(token).publish(await packPackage('@acme/c', '1.0.0'), []);
      const forked = await checkRegistryLog(registry.client(), recorded);
      assert.equal(forked.ok, false);
      assert.match(
        forked.reason!,
        /does not extend the one seen before: the log was rewritten or forked since it was last seen at 5 entries/,
      );
      // A client that never saw the log has nothing to compare: the fork is internally consistent.
      assert.equal((await checkRegistryLog(registry.client(), undefined)).ok, true);
      await rewrite(server, (e) => (e.seq === 2 ? { ...e, actor: 'alice' } : e));
      const honest = await checkRegistryLog(registry.client(), recorded);
      assert.equal(honest.ok, true, honest.reason);
      assert.equal(honest.extends, 5);
    });

    it('catches a log truncated below the head recorded, and an entry left out of a package', async () => {
      const recorded = { ...(await checkRegistryLog(registry.client(), undefined)).next!, recorded_at: '' };
      const shrunk = await checkRegistryLog(registry.client(), { ...recorded, audit_size: recorded.audit_size + 2 });
      assert.match(shrunk.reason!, /the log shrank from 8 to 6 entries/);
      const [gone] = (await entriesOf(server)).filter((e) => e.seq === 3);
      await server.db.query('DELETE FROM audit_log WHERE seq = 3');
      const dropped = await checkRegistryLog(registry.client(), recorded, undefined, { packages: ['@acme/a'] });
      assert.match(
        dropped.reason!,
        /entry 5 follows entry 3, which is not in the log .* \(an entry about @acme\/a was left out\)/,
      );
      await server.db.query(
        'INSERT INTO audit_log (seq, event, actor, package, version, timestamp, metadata, prev_hash, hash) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)',
        [
          gone!.seq,
          gone!.event,
          gone!.actor,
          gone!.package,
          gone!.version,
          gone!.timestamp,
          JSON.stringify(gone!.metadata),
          gone!.prev_hash,
          gone!.hash,
        ],
      );
    });

    it('builds the tree of a log written before it (the migration), and appends to it after', async () => {
      const before = await head();
      await server.db.query('DELETE FROM audit_nodes');
      await server.db.query('UPDATE audit_head SET root = NULL, frontier = NULL WHERE id = 1');
      for (const statement of TREE_BACKFILL.split(/;\s*\n/).filter((s) => s.trim()))
        await server.db.query(statement.replace(/;\s*$/, ''));
      assert.equal((await head()).root, before.root);
      await registry.client(token).publish(await packPackage('@acme/c', '1.1.0'), []);
      const after = await head();
      assert.equal(after.root, hex(await rootOf(await memoryTree(server), after.size)));
      assert.equal(
        (
          await checkRegistryLog(registry.client(), {
            ...before,
            name: 'corp',
            key_id: after.key_id,
            // A record holds the key its id names (one that does not is never read, and the check refuses it).
            public_key: (await registry.client().identity()).public_key,
            audit_size: before.size,
            audit_head: before.head_hash,
            audit_root: before.root,
            recorded_at: '',
          })
        ).ok,
        true,
      );
    });

    it('checks a grown log with the same few requests whatever its length, none of them for the log itself', async () => {
      const recorded = { ...(await checkRegistryLog(registry.client(), undefined)).next!, recorded_at: '' };
      /** The paths a check asks for, and the bytes it reads, after the log grew by `more` entries. */
      const checkAfter = async (more: number) => {
        const start = (await head()).size;
        for (let i = 0; i < more; i++)
          await registry.client(token).publish(await packPackage('@acme/grow', `${start}.${i}.0`), []);
        const asked: string[] = [];
        let read = 0;
        const fetched = globalThis.fetch;
        globalThis.fetch = async (input, init) => {
          const url = new URL(input instanceof Request ? input.url : String(input));
          asked.push(url.pathname + url.search.replace(/[?&](size|to|from)=\d+/g, ''));
          const response = await fetched(input, init);
          read += (await response.clone().arrayBuffer()).byteLength;
          return response;
        };
        try {
          const check = await checkRegistryLog(registry.client(), recorded, undefined, { packages: ['@acme/b'] });
          assert.equal(check.ok, true, check.reason);
          assert.equal(check.extends, recorded.audit_size);
          return { asked, read, size: check.head!.size };
        } finally {
          globalThis.fetch = fetched;
        }
      };
      const small = await checkAfter(2);
      const large = await checkAfter(30);
      assert.deepEqual(small.asked, large.asked, 'the same questions, however far the log grew');
      assert.equal(
        small.asked.some((path) => /\/audit-log(\?|$)|\/packages\/.*\/audit-log/.test(path)),
        false,
        `no page of the log is read: ${small.asked.join(', ')}`,
      );
      // The proofs grow with the logarithm of the size: a few hashes more, not the entries.
      assert.ok(
        large.read - small.read < 64 * 6 * 2,
        `${small.read} bytes at ${small.size}, ${large.read} at ${large.size}`,
      );
    });
  });
