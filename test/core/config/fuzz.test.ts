import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { validateConfigText } from '../../../src/core/config/validate.ts';
import { random } from '../../helpers/bundle-mutations.ts';
import { cpuMsSince } from '../../helpers/cpu.ts';

/** How many mutated documents: a CI-sized run by default, `npm run fuzz` sets more. */
const CASES = Number(process.env.AAM_FUZZ_CASES ?? 2000);

export const SEED = `# AAM config
default_platform: cursor
active_platforms: [cursor, claude]
registries:
  - name: local
    url: file:///home/me/registry
    type: local
security:
  require_checksum: true
  require_signature: true
  on_signature_failure: error   # fail closed
  trusted_identities:
    - "*@example.com"
    - github:acme/tools
    - https://ci.example.com/workflow
  trusted_keys:
    - 'ABCD EF01 2345 6789 ABCD  EF01 2345 6789 ABCD EF01'
  allowed_issuers: [https://accounts.example.com]
  signing_method: sigstore
  verify_transparency_log: true
author:
  name: Me
  email: me@example.com
publish:
  default_scope: acme
`;

/** YAML's sharp edges: indicators, anchors and aliases, tags, block scalars, flow collections, directives, odd whitespace. */
const PIECES = [
  '&a ',
  '*a',
  '!!str ',
  '!tag ',
  '|',
  '>-',
  '{',
  '}',
  '[',
  ']',
  ',',
  ':',
  ': ',
  '- ',
  '? ',
  '#',
  "'",
  '"',
  '\\',
  '%YAML 1.2\n---\n',
  '---',
  '...',
  '\t',
  '\r\n',
  '\n',
  ' ',
  '  ',
  '\u0000',
  '\ufeff',
  '\u2028',
  'é',
  '🙂',
  '<<: *a',
  '~',
  'null',
  '0x1F',
  '1e400',
  '.inf',
  '@',
  '`',
  '*',
  '&',
  '!',
  '%',
  'security:',
  'trusted_identities:',
  'require_signature',
  'x'.repeat(300),
];

export function mutate(text: string, rand: () => number): string {
  const pick = <T>(items: readonly T[]) => items[Math.floor(rand() * items.length)]!;
  const lines = text.split('\n');
  let out = text;
  const steps = 1 + Math.floor(rand() * 4);
  for (let s = 0; s < steps; s++) {
    const kind = rand();
    const at = Math.floor(rand() * (out.length + 1));
    if (kind < 0.35) out = out.slice(0, at) + pick(PIECES) + out.slice(at);
    else if (kind < 0.55) out = out.slice(0, at) + out.slice(at + 1 + Math.floor(rand() * 20));
    else if (kind < 0.65) out = out.slice(0, at) + String.fromCharCode(Math.floor(rand() * 0x3000)) + out.slice(at + 1);
    else if (kind < 0.75) {
      const i = Math.floor(rand() * lines.length);
      out = out
        .split('\n')
        .map((line, n) => (n === i ? `${' '.repeat(Math.floor(rand() * 6))}${line.trimStart()}` : line))
        .join('\n');
    } else if (kind < 0.85) out = out.slice(0, at);
    else if (kind < 0.93) {
      const i = Math.floor(rand() * lines.length);
      const copy = out.split('\n');
      copy.splice(Math.floor(rand() * copy.length), 0, lines[i]!);
      out = copy.join('\n');
    } else out = out + pick(PIECES).repeat(1 + Math.floor(rand() * 50));
  }
  return out;
}

/** Exponential alias expansion: each level refers to the previous one ten times. */
export function billionLaughs(levels = 9): string {
  let text = 'a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n';
  for (let i = 1; i <= levels; i++)
    text += `a${i}: &a${i} [${Array.from({ length: 10 }, () => `*a${i - 1}`).join(',')}]\n`;
  return `${text}security:\n  trusted_identities: *a${levels}\n`;
}

