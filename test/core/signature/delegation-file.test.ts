import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  DELEGATION_TYPE,
  REVOCATION_TYPE,
  documentBytes,
  isInstant,
  parseDocument,
} from '../../../src/core/signature/delegation-file.ts';

/** A delegation document in canonical form, as `aam-trust delegate` writes it, with some fields changed. */
const delegationBytes = (changes: Record<string, unknown>) =>
  documentBytes({
    type: DELEGATION_TYPE,
    pattern: '@acme/*',
    delegate: { identity: 'bob@partner.io' },
    until: '2027-01-01T00:00:00.000Z',
    issued_at: '2026-01-01T00:00:00.000Z',
    max_depth: 0,
    ...changes,
  } as never);

describe('delegation documents are read strictly', () => {
  it('reads what the writer writes (toISOString), and an RFC 3339 time with a numeric offset', () => {
    assert.equal(parseDocument(delegationBytes({}))?.kind, 'delegation');
    assert.equal(parseDocument(delegationBytes({ until: '2027-01-01T02:00:00+02:00' }))?.kind, 'delegation');
    assert.equal(parseDocument(delegationBytes({ until: '2027-01-01T00:00:00Z' }))?.kind, 'delegation');
  });

  for (const until of [
    '2027-01-01T00:00:00', // no zone: local time, another instant on every machine
    '2027-01-01 00:00',
    '1',
    'January 1, 2027',
    '2027-01-01',
    '2027-02-30T00:00:00Z', // Date.parse rolls it over to March 2
    '2027-01-01T24:00:00Z',
    '2027-01-01T00:00:00+0200',
    '2027-01-01t00:00:00z',
  ])
    it(`refuses until "${until}": not an RFC 3339 date-time with its zone`, () => {
      assert.equal(parseDocument(delegationBytes({ until })), undefined);
      assert.equal(isInstant(until), false);
    });

  it('refuses an issued_at without a zone', () => {
    assert.equal(parseDocument(delegationBytes({ issued_at: '2026-01-01T00:00:00' })), undefined);
  });

  it('refuses a v1 delegation with a field it does not know (a narrowing it would silently drop)', () => {
    assert.equal(parseDocument(delegationBytes({ not_before: '2030-01-01T00:00:00.000Z' })), undefined);
  });

  it('still reads a revocation with a field it does not know: refusing it would keep the delegation in force', () => {
    const bytes = documentBytes({
      type: REVOCATION_TYPE,
      delegation: `sha256:${'a'.repeat(64)}`,
      reason: 'key lost',
      revoked_at: '2026-05-01T00:00:00.000Z',
      effective: 'now',
    } as never);
    assert.equal(parseDocument(bytes)?.kind, 'revocation');
  });
});
