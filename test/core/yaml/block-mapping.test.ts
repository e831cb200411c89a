import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  parseBlockMapping,
  parseBlockMappingLazily,
  shapesReused,
  UNBUILT,
} from '../../../src/core/yaml/block-mapping.ts';
import { YamlSource } from '../../../src/core/yaml/source.ts';
import { toYamlText } from '../../../src/core/yaml/io.ts';
import { random } from '../../helpers/bundle-mutations.ts';

/** Documents to try: a CI-sized run by default, `npm run fuzz` sets more. */
const CASES = Number(process.env.AAM_FUZZ_CASES ?? 150) * 20;

/** What the full parser makes of a text: its value, or that it is an error. */
function full(text: string): { ok: true; value: unknown } | { ok: false } {
  const source = new YamlSource(text);
  if (source.doc.errors.length > 0) return { ok: false };
  try {
    const value = source.doc.toJS({ maxAliasCount: 64 });
    return { ok: true, value: value ?? {} };
  } catch {
    return { ok: false };
  }
}

/** Pieces the fast reader should read, and pieces it must leave to the full parser (or read exactly as it does). */
const GOOD = {
  keys: [
    'name',
    'version',
    'aam.yaml',
    'prompts/main.md',
    'prompts/a b.md',
    '"@acme/pkg"',
    "'@acme/pkg'",
    'a-b',
    '1.0.0',
    'ké',
    '.hidden',
    '"quoted: key"',
    'a:b',
  ],
  values: [
    '',
    ' 1.0.0',
    ' 12',
    ' -7',
    ' -0',
    ' true',
    ' False',
    ' null',
    ' ~',
    ' sha256:abc',
    ' http://127.0.0.1:8080/x',
    ' "quoted"',
    " 'single'",
    ' {}',
    ' []',
    ' a#b',
    ' -x',
    ' value   ',
    ' 2026-11-22T08:00:00.000Z',
    ' é',
    " it's",
    ' a "b" c',
    ' x [y] {z}',
  ],
};
const HARD = {
  keys: [
    '123',
    'true',
    'null',
    '~',
    '"a\\"b"',
    '__proto__',
    '-',
    '- a',
    '? k',
    '&a k',
    'k#c',
    '"k" ',
    'key ',
    ' key',
    "'it''s'",
    '[a]',
    '{a}',
    '!t k',
    '*a',
    // Keys over YAML's 1,024 characters (found by a hostile review).
    'k'.repeat(1025),
    `'${'k'.repeat(1023)}'`,
  ],
  values: [
    ' 007',
    ' 1e3',
    ' .5',
    ' 0x1F',
    ' 0o17',
    ' .inf',
    ' .NaN',
    " 'it''s'",
    ' "esc\\n"',
    ' {a: 1}',
    ' [1, 2]',
    ' &anchor x',
    ' *alias',
    ' !tag x',
    ' |',
    ' >',
    ' a: b',
    ' a # comment',
    ' - x',
    ' @at',
    ' `tick',
    ' %pct',
    ' ,c',
    ' "unterminated',
    ' 123456789012345678',
    ' +5',
    ' 1.5',
    ' a\tb',
    ' "a" b',
    '\tx',
    ':x',
    ' ::',
    ' a:',
    ' -',
    // Unicode spaces YAML keeps as content, where String.prototype.trim strips them (a hostile review).
    ' value\u00a0',
    ' \u3000value',
    ' \u00a0',
    ' "x"\u2003',
    ' a\u202f',
  ],
  lines: [
    '',
    '# comment',
    '  # indented comment',
    '---',
    '...',
    '- item',
    '\t\tkey: v',
    '%YAML 1.2',
    '\r',
    '  continued',
    '"unterminated: 1',
  ],
};

function pick<T>(rand: () => number, list: readonly T[]): T {
  return list[Math.floor(rand() * list.length)]!;
}

