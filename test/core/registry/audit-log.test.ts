import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { registryKeyOf } from '../../../src/core/registry/attestation.ts';
import {
  entryHash,
  GENESIS,
  signHead,
  verifyChain,
  verifyExtension,
  verifyHeadSignature,
} from '../../../src/core/registry/audit-log.ts';
import type { AuditEntry, AuditEvent } from '../../../src/core/registry/audit-log.ts';

const key = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
const publicKey = registryKeyOf(key).public_key;

/** A log as the registry appends it: each entry hashing the one before. */
function log(events: [AuditEvent, string, string][], start: AuditEntry[] = []): AuditEntry[] {
  const entries = [...start];
  for (const [event, pkg, version] of events) {
    const prev = entries.at(-1);
    const content = {
      seq: entries.length + 1,
      event,
      actor: 'alice',
      package: pkg,
      version,
      timestamp: `2026-12-01T00:00:0${entries.length}.000Z`,
      metadata: {},
      prev_hash: prev?.hash ?? GENESIS,
    };
    entries.push({ ...content, hash: entryHash(content) });
  }
  return entries;
}
const headOf = (entries: AuditEntry[]) =>
  signHead(
    {
      registry: 'corp',
      size: entries.length,
      head_hash: entries.at(-1)?.hash ?? GENESIS,
      signed_at: '2026-12-01T01:00:00.000Z',
    },
    key,
  );
/** The registry rewriting history: it recomputes every hash after the change, so the chain itself is consistent again. */
function rechain(entries: AuditEntry[]): AuditEntry[] {
  const out: AuditEntry[] = [];
  for (const entry of entries) {
    const content = { ...entry, seq: out.length + 1, prev_hash: out.at(-1)?.hash ?? GENESIS };
    delete (content as Partial<AuditEntry>).hash;
    out.push({ ...content, hash: entryHash(content) } as AuditEntry);
  }
  return out;
}

const five = log([
  ['package.publish', '@acme/a', '1.0.0'],
  ['tag.set', '@acme/a', '1.0.0'],
  ['package.publish', '@acme/b', '1.0.0'],
  ['version.yank', '@acme/a', '1.0.0'],
  ['package.publish', '@acme/a', '1.0.1'],
]);

describe('the audit log hash chain', () => {
  it('verifies a log against its signed head, and the head against the registry key', () => {
    const head = headOf(five);
    assert.deepEqual(verifyChain(five, head), { ok: true });
    assert.equal(verifyHeadSignature(head, publicKey), true);
    assert.equal(verifyHeadSignature({ ...head, size: 4 }, publicKey), false);
    const stranger = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    assert.equal(verifyHeadSignature(head, registryKeyOf(stranger).public_key), false);
  });

  it('catches an entry rewritten, dropped or reordered', () => {
    const head = headOf(five);
    const rewritten = five.map((e) => (e.seq === 2 ? { ...e, actor: 'mallory' } : e));
    assert.deepEqual(verifyChain(rewritten, head), {
      ok: false,
      reason: 'entry 2 was changed after it was written',
      seq: 2,
    });
    const dropped = five.filter((e) => e.seq !== 3);
    assert.equal(verifyChain(dropped, head).ok, false);
    const reordered = [five[0]!, five[2]!, five[1]!, five[3]!, five[4]!];
    assert.equal(verifyChain(reordered, head).ok, false);
    const truncated = five.slice(0, 4);
    assert.match((verifyChain(truncated, head) as { reason: string }).reason, /4 entries but its signed head says 5/);
  });

  it('proves a later head extends the one a client saw, and catches a rewritten or forked history', () => {
    const seen = { size: 3, head_hash: five[2]!.hash };
    const later = log([['tag.set', '@acme/b', '1.0.0']], five);
    assert.deepEqual(verifyExtension(seen, later, headOf(later)), { ok: true });
    // Rewritten and re-chained (every hash consistent again, head re-signed): not an extension of what was seen.
    const forged = rechain(five.map((e) => (e.seq === 2 ? { ...e, event: 'tag.remove' as const } : e)));
    assert.deepEqual(verifyChain(forged, headOf(forged)), { ok: true }, 'the forged log is internally consistent');
    assert.match(
      (verifyExtension(seen, forged, headOf(forged)) as { reason: string }).reason,
      /entry 3 differs from the one seen before/,
    );
    // A fork shown to another client: same size, other history.
    const fork = rechain([...five.slice(0, 2), { ...five[2]!, package: '@acme/c' }, ...five.slice(3)]);
    assert.equal(verifyExtension(seen, fork, headOf(fork)).ok, false);
    // A log that shrank since.
    assert.match(
      (
        verifyExtension({ size: 5, head_hash: five[4]!.hash }, five.slice(0, 3), headOf(five.slice(0, 3))) as {
          reason: string;
        }
      ).reason,
      /shrank from 5 to 3/,
    );
    // An entry after the seen head changed in place.
    const changedLater = later.map((e) => (e.seq === 6 ? { ...e, actor: 'mallory' } : e));
    assert.equal(verifyExtension(seen, changedLater, headOf(later)).ok, false);
  });
});
