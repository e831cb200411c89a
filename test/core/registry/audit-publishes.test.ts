import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { entryHash, GENESIS } from '../../../src/core/registry/audit-log.ts';
import type { AuditEntry, AuditEvent } from '../../../src/core/registry/audit-log.ts';
import { equivocations, publishProblem } from '../../../src/core/registry/audit-publishes.ts';

const A = `sha256:${'a'.repeat(64)}`;
const B = `sha256:${'b'.repeat(64)}`;
const C = `sha256:${'c'.repeat(64)}`;

/** A package's entries as the registry appends them (event, version, checksum of a publish). */
function log(events: [AuditEvent, string, string?][], pkg = '@acme/tool'): AuditEntry[] {
  const entries: AuditEntry[] = [];
  for (const [event, version, checksum] of events) {
    const content = {
      seq: entries.length + 1,
      event,
      actor: 'alice',
      package: pkg,
      version,
      timestamp: `2026-12-01T00:00:0${entries.length}.000Z`,
      metadata: checksum ? { checksum } : {},
      prev_hash: entries.at(-1)?.hash ?? GENESIS,
    };
    entries.push({ ...content, hash: entryHash(content) });
  }
  return entries;
}

const held = (version: string, checksum: string) => ({ name: '@acme/tool', version, checksum });

describe("what a package's proven audit-log entries say about an archive", () => {
  it('vouch for the archive whose publish they record, among other versions and events', () => {
    const entries = log([
      ['package.publish', '1.0.0', A],
      ['tag.set', '1.0.0'],
      ['package.publish', '1.1.0', B],
      ['version.yank', '1.0.0'],
    ]);
    assert.equal(publishProblem(held('1.0.0', A), entries), undefined);
    assert.equal(publishProblem(held('1.1.0', B), entries), undefined);
    assert.deepEqual(equivocations(entries), []);
  });

  it('when no publish of the version has the archive’s checksum … the archive is unlogged', () => {
    const entries = log([['package.publish', '1.0.0', A]]);
    const problem = publishProblem(held('1.0.0', B), entries);
    assert.equal(problem?.kind, 'unlogged');
    assert.match(problem!.reason, /proves no publish of @acme\/tool@1\.0\.0/);
    assert.deepEqual(problem!.recorded, [A]);
    assert.equal(publishProblem(held('2.0.0', A), entries)?.kind, 'unlogged');
  });

  it('when the version was published twice with different archives … it is an equivocation, whichever one is held', () => {
    const entries = log([
      ['package.publish', '1.0.0', A],
      ['package.publish', '1.0.0', B],
    ]);
    for (const checksum of [A, B]) {
      const problem = publishProblem(held('1.0.0', checksum), entries);
      assert.equal(problem?.kind, 'equivocation');
      assert.match(problem!.reason, /@acme\/tool@1\.0\.0 published 2 times with different archives .*entries 1, 2/);
      assert.deepEqual(problem!.recorded, [A, B]);
    }
    assert.deepEqual(
      equivocations(entries).map((e) => [e.package, e.version, e.checksums, e.seqs]),
      [['@acme/tool', '1.0.0', [A, B], [1, 2]]],
    );
  });

  it('counts build metadata as the same version, as the registry does', () => {
    const entries = log([
      ['package.publish', '1.0.0+build.1', A],
      ['package.publish', '1.0.0', B],
    ]);
    assert.equal(publishProblem(held('1.0.0', B), entries)?.kind, 'equivocation');
    assert.equal(equivocations(entries).length, 1);
  });

  it("fails the held archive when another version of its package was forked (the registry forks this package's versions)", () => {
    const entries = log([
      ['package.publish', '1.0.0', A],
      ['package.publish', '0.9.0', B],
      ['package.publish', '0.9.0', C],
    ]);
    const problem = publishProblem(held('1.0.0', A), entries);
    assert.equal(problem?.kind, 'equivocation');
    assert.match(problem!.reason, /@acme\/tool@0\.9\.0 published 2 times/);
  });

  it("ignores other packages' entries and a publish repeated with the same archive", () => {
    const entries = [
      ...log([
        ['package.publish', '1.0.0', A],
        ['package.publish', '1.0.0', A],
      ]),
      ...log([['package.publish', '1.0.0', B]], '@acme/other'),
    ];
    assert.equal(publishProblem(held('1.0.0', A), entries), undefined);
    assert.deepEqual(equivocations(entries), []);
  });
});
