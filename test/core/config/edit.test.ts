import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { applyConfigEdits, editConfigFile } from '../../../src/core/config/edit.ts';
import { isAamError } from '../../../src/core/errors.ts';
import { validateConfigText } from '../../../src/core/config/validate.ts';
import { tempDir } from '../../helpers/temp.ts';

const POLICY = `# Team policy — reviewed by security@example.com
registries:
  - name: team # the shared registry
    url: file:///srv/aam
security:
  # people we trust
  trusted_identities:
    - "*@example.com" # everyone at work
  on_signature_failure: warn # tighten after rollout
`;

describe('comment-preserving config edits', () => {
  it('adds a trusted signer, keeping every comment, key order and quoting', () => {
    const out = applyConfigEdits(POLICY, [
      { op: 'add-to-list', path: ['security', 'trusted_identities'], value: 'bob@partner.org' },
    ]);
    for (const kept of [
      '# Team policy — reviewed by security@example.com',
      '# the shared registry',
      '# people we trust',
      '"*@example.com" # everyone at work',
      '# tighten after rollout',
    ]) {
      assert.ok(out.includes(kept), `lost: ${kept}`);
    }
    assert.match(out, /- "\*@example.com" # everyone at work\n {4}- bob@partner.org\n/);
    assert.ok(out.indexOf('registries:') < out.indexOf('security:'));
  });
  it('creates missing sections and lists, and does not add duplicates', () => {
    const once = applyConfigEdits('', [
      { op: 'add-to-list', path: ['security', 'trusted_keys'], value: 'ABCD1234EF567890ABCD1234EF567890ABCD1234' },
    ]);
    assert.equal(once, 'security:\n  trusted_keys:\n    - ABCD1234EF567890ABCD1234EF567890ABCD1234\n');
    assert.equal(
      applyConfigEdits(once, [
        { op: 'add-to-list', path: ['security', 'trusted_keys'], value: 'ABCD1234EF567890ABCD1234EF567890ABCD1234' },
      ]),
      once,
    );
  });
  it('sets, removes and deletes values', () => {
    let out = applyConfigEdits(POLICY, [{ op: 'set', path: ['security', 'on_signature_failure'], value: 'error' }]);
    assert.match(out, /on_signature_failure: error # tighten after rollout/);
    out = applyConfigEdits(out, [
      { op: 'remove-from-list', path: ['security', 'trusted_identities'], value: '*@example.com' },
    ]);
    assert.ok(!out.includes('*@example.com"'));
    out = applyConfigEdits(out, [{ op: 'delete', path: ['registries'] }]);
    assert.ok(!out.includes('registries'));
  });
  it('keeps CRLF line endings', () => {
    const out = applyConfigEdits('security:\r\n  require_signature: false\r\n', [
      { op: 'set', path: ['security', 'require_signature'], value: true },
    ]);
    assert.equal(out, 'security:\r\n  require_signature: true\r\n');
  });
  it('refuses to rewrite a file it cannot parse', () => {
    assert.throws(
      () => applyConfigEdits('security: [\n', [{ op: 'set', path: ['security', 'require_signature'], value: true }]),
      (e) => isAamError(e, 'CONFIG_INVALID'),
    );
  });
  it('writes files atomically and leaves no temp files behind', async () => {
    const dir = await tempDir('aam-edit-');
    const file = join(dir, 'config.yaml');
    await writeFile(file, POLICY);
    await editConfigFile(file, [{ op: 'set', path: ['security', 'require_signature'], value: true }]);
    assert.match(await readFile(file, 'utf8'), /require_signature: true/);
    assert.deepEqual(await readdir(dir), ['config.yaml']);
  });
});

describe('applyConfigEdits on a file with anchors and aliases', () => {
  const ANCHORED = [
    'security:',
    '  require_signature: &t false',
    '  trusted_registries: &regs [corp]',
    '  trust_registry_attestations: *t',
    '  allowed_registries: *regs',
    'base: &b { url: file:///srv/aam }',
    'mirror:',
    '  <<: *b',
    '  name: mirror',
    '',
  ].join('\n');
  const read = (text: string) => validateConfigText(text).value as Record<string, Record<string, unknown>>;

  it('changes only the key an edit names, never another aliased to it, and the rest means what it did', () => {
    const next = applyConfigEdits(ANCHORED, [
      { op: 'set', path: ['security', 'require_signature'], value: true },
      { op: 'add-to-list', path: ['security', 'trusted_registries'], value: 'team' },
    ]);
    const was = read(ANCHORED);
    const now = read(next);
    assert.equal(now.security!.require_signature, true);
    assert.equal(now.security!.trust_registry_attestations, false, next);
    assert.deepEqual(now.security!.trusted_registries, ['corp', 'team']);
    assert.deepEqual(now.security!.allowed_registries, ['corp'], next);
    assert.deepEqual(now.mirror, was.mirror);
    assert.deepEqual(now.base, was.base);
  });

  it('leaves a file without aliases as it was written, anchors and all', () => {
    const text = 'security:\n  require_signature: &t false # kept\n';
    assert.equal(
      applyConfigEdits(text, [{ op: 'set', path: ['security', 'verify_transparency_log'], value: true }]),
      'security:\n  require_signature: &t false # kept\n  verify_transparency_log: true\n',
    );
  });
});

describe('applyConfigEdits on a file whose aliases nest (an alias bomb)', () => {
  it('refuses the edit, saying why, rather than writing out what the aliases expand to', () => {
    const lines = ['a0: &a0 [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 9; i++)
      lines.push(
        `a${i}: &a${i} [${Array(10)
          .fill(`*a${i - 1}`)
          .join(', ')}]`,
      );
    const text = `${lines.join('\n')}\nsecurity:\n  require_signature: false\n`;
    assert.throws(
      () => applyConfigEdits(text, [{ op: 'set', path: ['security', 'require_signature'], value: true }]),
      /Cannot edit: Excessive alias count/,
    );
  });
});
