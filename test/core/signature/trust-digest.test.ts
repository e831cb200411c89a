import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { trustDigestOf } from '../../../src/core/signature/verifier.ts';
import { tempDir } from '../../helpers/temp.ts';

/** The trust digest keys every stored result: a changed trusted root must change it, remembered digest or not. */
describe('trustDigestOf', () => {
  it('changes with the trusted root, even rewritten at once with bytes of the same length and the same mtime', async () => {
    const dir = await tempDir('aam-trust-digest-');
    const rootPath = join(dir, 'trusted_root.json');
    const settings = { rootPath, requireTlog: true, keysDir: join(dir, 'keys'), gpgHome: join(dir, 'gnupg') };
    writeFileSync(rootPath, '{"a":1}');
    const first = trustDigestOf(settings);
    assert.equal(trustDigestOf(settings), first);
    writeFileSync(rootPath, '{"a":2}');
    utimesSync(rootPath, new Date(0), new Date(0));
    const second = trustDigestOf(settings);
    assert.notEqual(second, first);
    // Settled a long time ago (its ctime is not): still read again while the remembered stamp is not settled.
    writeFileSync(rootPath, '{"a":3}');
    utimesSync(rootPath, new Date(0), new Date(0));
    assert.notEqual(trustDigestOf(settings), second);
  });
});
