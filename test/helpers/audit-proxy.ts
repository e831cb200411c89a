import { createServer } from 'node:http';

/**
 * How a hostile front of a registry serves its audit log: `honest` passes
 * everything; `strip` answers the head without its Merkle root (the older
 * head format, whose signature still verifies); `legacy` does that and
 * answers the tree's proofs with 404, as a registry from before the tree;
 * `garbled` answers the head with text that is not JSON.
 */
export type AuditProxyMode = 'honest' | 'strip' | 'legacy' | 'garbled';

const HOP = ['content-length', 'content-encoding', 'transfer-encoding', 'etag', 'connection'];

/** Rewrites a JSON answer of the registry (its path and parsed body) before the client sees it. */
export type AuditRewrite = (path: string, body: unknown) => unknown;

/**
 * A proxy in front of `target` that rewrites the audit log's answers as `mode` says, and any
 * JSON answer as `rewrite` does (both changeable at any time).
 */
export async function auditProxy(
  target: string,
): Promise<{ url: string; mode: AuditProxyMode; rewrite: AuditRewrite | undefined; close(): void }> {
  const state = { mode: 'honest' as AuditProxyMode, rewrite: undefined as AuditRewrite | undefined };
  const server = createServer(async (req, res) => {
    const path = req.url ?? '/';
    if (state.mode === 'garbled' && path.startsWith('/api/v1/audit-log/head')) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"size": 1, "head_hash": ');
      return;
    }
    if (state.mode === 'legacy' && path.startsWith('/api/v1/audit-log/proof/')) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'not_found', message: 'Not found.' }));
      return;
    }
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers))
      if (typeof v === 'string' && !['host', 'if-none-match', 'connection'].includes(k)) headers[k] = v;
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const upstream = await fetch(`${target}${path}`, {
      method: req.method ?? 'GET',
      headers,
      ...(chunks.length > 0 ? { body: Buffer.concat(chunks) } : {}),
    });
    let body = Buffer.from(await upstream.arrayBuffer());
    if (state.mode !== 'honest' && path.startsWith('/api/v1/audit-log/head') && upstream.status === 200) {
      const {
        root: _root,
        root_signature: _signature,
        ...old
      } = JSON.parse(body.toString()) as Record<string, unknown>;
      body = Buffer.from(JSON.stringify(old));
    }
    if (state.rewrite && upstream.status === 200 && (upstream.headers.get('content-type') ?? '').includes('json'))
      body = Buffer.from(JSON.stringify(state.rewrite(path, JSON.parse(body.toString()))));
    const out: Record<string, string> = {};
    upstream.headers.forEach((v, k) => {
      if (!HOP.includes(k)) out[k] = v;
    });
    res.writeHead(upstream.status, out);
    res.end(body);
  });
  const port = await new Promise<number>((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)),
  );
  return {
    url: `http://127.0.0.1:${port}`,
    get mode() {
      return state.mode;
    },
    set mode(mode) {
      state.mode = mode;
    },
    get rewrite() {
      return state.rewrite;
    },
    set rewrite(rewrite) {
      state.rewrite = rewrite;
    },
    close: () => void server.close(),
  };
}
