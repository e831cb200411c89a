import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface HttpRequest {
  method: string;
  url: URL;
  headers: IncomingMessage['headers'];
  body: Buffer;
}

export interface HttpResponse {
  status: number;
  headers?: Record<string, string>;
  body: string | Uint8Array;
}

/** A misbehaviour to inject into a service, for fault tests. */
export type Fault =
  | { kind: 'status'; status: number }
  | { kind: 'hang' }
  | { kind: 'slow'; delayMs: number }
  | { kind: 'malformed' }
  | { kind: 'reset' };

const MAX_BODY = 1024 * 1024;

/** A plain node:http server on 127.0.0.1 with per-service fault injection. */
export async function serve(
  port: number,
  route: (request: HttpRequest) => Promise<HttpResponse>,
  faultFor: (request: HttpRequest) => Fault | undefined,
): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    void handle(req, res, route, faultFor);
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const { port: actual } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${actual}` };
}

async function handle(
  req: IncomingMessage,
  res: ServerResponse,
  route: (r: HttpRequest) => Promise<HttpResponse>,
  faultFor: (r: HttpRequest) => Fault | undefined,
): Promise<void> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) {
      res.writeHead(413).end();
      return;
    }
    chunks.push(chunk as Buffer);
  }
  const request: HttpRequest = {
    method: req.method ?? 'GET',
    url: new URL(req.url ?? '/', 'http://127.0.0.1'),
    headers: req.headers,
    body: Buffer.concat(chunks),
  };
  const fault = faultFor(request);
  if (fault?.kind === 'hang') return; // never answer; the client must time out
  if (fault?.kind === 'reset') {
    req.socket.destroy();
    return;
  }
  if (fault?.kind === 'status') {
    res
      .writeHead(fault.status, { 'content-type': 'application/json' })
      .end(JSON.stringify({ code: fault.status, message: 'injected fault' }));
    return;
  }
  if (fault?.kind === 'malformed') {
    res.writeHead(201, { 'content-type': 'application/json' }).end('{"this is": not json');
    return;
  }
  if (fault?.kind === 'slow') await new Promise((resolve) => setTimeout(resolve, fault.delayMs));
  let response: HttpResponse;
  try {
    response = await route(request);
  } catch (error) {
    response = { status: 500, headers: { 'content-type': 'text/plain' }, body: (error as Error).message };
  }
  res.writeHead(response.status, response.headers ?? {}).end(response.body);
}
