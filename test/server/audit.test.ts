import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { entryHash, GENESIS } from '../../src/core/registry/audit-log.ts';
import type { AuditEntry } from '../../src/core/registry/audit-log.ts';
import { readTrustRecord } from '../../src/core/record/trust-record.ts';
import type { RunningRegistry } from '../../src/server/serve.ts';
import { packPackage, rebuildTree, startTestRegistry } from '../helpers/registry.ts';
import type { TestRegistry } from '../helpers/registry.ts';

/**
 * `aam-trust audit` against a registry that misbehaves: its database is
 * changed under it the way an operator (or an intruder) could — an entry
 * edited, an entry dropped, history rewritten with every hash recomputed
 * and the head re-signed, a new key. Each is caught; the honest log passes.
 */
describe('aam-trust audit: the registry audit log, checked by the client', () => {
  let registry: TestRegistry;
  let server: RunningRegistry;
  let root: string;
  let project: string;
  const audit = (...args: string[]) => registry.run(['audit', '@acme/tool', ...args]);
  const restart = async (keyFile?: string) => {
    await registry.restart({ keyFile: keyFile ?? join(registry.dataDir, 'registry-key.pem') });
    server = registry.server;
  };

  before(async () => {
    registry = await startTestRegistry({ name: 'corp' });
    server = registry.server;
    root = registry.root;
    project = registry.project;
    const token = await registry.token('alice', ['publish']);
    await registry.writeConfig();
    for (const version of ['1.0.0', '1.1.0'])
      await registry.client(token).publish(await packPackage('@acme/tool', version), []);
    const tagged = await fetch(`${server.url}/api/v1/packages/@acme/tool/tags/stable`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ version: '1.0.0' }),
    });
    assert.equal(tagged.status, 200);
  });
  after(async () => registry?.close());

  it('prints the package history with the chain verified, and records the head and key', async () => {
    const run = await audit();
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /alice\s+package\.publish\s+1\.0\.0/);
    assert.match(run.stdout, /alice\s+package\.publish\s+1\.1\.0/);
    assert.match(run.stdout, /alice\s+tag\.set\s+1\.0\.0 {2}\(tag: stable\)/);
    assert.match(run.stdout, /✓ Log verified: 3 entries/);
    const recorded = (await readTrustRecord(join(project, '.aam', 'trust-record.yaml'))).registries?.corp;
    assert.equal(recorded?.name, 'corp');
    assert.equal(recorded?.audit_size, 3);
    const json = JSON.parse((await audit('--json')).stdout) as { chain: { verified: boolean; extends: number } };
    assert.deepEqual([json.chain.verified, json.chain.extends], [true, 3]);
    // Where the head cannot be recorded, the run says so instead of "recorded now" (newuser-review 4).
    const elsewhere = await mkdtemp(join(root, 'no-aam-'));
    await writeFile(join(elsewhere, '.aam'), 'a file, not a folder\n');
    const unpinned = await audit('--project', elsewhere);
    assert.equal(unpinned.code, 0, unpinned.stdout + unpinned.stderr);
    assert.match(unpinned.stdout, /✓ Log verified: 3 entries, .*\(not recorded: .* could not be written/);
    assert.doesNotMatch(unpinned.stdout, /recorded now/);
  });

  it("answers the spec's query: filters by event, actor and time, a page at a time", async () => {
    const query = async (q: string) => {
      const response = await fetch(`${server.url}/api/v1/audit-log?${q}`);
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    };
    const tags = await query('event=tag.set');
    assert.equal(tags.body.total, 1);
    assert.deepEqual(
      (tags.body.entries as AuditEntry[]).map((e) => [e.event, e.version]),
      [['tag.set', '1.0.0']],
    );
    const second = await query('actor=alice&limit=1&page=2');
    assert.deepEqual([second.body.total, second.body.page, second.body.pages], [3, 2, 3]);
    assert.equal((second.body.entries as (AuditEntry & { id: string })[])[0]!.id, '2');
    assert.equal((await query('from=2999-01-01')).body.total, 0);
    assert.equal((await query(`to=${encodeURIComponent(new Date().toISOString())}&package=@acme/tool`)).body.total, 3);
    assert.equal((await query('event=package.delete')).status, 400);
    assert.equal((await query('from=yesterday')).status, 400);
  });

  it('catches an entry edited in place, and an entry dropped', async () => {
    await server.db.query(`UPDATE audit_log SET actor = 'mallory' WHERE seq = 1`);
    const edited = await audit();
    assert.equal(edited.code, 1);
    assert.match(
      edited.stdout,
      /^✗ the audit log of registry "corp" is broken: entry 1 was changed after it was written/,
      'the failure is the first thing said, before any entry is listed',
    );
    await server.db.query(`UPDATE audit_log SET actor = 'alice' WHERE seq = 1`);
    const { rows } = await server.db.query<AuditEntry>('SELECT * FROM audit_log WHERE seq = 2');
    await server.db.query('DELETE FROM audit_log WHERE seq = 2');
    const dropped = await audit();
    assert.equal(dropped.code, 1);
    assert.match(dropped.stdout, /^✗ the audit log of registry "corp" is broken/);
    const e = rows[0]!;
    await server.db.query(
      'INSERT INTO audit_log (seq, event, actor, package, version, timestamp, metadata, prev_hash, hash) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)',
      [e.seq, e.event, e.actor, e.package, e.version, e.timestamp, JSON.stringify(e.metadata), e.prev_hash, e.hash],
    );
    assert.equal((await audit()).code, 0, 'restored, the log verifies again');
  });

  it('catches history rewritten with every hash recomputed and the head re-signed (a fork)', async () => {
    const { rows } = await server.db.query<AuditEntry>('SELECT * FROM audit_log ORDER BY seq');
    const original = rows.map((r) => ({
      ...r,
      seq: Number(r.seq),
      prev_hash: r.prev_hash.trim(),
      hash: r.hash.trim(),
    }));
    // The registry shows this client a history in which 1.1.0 was published by someone else.
    let prev = GENESIS;
    for (const entry of original) {
      const content = {
        seq: entry.seq,
        event: entry.event,
        actor: entry.seq === 2 ? 'mallory' : entry.actor,
        package: entry.package,
        version: entry.version,
        timestamp: entry.timestamp,
        metadata: entry.metadata,
        prev_hash: prev,
      };
      prev = entryHash(content);
      await server.db.query('UPDATE audit_log SET actor = $2, prev_hash = $3, hash = $4 WHERE seq = $1', [
        entry.seq,
        content.actor,
        content.prev_hash,
        prev,
      ]);
    }
    await server.db.query('UPDATE audit_head SET head_hash = $1 WHERE id = 1', [prev]);
    await rebuildTree(server);
    const forked = await audit();
    assert.equal(forked.code, 1, 'internally consistent, but not what this project saw before');
    assert.match(
      forked.stdout,
      /^✗ the audit log of registry "corp" does not extend the one seen before: two different roots for the same 3 entries/,
    );
    // A client that never saw the log would accept this fork: the recorded head, committed with the project, is what catches it.
    const record = await readFile(join(project, '.aam', 'trust-record.yaml'), 'utf8');
    assert.match(record, /audit_size: 3/);
    for (const entry of original)
      await server.db.query('UPDATE audit_log SET actor = $2, prev_hash = $3, hash = $4 WHERE seq = $1', [
        entry.seq,
        entry.actor,
        entry.prev_hash,
        entry.hash,
      ]);
    await server.db.query('UPDATE audit_head SET head_hash = $1 WHERE id = 1', [original.at(-1)!.hash]);
    await rebuildTree(server);
    assert.equal((await audit()).code, 0);
  });

  it('catches a registry that starts signing with another key', async () => {
    await restart(join(root, 'another-key.pem'));
    const run = await audit();
    assert.equal(run.code, 1);
    assert.match(run.stdout, /✗ registry "corp" signs with key [0-9a-f]{16}…, not [0-9a-f]{16}… \(recorded\)/);
    await restart();
    assert.equal((await audit()).code, 0);
  });
});
