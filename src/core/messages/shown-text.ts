/**
 * Data we do not control (a lock file's names and versions, signer
 * identities, a registry's answers) as text that shows as itself wherever it
 * is drawn: the editor's hovers (extension/markdown-text.ts) and the GitHub
 * Action's job summary (action/summary.ts) both build on these.
 */

// C0 and C1 controls (line breaks among them), line and paragraph separators, and bidi marks and controls.
// oxlint-disable-next-line no-control-regex -- control characters are what this finds
const UNSHOWN = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** Controls and bidi characters written out (`\n`, `\x1b`, `<U+202E>`), so none breaks a line or reorders one. */
export function visible(text: string): string {
  return text.replace(UNSHOWN, (c) => {
    const code = c.charCodeAt(0);
    if (NAMED[c]) return NAMED[c];
    return code <= 0x9f
      ? `\\x${code.toString(16).padStart(2, '0')}`
      : `<U+${code.toString(16).toUpperCase().padStart(4, '0')}>`;
  });
}

/**
 * A Markdown inline code span that its content cannot close: the fence is one
 * backtick longer than the longest run inside. `text` is shown as is (a code
 * span has no escapes), so it should hold no line break.
 */
export function codeSpan(text: string): string {
  const fence = '`'.repeat(Math.max(0, ...[...text.matchAll(/`+/g)].map((m) => m[0].length)) + 1);
  // A space on each side, which the span drops, lets a value start or end with a backtick.
  const pad = /^[` ]|[` ]$/.test(text) ? ' ' : '';
  return `${fence}${pad}${text}${pad}${fence}`;
}
