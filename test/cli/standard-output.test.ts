import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { closeSync, constants, openSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { StandardOutput } from '../../src/cli/standard-output.ts';
import { tempDirSync } from '../helpers/temp.ts';

const CLI = join(import.meta.dirname, '..', '..', 'dist', 'cli.js');

/** A FIFO opened at both ends, without blocking: a pipe whose writer gets EAGAIN once it holds 64 KiB. */
function nonBlockingPipe(): { read: number; write: number } {
  const fifo = join(tempDirSync('aam-stdout-'), 'pipe');
  execFileSync('mkfifo', [fifo]);
  const read = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
  const write = openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK);
  return { read, write };
}

function drain(fd: number): string {
  const chunks: Buffer[] = [];
  const buffer = Buffer.alloc(65536);
  for (;;) {
    let n: number;
    try {
      n = readSync(fd, buffer);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EAGAIN') break;
      throw error;
    }
    if (n === 0) break;
    chunks.push(Buffer.from(buffer.subarray(0, n)));
  }
  return Buffer.concat(chunks).toString('utf8');
}

describe("the CLI's standard output to a pipe", () => {
  it('writes straight to the pipe, and hands the rest to the stream, in order, once the pipe is full', () => {
    const { read, write } = nonBlockingPipe();
    const streamed: string[] = [];
    const stream = {
      write: (text: string | Buffer) => streamed.push(String(text)),
      writableLength: 0,
      on: () => stream,
    } as unknown as NodeJS.WriteStream;
    try {
      const out = new StandardOutput(write, () => stream);
      const lines = Array.from({ length: 4000 }, (_, i) => `line ${i} ${'x'.repeat(40)}\n`);
      for (const line of lines) out.write(line);
      const direct = drain(read);
      assert.ok(direct.length > 0 && streamed.length > 0, 'some went straight, the rest to the stream');
      assert.equal(direct + streamed.join(''), lines.join(''));
    } finally {
      closeSync(read);
      closeSync(write);
    }
  });

  it('ends quietly when the reader has gone before it is done, as SIGPIPE ends a process (141): never 0', async () => {
    const { stdout, stderr } = await promisify(execFile)('bash', [
      '-c',
      '"$0" "$1" --help | true; echo "${PIPESTATUS[0]}"',
      process.execPath,
      CLI,
    ]);
    assert.equal(stdout.trim(), '141');
    assert.equal(stderr, '');
  });
});
