import { fstatSync, writeSync } from 'node:fs';

/**
 * The process's standard output or error as the CLI writes to it. To a pipe
 * or a socket (CI, a caller that reads the output) the text goes straight to
 * the file descriptor: Node's stream for one loads and sets up its socket
 * machinery, a few milliseconds of a cold `aam-trust verify` that writes a few
 * kilobytes. A terminal or a file keeps Node's stream, and so does a pipe from
 * the moment a full one would block (a non-blocking pipe: the stream waits for
 * the reader without spinning, and takes every later write, in order).
 */
export class StandardOutput {
  private stream: NodeJS.WriteStream | undefined;
  private readonly fd: number;
  private readonly open: () => NodeJS.WriteStream;

  constructor(fd: number, open: () => NodeJS.WriteStream) {
    this.fd = fd;
    this.open = open;
    if (!isPipe(fd)) this.stream = stoppingQuietly(open());
  }

  /** Whether this is a terminal (colours), asked without making the stream for a pipe. */
  get isTTY(): boolean {
    return this.stream?.isTTY === true;
  }

  write(text: string): void {
    if (this.stream) {
      this.stream.write(text);
      return;
    }
    let rest = Buffer.from(text);
    while (rest.length > 0) {
      try {
        rest = rest.subarray(writeSync(this.fd, rest));
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'EPIPE') stopQuietly();
        if (code !== 'EAGAIN') throw error;
        this.stream = stoppingQuietly(this.open());
        this.stream.write(rest);
        return;
      }
    }
  }

  /** What is written but not yet taken by the reader (bytes). */
  get pending(): number {
    return this.stream?.writableLength ?? 0;
  }

  /** Resolves once the stream has room again; undefined when it has (a direct write is always out). */
  drained(): Promise<void> | undefined {
    const stream = this.stream;
    return stream?.writableNeedDrain ? new Promise((resolve) => stream.once('drain', () => resolve())) : undefined;
  }
}

function isPipe(fd: number): boolean {
  try {
    const stats = fstatSync(fd);
    return stats.isFIFO() || stats.isSocket();
  } catch {
    return false;
  }
}

const watched = new WeakSet<NodeJS.WriteStream>();

/**
 * A standard stream that ends the process quietly when its reader has gone
 * (`aam-trust verify | head -1` closes the pipe), as other CLIs do.
 */
export function stoppingQuietly(stream: NodeJS.WriteStream): NodeJS.WriteStream {
  if (watched.has(stream)) return stream;
  watched.add(stream);
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    stopQuietly();
  });
  return stream;
}

/**
 * The reader has gone. A command that has finished exits with its own code; one still at work has not
 * delivered its verdict, so it exits as a process killed by SIGPIPE does (128 + 13, what `git` or `grep`
 * give a shell): never 0, or `aam-trust verify | head` would pass a failing verification under
 * `set -o pipefail`, GitHub Actions' default shell.
 */
function stopQuietly(): never {
  process.exit(typeof process.exitCode === 'number' ? process.exitCode : KILLED_BY_SIGPIPE);
}

const KILLED_BY_SIGPIPE = 141;
