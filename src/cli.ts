import { spawn } from 'node:child_process';
import http from 'node:http';
import { homedir } from 'node:os';
import { createInterface } from 'node:readline';
import { runCli } from './cli/main.ts';
import type { CliIo } from './cli/io.ts';

// HTTP(S)_PROXY and NO_PROXY apply to every request the CLI makes (registries, Sigstore), as users expect.
const proxied = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy'].some((name) => process.env[name]);
if (proxied && typeof (http as { setGlobalProxyFromEnv?: unknown }).setGlobalProxyFromEnv === 'function')
  (http as unknown as { setGlobalProxyFromEnv: () => void }).setGlobalProxyFromEnv();

const io: CliIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
  cwd: process.cwd(),
  homeDir: homedir(),
  color: process.stdout.isTTY === true && !process.env.NO_COLOR,
  askSecret: askSecret,
  askLine: askLine,
  ask: (prompt) => {
    if (!process.stdin.isTTY) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
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
    const opener = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open';
    spawn(opener, [url], { stdio: 'ignore', detached: true })
      .on('error', () => undefined)
      .unref();
  },
};

/** Reads a secret from the terminal without echoing it; undefined without a terminal. */
function askSecret(prompt: string): Promise<string | undefined> {
  if (!process.stdin.isTTY) return Promise.resolve(undefined);
  return new Promise((resolve) => {
    const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
    const write = (rl as unknown as { _writeToOutput: (s: string) => void })._writeToOutput.bind(rl);
    (rl as unknown as { _writeToOutput: (s: string) => void })._writeToOutput = (s: string) =>
      write(s.startsWith(prompt) ? prompt : '');
    rl.question(prompt, (answer) => {
      rl.close();
      process.stderr.write('\n');
      resolve(answer);
    });
    rl.on('SIGINT', () => {
      rl.close();
      resolve(undefined);
    });
  });
}

/** Reads one line from standard input (a terminal, or a pipe); undefined when it ends first. */
function askLine(prompt: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    process.stderr.write(prompt);
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

// A reader that stops early (`aam-trust verify | head -1`) closes the pipe: stop quietly, as other CLIs do.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0);
  });
}

runCli(process.argv.slice(2), io).then((code) => {
  process.exitCode = code;
});
