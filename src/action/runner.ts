import { randomBytes } from 'node:crypto';
import { appendFile } from 'node:fs/promises';
import { EOL } from 'node:os';
import { visible } from '../cli/io.ts';
import { withoutTokens } from '../core/sigstore/identity/token.ts';

/**
 * What a GitHub Actions runner gives a step, read from its environment:
 * inputs as INPUT_<NAME>, the files for outputs and the job summary, the
 * workspace. The same variables a JavaScript action reads; nothing else.
 */
export class Runner {
  readonly env: Record<string, string | undefined>;
  private readonly write: (text: string) => void;

  constructor(env: Record<string, string | undefined>, write: (text: string) => void) {
    this.env = env;
    this.write = write;
  }

  /** An input (`with:`), as the runner passes it: INPUT_ and the name in capitals, '-' and ' ' as '_'. */
  input(name: string, fallback = ''): string {
    const value = this.env[`INPUT_${name.toUpperCase().replace(/[- ]/g, '_')}`]?.trim();
    return value === undefined || value === '' ? fallback : value;
  }

  flag(name: string, fallback: boolean): boolean {
    const value = this.input(name, String(fallback)).toLowerCase();
    if (value !== 'true' && value !== 'false') throw new Error(`Input ${name} must be true or false, not "${value}".`);
    return value === 'true';
  }

  get workspace(): string {
    return this.env.GITHUB_WORKSPACE ?? process.cwd();
  }

  get temp(): string {
    return this.env.RUNNER_TEMP ?? this.workspace;
  }

  async output(name: string, value: string): Promise<void> {
    const file = this.env.GITHUB_OUTPUT;
    if (!file) return;
    const delimiter = `aam_${Math.random().toString(36).slice(2)}`;
    await appendFile(file, `${name}<<${delimiter}${EOL}${value}${EOL}${delimiter}${EOL}`);
  }

  async summary(markdown: string): Promise<void> {
    const file = this.env.GITHUB_STEP_SUMMARY;
    if (file) await appendFile(file, `${markdown}${EOL}`);
  }

  /**
   * Text for the log, which may hold what a package, a registry or a signer wrote: its controls shown escaped (a
   * bare CR would start a line the runner reads), and any workflow command in it (`::` at a line's start, or the
   * legacy `##[` anywhere in one) made inert by pausing command processing with a token nobody else knows.
   */
  log(text: string): void {
    const shown = visible(withoutTokens(text), false);
    if (!/^\s*::|##\[/m.test(shown)) {
      this.write(`${shown}${EOL}`);
      return;
    }
    const token = randomBytes(16).toString('hex');
    this.write(`::stop-commands::${token}${EOL}${shown}${EOL}::${token}::${EOL}`);
  }

  /**
   * Registers a secret with the runner, which from then on shows it as *** wherever the job log would hold it (as
   * actions/core's setSecret does). Call it before the secret is used, so nothing can print it first.
   */
  mask(secret: string): void {
    if (secret) this.write(`::add-mask::${escapeData(secret)}${EOL}`);
  }

  /** A workflow command (`::error file=…,line=…::message`), escaped as the runner parses them. */
  annotate(level: 'error' | 'warning' | 'notice', message: string, where: Record<string, string | number>): void {
    const data = (s: string) => escapeData(withoutTokens(s));
    const property = (s: string) => data(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
    const props = Object.entries(where)
      .map(([k, v]) => `${k}=${property(String(v))}`)
      .join(',');
    this.write(`::${level} ${props}::${data(message)}${EOL}`);
  }
}

/** A workflow command's data, escaped as the runner reads it back. */
function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}
