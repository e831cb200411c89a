/**
 * Editor latency: what one keystroke in a config file costs (the text is
 * validated again: YAML parse, schema, policy rules), for a 100-line and a
 * 5,000-line config. The compiled schema is reused, as in the editor.
 * Run as its own process: node bench/editor.ts [EDITS_OF_THE_LARGE_CONFIG]
 */
import { validateConfigText } from '../src/core/config/validate.ts';

export function configOfLines(lines: number): string {
  const head = [
    '# AAM config',
    'default_platform: claude',
    'active_platforms: [claude, cursor]',
    'registries:',
    '  - name: team',
    '    url: file:///srv/aam/registry',
    '    type: local',
    '    default: true',
    'author:',
    '  name: Alice Example',
    '  email: alice@example.com',
    'security:',
    '  require_signature: true',
    '  on_signature_failure: error # warn | error | ignore',
    '  verify_transparency_log: true',
    '  allowed_issuers:',
    '    - https://accounts.google.com',
    '    - https://token.actions.githubusercontent.com',
    '  trusted_keys:',
    '    - 0123 4567 89AB CDEF 0123 4567 89AB CDEF 0123 4567',
    '  trusted_identities:',
  ];
  const out = [...head];
  for (let i = 0; out.length < lines; i++) {
    out.push(
      i % 3 === 0
        ? `    - "user${i}@example.com"`
        : i % 3 === 1
          ? `    - github:acme/tool-${i}`
          : `    - "*@team${i}.example.org" # team ${i}`,
    );
  }
  return `${out.join('\n')}\n`;
}

/** Median milliseconds of validating `text` after a one-character edit, over `runs` edits. */
export function keystrokeMs(text: string, runs: number): number {
  const times: number[] = [];
  validateConfigText(text);
  for (let i = 0; i < runs; i++) {
    // A keystroke: the same text with one character typed at the end of a comment.
    const edited = text.replace('# AAM config', `# AAM config${'x'.repeat(i % 7)}`);
    const started = performance.now();
    const result = validateConfigText(edited);
    times.push(performance.now() - started);
    if (result.value === undefined)
      throw new Error(`the benchmark config does not parse: ${result.diagnostics[0]?.message}`);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

if (import.meta.main) {
  console.log(
    JSON.stringify({
      validate_100_lines_ms: keystrokeMs(configOfLines(100), 200),
      validate_5000_lines_ms: keystrokeMs(configOfLines(5000), Number(process.argv[2] ?? 20)),
    }),
  );
}
