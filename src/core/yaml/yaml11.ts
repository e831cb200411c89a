import { stringify, visit } from 'yaml';
import type { Document, Node } from 'yaml';

/**
 * What AAM Trust writes for the AAM CLI must read the same in YAML 1.2 (the
 * `yaml` library, how AAM Trust reads) and YAML 1.1 (PyYAML, how AAM reads;
 * SPEC §1). Two differences matter to a writer:
 *
 * - YAML 1.1 takes U+0085, U+2028 and U+2029 for line breaks; 1.2 does not.
 *   Written raw in a plain scalar, `issuer: a⏎on_signature_failure: ignore`
 *   is one string to AAM Trust and an extra key to AAM (the last duplicate
 *   wins). In double quotes the escapes `\N`, `\L`, `\P` mean the same
 *   character to both.
 * - YAML 1.1 reads more plain words as other types: `yes`, `on`, `2026-01-01`.
 */
const BREAKS_1_1 = /[\u0085\u2028\u2029]/;
const ESCAPES: Record<string, string> = { '\u0085': '\\N', '\u2028': '\\L', '\u2029': '\\P' };

/** Whether `text` holds a character YAML 1.1 reads as a line break and YAML 1.2 does not. */
export function hasYaml11Breaks(text: string): boolean {
  return BREAKS_1_1.test(text);
}

/** Marks every string scalar (keys too) under `root` that holds a YAML 1.1 line break to be written double-quoted. */
export function quoteYaml11Breaks(root: Document | Node): void {
  visit(root, {
    Scalar(_, scalar) {
      if (typeof scalar.value === 'string' && BREAKS_1_1.test(scalar.value)) scalar.type = 'QUOTE_DOUBLE';
    },
  });
}

/**
 * The text of a document whose breaks `quoteYaml11Breaks` marked, with each
 * raw U+0085/U+2028/U+2029 written as its escape. After the marking such a
 * character is left only inside double quotes, where the escape is the same
 * character, or in a comment, where the two letters are only text (and no
 * longer end the comment for PyYAML).
 */
export function escapeYaml11Breaks(text: string): string {
  return text.replace(/[\u0085\u2028\u2029]/g, (ch) => ESCAPES[ch]!);
}

/**
 * Double-quotes each plain string scalar under `root` that YAML 1.2 may
 * write plain but YAML 1.1 would read as something else (`yes`, `on`,
 * `2026-01-01`, `1_000`): for scalars a YAML 1.2 document gains, written for
 * a YAML 1.1 reader. Double, as the 1.2 writer quotes what it must.
 */
export function quoteYaml11Ambiguous(root: Document | Node): void {
  visit(root, {
    Scalar(_, scalar) {
      if (typeof scalar.value !== 'string' || (scalar.type !== undefined && scalar.type !== 'PLAIN')) return;
      if (plainIn(scalar.value, '1.2') && !plainIn(scalar.value, '1.1')) scalar.type = 'QUOTE_DOUBLE';
    },
  });
}

/** Whether the YAML `version` writer leaves `text` unquoted, so that reading it gives the string back. */
function plainIn(text: string, version: '1.1' | '1.2'): boolean {
  return !/^['"]/.test(stringify(text, { version, lineWidth: 0 }));
}