describe('config validation under hostile input', () => {
  it(`never throws, always answers with diagnostics inside the text, in bounded time, for ${CASES} mutated documents`, () => {
    const rand = random(4242);
    const counts = { tried: 0, withDiagnostics: 0, clean: 0, slowestMs: 0 };
    for (let n = 0; n < CASES; n++) {
      const text = mutate(SEED, rand);
      const started = process.cpuUsage();
      let result;
      try {
        result = validateConfigText(text);
      } catch (error) {
        assert.fail(`case ${n} threw ${String(error)} for ${JSON.stringify(text)}`);
      }
      const ms = cpuMsSince(started);
      counts.slowestMs = Math.max(counts.slowestMs, ms);
      assert.ok(ms < 1000, `case ${n} took ${ms} ms: ${JSON.stringify(text)}`);
      assert.ok(Array.isArray(result.diagnostics));
      const lineCount = text.split(/\r\n|\r|\n|\u2028|\u2029/).length;
      for (const d of result.diagnostics) {
        assert.ok(
          d.range.start.line >= 0 && d.range.end.line >= d.range.start.line && d.range.start.line < lineCount + 1,
          `case ${n}: range ${JSON.stringify(d.range)} outside ${lineCount} lines`,
        );
        assert.ok(typeof d.message === 'string' && d.message.length > 0, `case ${n}: a diagnostic without a message`);
      }
      counts.tried++;
      if (result.diagnostics.length > 0) counts.withDiagnostics++;
      else counts.clean++;
    }
    assert.ok(counts.withDiagnostics > CASES / 4, `mutations should mostly be reported: ${JSON.stringify(counts)}`);
    console.log(`Config mutations: ${JSON.stringify({ ...counts, slowestMs: Math.round(counts.slowestMs) })}`);
  });

  it('reports a collection used as a key as a diagnostic, and prints no process warning', async () => {
    const warnings: string[] = [];
    const listen = (warning: Error) => warnings.push(warning.message);
    process.on('warning', listen);
    try {
      const result = validateConfigText('security:\n  ? {a: 1}\n  : x\n  ? [b]\n  : y\n');
      assert.ok(
        result.diagnostics.some((d) => d.code === 'UNKNOWN_KEY'),
        JSON.stringify(result.diagnostics),
      );
      await new Promise((resolve) => setImmediate(resolve)); // warnings are emitted on the next tick
    } finally {
      process.off('warning', listen);
    }
    assert.deepEqual(warnings, []);
  });

  it('refuses a "billion laughs" document fast, with a diagnostic', () => {
    const started = process.cpuUsage();
    const result = validateConfigText(billionLaughs());
    assert.ok(cpuMsSince(started) < 500, `took ${cpuMsSince(started)} ms of CPU`);
    assert.ok(
      result.diagnostics.some((d) => d.code === 'YAML_ALIASES'),
      JSON.stringify(result.diagnostics.map((d) => d.code)),
    );
  });

  it('refuses a document far larger than any config', () => {
    const result = validateConfigText(`security:\n  trusted_identities:\n${'    - a@example.com\n'.repeat(500_000)}`);
    assert.deepEqual(
      result.diagnostics.map((d) => d.code),
      ['YAML_TOO_LARGE'],
    );
  });

  /**
   * How much longer validating grows when the input grows 4×: about 4 when
   * linear, 16 when quadratic. Measured in this thread's CPU time (best of
   * three), which other processes on a busy machine do not inflate as they
   * do wall time; no absolute time is asserted.
   */
  const cpuMs = () => {
    const used = process.threadCpuUsage();
    return (used.user + used.system) / 1000;
  };

  /**
   * The lowest of up to three measurements of that growth, stopping once one is under `limit`. A
   * quadratic cost is over it every time; a garbage collection or a busy neighbour on one measurement
   * is not (CI once saw 9.0 for a linear document on two shared cores).
   */
  function growth(make: (n: number) => string, n: number, limit = 9): number {
    let lowest = Infinity;
    for (let attempt = 0; attempt < 3 && lowest >= limit; attempt++) lowest = Math.min(lowest, growthOnce(make, n));
    return lowest;
  }

  function growthOnce(make: (n: number) => string, n: number): number {
    const best = (text: string) => {
      let fastest = Infinity;
      for (let i = 0; i < 3; i++) {
        const started = cpuMs();
        const result = validateConfigText(text);
        fastest = Math.min(fastest, cpuMs() - started);
        assert.ok(result.diagnostics.length >= 0);
      }
      return fastest;
    };
    const small = make(n);
    const large = make(4 * n);
    // A floor of 2 ms: below it a ratio is timer noise, and a quadratic cost at 4n is far above it.
    return best(large) / Math.max(best(small), 2);
  }

  it('stays linear on large documents with a diagnostic on every line (lookups were once quadratic)', () => {
    const documents: Record<string, (n: number) => string> = {
      'unknown keys': (n) => `security:\n${Array.from({ length: n }, (_, i) => `  k${i}: v\n`).join('')}`,
      'duplicate entries': (n) => `security:\n  trusted_identities:\n${'    - a@example.com\n'.repeat(n)}`,
      'unknown keys, full parser': (n) =>
        `security:\n${Array.from({ length: n }, (_, i) => `  k${i}: &a${i} v\n`).join('')}`,
    };
    for (const [what, make] of Object.entries(documents)) {
      assert.ok(validateConfigText(make(100)).diagnostics.length > 0, what);
      const ratio = growth(make, 10_000);
      assert.ok(ratio < 9, `${what}: 4× the lines took ${ratio.toFixed(1)}× the time`);
    }
  });

  it('has no pathological patterns: long runs of the characters patterns look at validate in linear time', () => {
    for (const piece of ['*', '@', '.', ':', '/', ' ', '-', 'a', '0', 'github:', '*@', 'https://']) {
      const documents = [
        (n: number) => `security:\n  trusted_identities: ["${piece.repeat(n)}"]\n`,
        (n: number) => `security:\n  trusted_keys: ["${piece.repeat(n)}"]\n`,
        (n: number) => `${piece.repeat(n)}: 1\n`,
        (n: number) => `security:\n  sigstore_endpoint: "${piece.repeat(n)}"\n`,
      ];
      for (const make of documents) {
        const ratio = growth(make, 5_000);
        assert.ok(ratio < 9, `${JSON.stringify(piece)}: 4× as long took ${ratio.toFixed(1)}× the time`);
      }
    }
  });
});
