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

export function paint(io: CliIo, code: 'green' | 'yellow' | 'red' | 'dim' | 'bold', text: string): string {
  if (!io.color) return text;
  const codes = { green: 32, yellow: 33, red: 31, dim: 2, bold: 1 } as const;
  return `\u001b[${codes[code]}m${text}\u001b[0m`;
}
