/**
 * The floors the registry's reads are held to, as their own process:
 *   memory FILE  — a bare node:http server answering FILE's bytes from memory (JSON)
 *   static FILE  — a static file server: stat, then the file streamed from disk, with an ETag
 * Prints "Listening on http://127.0.0.1:PORT" and serves 127.0.0.1 only until killed.
 */
import { createReadStream, readFileSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer } from 'node:http';

const [mode, file] = process.argv.slice(2) as ['memory' | 'static', string];
const body = mode === 'memory' ? readFileSync(file) : undefined;
const server = createServer((request, response) => {
  if (body) {
    response.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': body.length });
    response.end(body);
    return;
  }
  void stat(file).then((info) => {
    response.writeHead(200, {
      'content-type': 'application/gzip',
      'content-length': info.size,
      etag: `"${info.size.toString(16)}-${info.mtimeMs.toString(16)}"`,
    });
    createReadStream(file).pipe(response);
  });
  void request;
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  console.log(`Listening on http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`);
});
