import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { validateConfigText } from '../../../src/core/config/validate.ts';
import { parseManifest } from '../../../src/core/package/manifest.ts';
import { parseSimpleYaml } from '../../../src/core/yaml/simple-yaml.ts';
import { YamlSource } from '../../../src/core/yaml/source.ts';
import type { YamlPath } from '../../../src/core/yaml/source.ts';
import { random } from '../../helpers/bundle-mutations.ts';

/** Documents to try: a CI-sized run by default, `npm run fuzz` sets more. */
const CASES = Number(process.env.AAM_FUZZ_CASES ?? 150) * 20;

/** Every path in a value, and for each container one path that is not there. */
function paths(value: unknown, prefix: YamlPath = []): YamlPath[] {
  const out: YamlPath[] = [prefix];
  if (Array.isArray(value)) {
    value.forEach((item, i) => out.push(...paths(item, [...prefix, i])));
    out.push([...prefix, value.length]);
  } else if (value && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) out.push(...paths(item, [...prefix, key]));
    out.push([...prefix, 'absent'], [...prefix, 'absent', 0]);
  }
  return out;
}

/** The reading of `text` by both, when the fast one reads it: same value, same ranges for every path. */
function compare(text: string): boolean {
  const fast = parseSimpleYaml(text);
  if (!fast) return false;
  const full = new YamlSource(text);
  assert.deepEqual(
    full.doc.errors.map((e) => e.message),
    [],
    `the full parser rejects what the fast reader read:\n${text}`,
  );
  assert.deepEqual(
    full.doc.warnings.map((e) => e.message),
    [],
    text,
  );
  const value = full.doc.toJS({ maxAliasCount: 64 });
  assert.deepEqual(fast.value, value ?? null, text);
  for (const path of paths(value)) {
    assert.deepEqual(fast.valueRange(path), full.valueRange(path), `valueRange ${JSON.stringify(path)} in\n${text}`);
    assert.deepEqual(fast.keyRange(path), full.keyRange(path), `keyRange ${JSON.stringify(path)} in\n${text}`);
  }
  // What the editor shows is the same either way: every diagnostic, at the same place.
  const validated = validateConfigText(text);
  const reference = validateConfigText(text, { parser: 'full' });
  assert.deepEqual(validated.diagnostics, reference.diagnostics, text);
  assert.deepEqual(validated.value, reference.value, text);
  return true;
}

const KEYS = [
  'security',
  'trusted_identities',
  'trusted_keys',
  'on_signature_failure',
  'require_signature',
  'registries',
  'name',
  'url',
  'type',
  'a',
  'b-c',
  'x.y',
  '"quoted key"',
  "'single'",
  'with space',
  'requre_signature',
  // aam.yaml's keys: manifests go through the same reader.
  'version',
  'description',
  'artifacts',
  'prompts',
  'dependencies',
];
const SCALARS = [
  '1',
  '-3',
  'true',
  'null',
  '~',
  'warn',
  'eror',
  'ignore',
  '*@*',
  'github:',
  '0123456789ABCDEF0123456789ABCDEF01234567',
  '01 23 45 67 89 AB CD EF 01 23 45 67 89 AB CD EF 01 23 45 67',
  'alice@example.com',
  '"*@example.com"',
  "'github:acme'",
  "'it''s'",
  'file:///srv/reg',
  'https://x.example/a#b',
  '""',
  "''",
  'é ü',
  '0123 4567',
  '2026-11-22',
  '1.0.0',
  '0.10.2',
  '"@bench/pkg-00000"',
  'prompts/pkg-00000.md',
  '"64 KiB of content"',
  '^1.2.0',
  '">=1.0.0 <2"',
];
const FLOWS = ['[]', '[ ]', '{}', '{ }', '[claude, cursor]', '["a", \'b\', c]', '[ 1 , 2 ]', '[a]'];
const HARD = [
  '&a x',
  '*a',
  '!t x',
  '|',
  '>',
  '"esc\\n"',
  '[a, [b]]',
  '{a: 1}',
  '[a,]',
  'a: b',
  'x # c',
  '- x',
  '@x',
  '0x1F',
  '1.5',
  '"unterminated',
  "'a'b",
];

