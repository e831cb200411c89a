import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseBlockMapping, parseBlockMappingLazily } from '../../../src/core/yaml/block-mapping.ts';
import { parseSimpleYaml } from '../../../src/core/yaml/simple-yaml.ts';
import { YamlSource } from '../../../src/core/yaml/source.ts';
import { parseTrustRecordText } from '../../../src/core/record/trust-record.ts';
import { parseLockText } from '../../../src/core/lockfile/lockfile.ts';

/**
 * Texts a hostile review found the fast readers reading otherwise than the full path (io.ts): Unicode
 * white space that String.prototype.trim strips and YAML keeps, and keys longer than YAML allows.
 */

/** The project's full-parse path: what the fast readers must equal, or leave the text to. */
function full(text: string): { ok: true; value: unknown } | { ok: false; error: string } {
  const source = new YamlSource(text);
  if (source.doc.errors.length > 0) return { ok: false, error: source.doc.errors[0]!.message.split('\n')[0]! };
  return { ok: true, value: source.doc.toJS({ maxAliasCount: 64 }) ?? {} };
}

/** What the fast reader must give: the full path's value, or undefined (fall back). */
function agrees(text: string): void {
  const fast = parseBlockMapping(text);
  const reference = full(text);
  if (fast === undefined) return;
  assert.ok(
    reference.ok,
    `the fast reader read a text the full path rejects (${!reference.ok && reference.error}): ${JSON.stringify(text)}`,
  );
  assert.deepEqual(fast, reference.value, JSON.stringify(text));
}

describe('block-mapping reader: Unicode white space around a value', () => {
  it('keeps a trailing no-break space in a plain value (yaml: "value\\u00a0")', () => agrees('key: value\u00a0\n'));
  it('keeps a leading ideographic space in a plain value (yaml: "\\u3000value")', () => agrees('key: \u3000value\n'));
  it('reads a value of only U+00A0 as that string, not null', () => agrees('key: \u00a0\n'));
  it('keeps U+2003 at the end of a sequence item (yaml: "cursor\\u2003")', () =>
    agrees('platforms:\n- cursor\u2003\n'));
  it('does not read a quoted scalar followed by U+00A0 (yaml: "Unexpected scalar at node end")', () =>
    agrees('key: "x"\u00a0\n'));
  it('does not read a nested mapping under `key: U+00A0` (yaml: "Nested mappings are not allowed in compact mappings")', () =>
    agrees('signature: \u00a0\n  type: sigstore\n'));
  it('gives the lazily read lock-file entry the full path gives', () => {
    const text = `packages:\n  '@acme/one':\n    version: 1.0.0\u00a0\n    checksum: sha256:${'a'.repeat(64)}\n`;
    const reference = full(text);
    assert.ok(reference.ok);
    const lazy = parseBlockMappingLazily(text, 'packages');
    assert.deepEqual(
      lazy?.entry('@acme/one'),
      (reference.value as { packages: Record<string, unknown> }).packages['@acme/one'],
    );
  });
});

describe('trust record: the same entry reads differently on the fast and the full path', () => {
  // `signature: <U+00A0>`: fast path -> null ("recorded unsigned"); full path -> the string "\u00a0",
  // which recordedSignature rejects, so the entry is left out ("malformed entries are never trusted").
  const record = [
    'record_version: 1',
    'packages:',
    "  '@acme/one':",
    '    version: 1.0.0',
    `    checksum: sha256:${'a'.repeat(64)}`,
    '    source: team',
    '    signature: \u00a0',
    "    recorded_at: '2026-12-03T13:45:08.211Z'",
    '',
  ].join('\n');
  it('is read the same whether or not an unrelated line elsewhere sends the file to the full parser', () => {
    const fastPath = parseTrustRecordText(record, 'trust-record.yaml');
    // A comment after a value anywhere makes the fast reader give up: the full parser reads the file.
    const fullPath = parseTrustRecordText(`${record}registries: {} # unrelated\n`, 'trust-record.yaml');
    assert.deepEqual(fastPath.packages, fullPath.packages);
  });
  it('keeps a checksum with a trailing U+00A0 out, as the full path does (isChecksum is strict there)', () => {
    const text = record
      .replace('signature: \u00a0', 'signature: null')
      .replace(`${'a'.repeat(64)}`, `${'a'.repeat(64)}\u00a0`);
    const fastPath = parseTrustRecordText(text, 'trust-record.yaml');
    const fullPath = parseTrustRecordText(`${text}registries: {} # unrelated\n`, 'trust-record.yaml');
    assert.deepEqual(fastPath.packages, fullPath.packages);
  });
});

const long = 'k'.repeat(1025);

describe('an implicit key over 1024 characters', () => {
  it('is rejected by the full path (sanity check; passes)', () => {
    assert.equal(full(`${long}: v\n`).ok, false);
    assert.equal(full(`'${'k'.repeat(1023)}': v\n`).ok, false);
  });
  it('is left to the full parser by the block-mapping reader (plain key)', () =>
    assert.equal(parseBlockMapping(`${long}: v\n`), undefined));
  it('is left to the full parser by the block-mapping reader (quoted key: 1023 characters + 2 quotes)', () =>
    assert.equal(parseBlockMapping(`'${'k'.repeat(1023)}': v\n`), undefined));
  it('is left to the full parser by the lazy reader (a package name)', () =>
    assert.equal(parseBlockMappingLazily(`packages:\n  ${long}:\n    version: 1.0.0\n`, 'packages'), undefined));
  it('is left to the full parser by the config/manifest reader', () =>
    assert.equal(parseSimpleYaml(`${long}: v\n`), undefined));
  it('makes a lock file invalid (LOCKFILE_INVALID), as the full path does', () =>
    assert.throws(
      () => parseLockText(`lockfile_version: 1\npackages:\n  ${long}:\n    version: 1.0.0\n`, 'aam-lock.yaml'),
      /not valid YAML/,
    ));
});