function generate(rand: () => number): string {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)]!;
  // Half the documents stay within what the fast reader reads; the rest mix in hard pieces.
  const hard = rand() < 0.5 ? 0 : 0.15;
  const out: string[] = [];
  const depth = [0];
  const lines = 1 + Math.floor(rand() * 12);
  for (let i = 0; i < lines; i++) {
    if (rand() < hard / 2) {
      out.push(pick(HARD.lines));
      continue;
    }
    let indent = depth[depth.length - 1]!;
    if (rand() < 0.2 && depth.length > 1) {
      depth.pop();
      indent = depth[depth.length - 1]!;
    }
    const key = rand() < hard ? pick(HARD.keys) : pick(GOOD.keys);
    const value = rand() < 0.3 ? '' : rand() < hard ? pick(HARD.values) : pick(GOOD.values);
    out.push(`${' '.repeat(indent + (rand() < hard / 4 ? 1 : 0))}${key}:${value}`);
    if (value === '' && rand() < 0.3) {
      // A block sequence, at the key's column (as AAM writes them) or deeper, now and then one column off.
      const at = indent + (rand() < 0.6 ? 0 : 2) + (rand() < hard / 2 ? 1 : 0);
      for (let k = 1 + Math.floor(rand() * 3); k > 0; k--) {
        const item = rand() < hard ? pick(HARD.values) : pick(GOOD.values);
        out.push(`${' '.repeat(at)}-${rand() < hard / 4 ? '' : ' '}${item.trimStart()}`);
      }
      if (rand() < 0.3) out.push(`${' '.repeat(at + (rand() < 0.5 ? 0 : 2))}${pick(GOOD.keys)}: x`);
    } else if (value === '' && rand() < 0.7) depth.push(indent + (rand() < 0.8 ? 2 : 4));
  }
  return out.join(rand() < 0.05 ? '\r\n' : '\n') + (rand() < 0.5 ? '\n' : '');
}

/**
 * The lazy reading of `text` under each of its top-level keys (and a key it
 * does not have) against the whole reading: undefined exactly when that is;
 * the same keys in the same order; every entry built alone equal to the
 * whole reading's. How many entries were built unread.
 */
function lazyAgrees(text: string, fast: Record<string, unknown> | undefined, also: string[] = []): number {
  let built = 0;
  for (const key of new Set([...Object.keys(fast ?? {}), ...also, 'absent'])) {
    const lazy = parseBlockMappingLazily(text, key);
    if (fast === undefined) {
      assert.equal(lazy, undefined, `the lazy reader read what the whole reader does not:\n${text}`);
      continue;
    }
    assert.ok(lazy, text);
    const whole = fast[key];
    const under = lazy.root[key];
    if (!whole || typeof whole !== 'object' || Array.isArray(whole)) {
      assert.deepEqual(lazy.root, fast, text);
      continue;
    }
    assert.deepEqual(Object.keys(under as object), Object.keys(whole), text);
    for (const name of Object.keys(whole)) {
      const value: unknown = (whole as Record<string, unknown>)[name];
      if ((under as Record<string, unknown>)[name] === UNBUILT) built++;
      else assert.deepEqual((under as Record<string, unknown>)[name], value, text);
      assert.deepEqual(lazy.entry(name), value, `${name} in:\n${text}`);
    }
    assert.deepEqual({ ...lazy.root, [key]: whole }, fast, text);
    assert.equal(lazy.entry('constructor'), undefined);
  }
  return built;
}