function generate(rand: () => number): string {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)]!;
  const hard = rand() < 0.5 ? 0 : 0.1;
  const lines: string[] = [];
  const comment = () => (rand() < 0.15 ? `${' '.repeat(1 + Math.floor(rand() * 3))}# note` : '');
  const value = () => (rand() < hard ? pick(HARD) : rand() < 0.2 ? pick(FLOWS) : pick(SCALARS));
  let budget = 3 + Math.floor(rand() * 14);
  const block = (indent: number, depth: number): void => {
    const used = new Set<string>();
    const entries = 1 + Math.floor(rand() * 4);
    for (let e = 0; e < entries && budget > 0; e++, budget--) {
      if (rand() < 0.1) lines.push(rand() < 0.5 ? '' : `${' '.repeat(Math.floor(rand() * (indent + 3)))}# comment`);
      let key = pick(KEYS);
      if (used.has(key) && rand() > hard) continue;
      used.add(key);
      const pad = ' '.repeat(indent);
      const roll = rand();
      if (roll < 0.45 || depth > 3) {
        lines.push(`${pad}${key}: ${value()}${comment()}`);
      } else if (roll < 0.7) {
        lines.push(`${pad}${key}:${rand() < 0.1 ? '   ' : ''}${comment()}`);
        if (rand() < 0.85) block(indent + (rand() < 0.8 ? 2 : 4), depth + 1);
      } else {
        lines.push(`${pad}${key}:${comment()}`);
        const seqIndent = rand() < 0.2 ? indent : indent + 2;
        const items = Math.floor(rand() * 4);
        for (let i = 0; i < items; i++) {
          const dash = `${' '.repeat(seqIndent)}-`;
          const kind = rand();
          if (kind < 0.6) lines.push(`${dash} ${value()}${comment()}`);
          else if (kind < 0.7) lines.push(dash);
          else {
            lines.push(`${dash} name: ${pick(SCALARS)}${comment()}`);
            // A manifest's artifacts: name, path and description; a config's registries: name and url.
            for (const field of ['url', 'path', 'description'])
              if (rand() < 0.5) lines.push(`${' '.repeat(seqIndent + 2)}${field}: ${pick(SCALARS)}`);
          }
        }
      }
      key = '';
    }
  };
  if (rand() < 0.2) lines.push('# Header comment');
  block(0, 0);
  return lines.join('\n') + (rand() < 0.7 ? '\n' : '');
}

describe('the config-YAML reader with positions', () => {
  it('reads a config as the full parser does, with the same key and value ranges', () => {
    const text = [
      '# AAM config',
      'registries:',
      '  - name: team',
      '    url: file:///srv/registry # shared',
      '    default: true',
      'security:',
      '  on_signature_failure: warn # warn | error | ignore',
      '  trusted_identities:',
      '    - "*@example.com"',
      '    - github:acme/tools',
      '  trusted_keys: []',
      '  allowed_issuers: [https://accounts.google.com, "https://token.actions.githubusercontent.com"]',
      'active_platforms:',
      '- claude',
      '- cursor',
      'author:',
      '',
    ].join('\n');
    assert.ok(compare(text), 'a typical config should not need the full parser');
  });

  it('reads a package manifest (aam.yaml) as the full parser does, and parseManifest gives the same either way', () => {
    const text = [
      'name: "@acme/tools"',
      'version: 1.2.0',
      'description: "Review helpers"',
      'author: Ann',
      'keywords: [review, lint]',
      'dependencies:',
      '  "@acme/base": ^1.0.0',
      'artifacts:',
      '  prompts:',
      '    - name: review',
      '      path: prompts/review.md',
      '      description: "Reviews a change"',
      '  skills:',
      '  - name: lint-fix',
      '    path: skills/lint-fix',
      '    description: Fixes lint # inline comment',
      '',
    ].join('\n');
    assert.ok(compare(text), 'a typical manifest should not need the full parser');
    // An anchor leaves the text to the full parser; the manifest read is the same (it ignores other keys).
    const full = `${text}x: &a 1\n`;
    assert.equal(parseSimpleYaml(full), undefined);
    assert.deepEqual(parseManifest(text), parseManifest(full));
    assert.equal(parseManifest(text).artifacts.skills[0]?.path, 'skills/lint-fix');
  });

  it(`agrees with the full parser on ${CASES} generated configs (values and every range), or leaves them to it`, () => {
    const rand = random(23);
    let read = 0;
    for (let n = 0; n < CASES; n++) if (compare(generate(rand))) read++;
    assert.ok(read > CASES / 5, `only ${read} of ${CASES} documents were read by the fast reader`);
    process.stdout.write(
      `# config reader: ${read} of ${CASES} generated configs read, values and ranges as the full parser gives them\n`,
    );
  });
});
