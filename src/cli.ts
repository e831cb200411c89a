import { homedir } from 'node:os';
import { runCli } from './cli/main.ts';
import type { CliIo } from './cli/io.ts';
import { StandardOutput, stoppingQuietly } from './cli/standard-output.ts';

// Node's modules for terminals, processes and HTTP load when used: a cold `aam-trust verify` needs none of them.
const readline = () => import('node:readline');

// HTTP(S)_PROXY and NO_PROXY apply to every request the CLI makes (registries, Sigstore), as users expect.
const proxied = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy'].some((name) => process.env[name]);
const ready = proxied
  ? import('node:http').then(({ default: http }) => {
      if (typeof (http as { setGlobalProxyFromEnv?: unknown }).setGlobalProxyFromEnv === 'function')
        (http as unknown as { setGlobalProxyFromEnv: () => void }).setGlobalProxyFromEnv();
    })
  : Promise.resolve();

const stdout = new StandardOutput(1, () => process.stdout);
const stderr = new StandardOutput(2, () => process.stderr);

const io: CliIo = {
  stdout: (text) => stdout.write(text),
  stdoutDrained: () => stdout.drained(),
  stderr: (text) => stderr.write(text),
  env: process.env,
  cwd: process.cwd(),
  homeDir: homedir(),
  color: stdout.isTTY && !process.env.NO_COLOR,
  askSecret: askSecret,
  askLine: askLine,
  ask: async (prompt) => {
    if (!process.stdin.isTTY) return undefined;
    const { createInterface } = await readline();
    return new Promise((resolve) => {
      const rl = createInterface({ input: process.stdin, output: stoppingQuietly(process.stderr), terminal: true });
      rl.question(prompt, (answer) => {
        rl.close();
        resolve(answer);
      });
      rl.on('SIGINT', () => {
        rl.close();
        resolve(undefined);
      });
    });
  },
  openUrl: async (url) => {
    const { spawn } = await import('node:child_process');
    const opener = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open';
    spawn(opener, [url], { stdio: 'ignore', detached: true })
      .on('error', () => undefined)
      .unref();
  },
};

/** Reads a secret from the terminal without echoing it; undefined without a terminal. */
async function askSecret(prompt: string): Promise<string | undefined> {
  if (!process.stdin.isTTY) return undefined;
  const { createInterface } = await readline();
  return new Promise((resolve) => {
    const rl = createInterface({ input: process.stdin, output: stoppingQuietly(process.stderr), terminal: true });
    const write = (rl as unknown as { _writeToOutput: (s: string) => void })._writeToOutput.bind(rl);
    (rl as unknown as { _writeToOutput: (s: string) => void })._writeToOutput = (s: string) =>
      write(s.startsWith(prompt) ? prompt : '');
    rl.question(prompt, (answer) => {
      rl.close();
      stderr.write('\n');
      resolve(answer);
    });
    rl.on('SIGINT', () => {
      rl.close();
      resolve(undefined);
    });
  });
}

/** Reads one line from standard input (a terminal, or a pipe); undefined when it ends first. */
async function askLine(prompt: string): Promise<string | undefined> {
  const { createInterface } = await readline();
  return new Promise((resolve) => {
    stderr.write(prompt);
    const rl = createInterface({ input: process.stdin, terminal: false });
    let answered = false;
    rl.once('line', (line) => {
      answered = true;
      rl.close();
      resolve(line);
    });
    rl.once('close', () => {
      if (!answered) resolve(undefined);
    });
  });
}

void ready
  .then(() => runCli(process.argv.slice(2), io))
  .then((code) => {
    process.exitCode = code;
    setImmediate(exitWhenIdle, code);
  });

/** What an idle CLI still holds once its command is done: the standard streams' handles. */
const STDIO = new Set(['PipeWrap', 'TTYWrap']);

/**
 * Ends the process once the command is done and nothing is pending but the standard streams, all written: an
 * event loop that runs dry frees V8's heap page by page before the process ends (a few milliseconds of every
 * run, more in a large project), which process.exit skips. Anything still pending (output a slow reader has not
 * taken, a timer, a child process) is left to finish as before.
 */
function exitWhenIdle(code: number): void {
  if (stdout.pending > 0 || stderr.pending > 0) return;
  if (process.getActiveResourcesInfo().every((resource) => STDIO.has(resource))) process.exit(code);
}
