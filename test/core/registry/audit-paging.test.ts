import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { pagedAuditEntries } from '../../../src/core/registry/audit-log.ts';
import type { AuditEntry } from '../../../src/core/registry/audit-log.ts';

const entry = (seq: number) => ({ seq, hash: `h${seq}` }) as unknown as AuditEntry;

/**
 * Reading the audit log a page at a time from a registry that states its
 * size: only entries that follow on are taken, so a registry that answers the
 * same page forever (or pages that go back) ends the read instead of holding
 * the client in a loop with its memory growing; an honest log is read whole.
 */
describe('paging through the audit log', () => {
  it('reads an honest log of 2,500 entries after entry 10, a page of 1,000 at a time', async () => {
    const asked: string[] = [];
    const got = await pagedAuditEntries(
      async (path) => {
        asked.push(path);
        const after = Number(/after=(\d+)/.exec(path)![1]);
        return { entries: Array.from({ length: Math.min(1000, 2510 - after) }, (_, i) => entry(after + 1 + i)) };
      },
      10,
      2510,
    );
    assert.deepEqual(
      got.map((e) => e.seq),
      Array.from({ length: 2500 }, (_, i) => 11 + i),
    );
    assert.equal(asked.length, 3);
  });

  it('ends when a page does not move on: the same page forever, or one that goes back', async () => {
    let pages = 0;
    const same = await pagedAuditEntries(
      async () => {
        pages++;
        return { entries: Array.from({ length: 1000 }, () => entry(1)) };
      },
      0,
      2 ** 40,
    );
    assert.deepEqual(
      same.map((e) => e.seq),
      [1],
    );
    assert.equal(pages, 2);
    const back = await pagedAuditEntries(async () => ({ entries: [entry(3), entry(2), entry(7)] }), 2, 100);
    assert.deepEqual(
      back.map((e) => e.seq),
      [3],
    );
    const gap = await pagedAuditEntries(async () => ({ entries: [entry(5)] }), 2, 100);
    assert.deepEqual(gap, []);
  });

  it('takes nothing past the size it reads up to', async () => {
    const got = await pagedAuditEntries(async () => ({ entries: [entry(1), entry(2), entry(3)] }), 0, 2);
    assert.deepEqual(
      got.map((e) => e.seq),
      [1, 2],
    );
  });
});
