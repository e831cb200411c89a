import { connect } from 'node:net';

/** A publish's multipart body with `archive` as its one part, and the head of its request. */
export function publishRequest(token: string, archive: Buffer): { head: string; body: Buffer } {
  const boundary = 'raw-boundary-7f3a';
  const body = Buffer.concat([
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="archive"; filename="p.aam"\r\nContent-Type: application/octet-stream\r\n\r\n`,
    ),
    archive,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  const head = `POST /api/v1/packages HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\nContent-Type: multipart/form-data; boundary=${boundary}\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n`;
  return { head, body };
}

/**
 * Sends `head` on a raw connection, then `body` (if any) `chunk` bytes every
 * `everyMs`: what came back, and when the server closed. Without a body, the
 * connection is closed once a whole JSON answer has come. The pace is kept by
 * the clock, not by counting timer ticks: on a loaded machine a tick comes
 * late, and a sender that only counted them would fall below the rate a test
 * means (a test that a rate just above a server's floor passes would fail).
 */
export function paced(
  url: string,
  head: string,
  body: Buffer | undefined,
  chunk = 0,
  everyMs = 0,
): Promise<{ answer: string; ms: number }> {
  const { hostname, port } = new URL(url);
  const started = performance.now();
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname);
    let answer = '';
    let sent = 0;
    socket.on('data', (data: Buffer) => {
      answer += data.toString();
      if (!body && /\r\n\r\n\{.*\}$/s.test(answer)) socket.destroy();
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearInterval(timer);
      resolve({ answer, ms: performance.now() - started });
    });
    socket.write(head);
    const bodyFrom = performance.now();
    const timer = setInterval(() => {
      if (!body || sent >= body.length || socket.destroyed) return;
      // Every chunk due by now (rounded: a timer may fire a little early): one a tick, more after a late one.
      const due = Math.min(body.length, Math.round((performance.now() - bodyFrom) / (everyMs || 1000)) * chunk);
      if (due > sent) socket.write(body.subarray(sent, (sent = due)));
    }, everyMs || 1000);
  });
}

/**
 * Sends `head` and `body` as fast as the server takes them, reading whatever comes back meanwhile:
 * how many body bytes the connection took, the answer, and the error that ended it, if any.
 */
export function send(
  url: string,
  head: string,
  body: Buffer,
): Promise<{ written: number; answer: string; error?: string }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    // Half-open: it goes on writing after the server has ended its side, as a client still sending its body does.
    const socket = connect({ port: Number(port), host: hostname, allowHalfOpen: true });
    let answer = '';
    let written = 0;
    let queued = 0;
    let error: string | undefined;
    socket.on('data', (data: Buffer) => (answer += data.toString()));
    socket.on('error', (e: NodeJS.ErrnoException) => (error = e.code ?? e.message));
    socket.on('close', () => resolve({ written, answer, ...(error ? { error } : {}) }));
    socket.write(head);
    const step = 256 * 1024;
    const next = (): void => {
      while (queued < body.length && !socket.destroyed) {
        const end = Math.min(body.length, queued + step);
        // Counted once the connection took it.
        const more = socket.write(body.subarray(queued, end), (e) => {
          if (!e) written = Math.max(written, end);
        });
        queued = end;
        if (!more) return void socket.once('drain', next);
      }
      if (!socket.destroyed) socket.end();
    };
    next();
  });
}