describe('the block-mapping reader', () => {
  it('reads what AAM writes (lock files, metadata, indexes) without the full parser, with the same result', () => {
    const lock = {
      lockfile_version: 1,
      resolved_at: '2026-11-22T08:14:32.128Z',
      packages: {
        '@acme/one': {
          version: '1.0.0',
          source: 'team',
          checksum: `sha256:${'a'.repeat(64)}`,
          dependencies: {},
          file_checksums: {
            algorithm: 'sha256',
            files: { 'aam.yaml': 'b'.repeat(64), 'prompts/a b.md': 'c'.repeat(64) },
          },
          source_name: null,
          signature: {
            type: 'sigstore',
            identity: 'https://github.com/acme/tools/.github/workflows/release.yml@refs/heads/main',
            transparency_log: { log_index: '42', url: 'http://127.0.0.1:1' },
          },
        },
        plain: {
          version: '2.0.0-rc.1',
          source: 'team',
          checksum: `sha256:${'d'.repeat(64)}`,
          dependencies: { '@acme/one': '^1.0.0' },
        },
      },
    };
    const metadata = {
      name: '@acme/one',
      description: 'Says: "hello" — #1',
      author: null,
      keywords: [],
      dist_tags: { latest: '1.0.0' },
      count: 3,
    };
    const record = {
      record_version: 1,
      packages: {
        '@acme/one': {
          version: '1.0.0',
          checksum: `sha256:${'a'.repeat(64)}`,
          signature: { type: 'gpg', fingerprint: 'F'.repeat(40) },
          platforms: ['cursor', 'claude'],
          recorded_at: '2026-12-03T07:19:17.779Z',
        },
        '@acme/two': { version: '2.0.0', platforms: [] },
      },
    };
    for (const value of [lock, metadata, record]) {
      const text = toYamlText(value);
      const fast = parseBlockMapping(text);
      const reference = full(text);
      assert.ok(reference.ok);
      if (value !== metadata)
        assert.notEqual(fast, undefined, 'lock files and trust records should not need the full parser');
      if (fast !== undefined) assert.deepEqual(fast, reference.value);
    }
  });

  it(`builds an entry alone as the whole reading does, on ${CASES} generated lock-like documents`, () => {
    const rand = random(12);
    let built = 0;
    let whole = 0;
    for (let n = 0; n < CASES; n++) {
      // Entries under `packages:` (at two columns, or one now and then), each a generated document
      // indented under its key, among other top-level keys; now and then an entry that is a scalar.
      const column = rand() < 0.9 ? 2 : 1;
      const entries = Array.from({ length: 1 + Math.floor(rand() * 4) }, (_, i) => {
        const key = rand() < 0.8 ? `'@acme/p${i}'` : pick(rand, [...GOOD.keys, ...HARD.keys]);
        if (rand() < 0.1) return `${' '.repeat(column)}${key}: ${pick(rand, GOOD.values).trim() || 'x'}`;
        const body = generate(rand)
          .split(/\r?\n/)
          .map((line) => (line ? `${' '.repeat(column + 2)}${line}` : line));
        return [`${' '.repeat(column)}${key}:`, ...body].join('\n');
      });
      const text = ['lockfile_version: 1', 'packages:', ...entries, rand() < 0.5 ? 'after: 1' : '# end'].join('\n');
      const fast = parseBlockMapping(text);
      if (fast) whole++;
      built += lazyAgrees(text, fast, ['packages']);
    }
    assert.ok(whole > CASES / 20, `only ${whole} of ${CASES} documents were read`);
    assert.ok(built > CASES / 20, `only ${built} entries were built lazily`);
    process.stdout.write(
      `# lazy reader: ${whole} of ${CASES} lock-like documents read, ${built} entries built alone, all as read whole\n`,
    );
  });

  it(`reads an entry of a shape it read before as that one, on ${CASES} generated lock-like documents`, () => {
    // Entries made from one or two bodies whose values change from entry to entry: mostly values the
    // shape leaves out (strings), now and then one that only looks like them, or a line of another kind.
    const rand = random(13);
    const hex = (c: string) => c.repeat(64);
    const strings = [
      ` sha256:${hex('a')}`,
      ` sha256:${hex('b')}`,
      " '4100033'",
      " '2026-12-04T12:31:41.000Z'",
      " ''",
      ' ""',
      ' "a b"',
      ' 1.0.0',
      ' 2.10.3-rc.1',
      ' 10.0.0+build.5',
      ' http://127.0.0.1:1/oidc',
      ' bench@example.com',
      ' a_b',
      ' 1_000',
      ' x/y',
    ];
    const nearly = [
      ' 1.0',
      ' 1.0.0:',
      ' 1.0.0 ',
      ' 1.0.0\t',
      ' 1.0.0 #c',
      ' sha256:',
      ` sha256: ${hex('c')}`,
      `  sha256:${hex('d')}`,
      ' a:',
      " 'a'b'",
      ' "a\\"b"',
      ' "a"b"',
      ' http://x #c',
      ' _x',
      ' @x',
      ' -x/y',
      ' 0x1F',
      ' 1e3',
      ' true',
      ' null',
      ' ~',
      ' {}',
      ' []',
      ' &a x/y',
      ' !!str x/y',
      '',
    ];
    const body = (): string[] => {
      const lines: string[] = [];
      const depth = [0];
      for (let i = 1 + Math.floor(rand() * 8); i > 0; i--) {
        if (rand() < 0.2 && depth.length > 1) depth.pop();
        const indent = depth[depth.length - 1]!;
        const r = rand();
        const key = r < 0.7 ? `k${i}` : r < 0.97 ? pick(rand, GOOD.keys) : pick(rand, HARD.keys);
        if (rand() < 0.25) {
          lines.push(`${' '.repeat(indent)}${key}:`);
          if (rand() < 0.3) {
            const at = indent + (rand() < 0.7 ? 0 : 2);
            for (let k = 1 + Math.floor(rand() * 2); k > 0; k--) lines.push(`${' '.repeat(at)}-\u0001`);
          } else depth.push(indent + 2);
        } else lines.push(`${' '.repeat(indent)}${key}:\u0001`);
      }
      return lines;
    };
    const before = shapesReused.count;
    let read = 0;
    for (let n = 0; n < CASES; n++) {
      const bodies = [body(), body()];
      const column = rand() < 0.9 ? 2 : 1;
      const entries = Array.from({ length: 2 + Math.floor(rand() * 5) }, (_, i) => {
        const lines = pick(rand, rand() < 0.7 ? bodies.slice(0, 1) : bodies).map((line) =>
          line.replace('\u0001', () => (rand() < 0.96 ? pick(rand, strings) : pick(rand, nearly))),
        );
        // Now and then a line of another kind among the entry's, or one deeper or shallower.
        if (rand() < 0.1) lines.splice(Math.floor(rand() * (lines.length + 1)), 0, pick(rand, HARD.lines));
        if (rand() < 0.05) {
          const k = Math.floor(rand() * lines.length);
          lines[k] = rand() < 0.5 ? ` ${lines[k]}` : lines[k]!.slice(1);
        }
        const key = rand() < 0.95 ? `'@acme/p${i}'` : pick(rand, ['dup', 'dup', ...HARD.keys]);
        return [`${' '.repeat(column)}${key}:`, ...lines.map((line) => `${' '.repeat(column + 2)}${line}`)].join('\n');
      });
      const text = ['lockfile_version: 1', 'packages:', ...entries, rand() < 0.5 ? 'after: 1' : '# end'].join(
        rand() < 0.05 ? '\r\n' : '\n',
      );
      const fast = parseBlockMapping(text);
      // Under `packages` also where the whole reading gives up: an entry taken by its shape must not hide why.
      lazyAgrees(text, fast, ['packages']);
      if (fast === undefined) continue;
      read++;
      const reference = full(text);
      assert.ok(reference.ok, `the full parser rejects what the fast reader read:\n${text}`);
      assert.deepEqual(fast, reference.value, text);
    }
    const reused = shapesReused.count - before;
    assert.ok(read > CASES / 10, `only ${read} of ${CASES} documents were read`);
    assert.ok(reused > CASES / 4, `only ${reused} entries were taken by their shape`);
    process.stdout.write(
      `# lazy reader: ${read} of ${CASES} documents of repeated entries read, ${reused} entries taken by their shape, all as read whole\n`,
    );
  });

  it(`agrees with the full parser on ${CASES} generated documents, or leaves them to it`, () => {
    const rand = random(11);
    let read = 0;
    for (let n = 0; n < CASES; n++) {
      const text = generate(rand);
      const fast = parseBlockMapping(text);
      lazyAgrees(text, fast);
      if (fast === undefined) continue;
      read++;
      const reference = full(text);
      assert.ok(reference.ok, `the full parser rejects what the fast reader read:\n${text}`);
      assert.deepEqual(fast, reference.value, text);
    }
    // The generator must exercise the fast path, not only the bail-outs.
    assert.ok(read > CASES / 10, `only ${read} of ${CASES} documents were read by the fast reader`);
    process.stdout.write(
      `# block-mapping reader: ${read} of ${CASES} generated documents read, all as the full parser reads them\n`,
    );
  });
});
