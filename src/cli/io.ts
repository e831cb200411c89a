/** Where the CLI reads and writes: the real process, or a test's buffers. */
export interface CliIo {
  stdout: (text: string) => void;
  /**
   * Resolves once what was written to stdout has gone out (a pipe read slower
   * than a long report is written holds the rest in memory); undefined: at once.
   */
  stdoutDrained?: () => Promise<void> | undefined;
  stderr: (text: string) => void;
  env: Record<string, string | undefined>;
  cwd: string;
  homeDir: string;
  /** Asks for a secret (a passphrase) without echo; undefined when there is no terminal. */
  askSecret: (prompt: string) => Promise<string | undefined>;
  /** Asks for a line of text (a verification code) with echo; undefined when there is no input. */
  askLine?: (prompt: string) => Promise<string | undefined>;
  /** Asks a question on the terminal (echoed); undefined when there is no terminal. */
  ask?: (prompt: string) => Promise<string | undefined>;
  /** Opens a URL in the browser for the Sigstore sign-in. */
  openUrl: (url: string) => Promise<void>;
  color: boolean;
}

export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/** The SGR codes paint() writes (and 0, the reset after each): the only escape sequences the CLI's output keeps. */
const PAINT_CODES = { green: 32, yellow: 33, red: 31, dim: 2, bold: 1 } as const;

export function paint(io: CliIo, code: keyof typeof PAINT_CODES, text: string): string {
  if (!io.color) return text;
  return `\u001b[${PAINT_CODES[code]}m${text}\u001b[0m`;
}

/**
 * What a terminal acts on instead of showing: C0 controls but LF and TAB (a CR only when a LF follows: a CRLF
 * line end moves nothing back), DEL, C1 controls, the bidi controls (ALM, LRM, RLM, LRE…RLO, LRI…PDI) and the
 * line and paragraph separators.
 */
const UNSAFE =
  // oxlint-disable-next-line no-control-regex -- these controls are what is escaped
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]|\r(?!\n)/g;
const SGR = new RegExp(`\u001b\\[(?:${[0, ...Object.values(PAINT_CODES)].join('|')})m`, 'y');
const SHORT: Record<string, string> = { '\b': '\\b', '\f': '\\f', '\r': '\\r' };

/**
 * Text for a terminal, whatever data it holds (lock-file names and versions, signers' user IDs, registry
 * messages, package files): every character in UNSAFE written as JSON writes it inside a string (`\r`, `\u001b`,
 * `\u202e`), so escape sequences, a bare CR or a bidi override from data cannot move the cursor, erase or hide a
 * line, or reorder it; with colours on, paint()'s own SGR sequences are kept, and no other. JSON output, which holds
 * no raw C0 control, stays valid JSON with the same values.
 */
export function visible(text: string, color: boolean): string {
  return text.replace(UNSAFE, (char, at: number) => {
    if (color && char === '\u001b') {
      SGR.lastIndex = at;
      if (SGR.test(text)) return char;
    }
    return SHORT[char] ?? `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`;
  });
}

/**
 * A datum for a line of text output (a lock-file name, version or source, a signer's user ID, a message that quotes
 * them), with its line breaks written as `\n` and `\r`: visible() keeps LF for the CLI's own multi-line messages, and
 * a datum that starts a line of its own is one a CI runner reads as a command (`::add-mask::…`, `::error …`).
 */
export function oneLine(text: string): string {
  return text.replace(/[\n\r]/g, (char) => (char === '\n' ? '\\n' : '\\r'));
}

/** The CLI's io with everything written (and every prompt) passed through visible(): the one place output is made safe. */
export function forTerminal(io: CliIo): CliIo {
  const show = (text: string) => visible(text, io.color);
  const { ask, askLine } = io;
  return {
    ...io,
    stdout: (text) => io.stdout(show(text)),
    stderr: (text) => io.stderr(show(text)),
    askSecret: (prompt) => io.askSecret(show(prompt)),
    ...(askLine && { askLine: (prompt: string) => askLine(show(prompt)) }),
    ...(ask && { ask: (prompt: string) => ask(show(prompt)) }),
  };
}
