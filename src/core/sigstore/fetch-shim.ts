/**
 * Stands in for make-fetch-happen in the bundles (esbuild alias). @sigstore/sign
 * calls it for Fulcio, Rekor and the TSA; in VS Code's extension host the
 * Node http module it builds on is patched for proxy support and its requests
 * hang, while the global fetch is proxied correctly. @sigstore/sign keeps its
 * own retries and backoff around this call.
 *
 * make-fetch-happen's responses also have `buffer()` (node-fetch's), which
 * the TSA client reads the RFC 3161 answer with; the global fetch's do not.
 */
export default async function fetchShim(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string | Uint8Array; timeout?: number } = {},
): Promise<Response & { buffer(): Promise<Buffer> }> {
  const response = await fetch(url, {
    method: options.method ?? 'GET',
    headers: options.headers,
    body: options.body,
    redirect: 'follow',
    signal: options.timeout ? AbortSignal.timeout(options.timeout) : undefined,
  });
  return Object.assign(response, { buffer: async () => Buffer.from(await response.arrayBuffer()) });
}
