import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { requireChecksum } from '../../../src/core/workflows/restore.ts';
import { sha256 } from '../../../src/core/archive/hash.ts';
import { isAamError } from '../../../src/core/errors.ts';

describe('restore writes only the bytes verification judged', () => {
  const verified = Buffer.from('the verified archive');
  const checksum = sha256(verified);

  it('takes an archive whose SHA-256 is the verified checksum', () => {
    assert.equal(requireChecksum('hello', verified, checksum), verified);
  });

  it('refuses other bytes with CHECKSUM_MISMATCH, naming the package and both digests', () => {
    const other = Buffer.from('other bytes');
    assert.throws(
      () => requireChecksum('hello', other, checksum),
      (e) =>
        isAamError(e, 'CHECKSUM_MISMATCH') &&
        e.expected === checksum &&
        e.actual === sha256(other) &&
        e.message.includes('hello') &&
        e.message.includes(checksum) &&
        e.message.includes(sha256(other)) &&
        e.message.includes('nothing was restored'),
    );
  });
});
