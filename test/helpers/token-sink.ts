import { after, before } from 'node:test';
import { createServer } from 'node:http';
import type { Server } from 'node:http';

/** What a request to the sink carried: method, path, Authorization and body, in one line. */
export type SeenRequest = string;

/**
 * An HTTP server on 127.0.0.1 standing in for an attacker's Fulcio or OIDC
 * issuer, for the enclosing suite: it records every request and answers 500
 * (a Fulcio client retries, so a leaked token arrives several times).
 */
export function useTokenSink(): { url: () => string; seen: SeenRequest[] } {
  const seen: SeenRequest[] = [];
  let server: Server | undefined;
  let url = '';
  before(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        seen.push(`${req.method} ${req.url} ${req.headers.authorization ?? ''} ${Buffer.concat(chunks).toString()}`);
        res.statusCode = 500;
        res.end('{}');
      });
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  after(() => server?.close());
  return { url: () => url, seen };
}

/** A JWT-shaped token with these claims; the signature part is a marker, not a signature. */
export function fakeToken(claims: Record<string, unknown>): string {
  return `eyJhbGciOiJSUzI1NiJ9.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.c2lnbmF0dXJlLXNlY3JldA`;
}
