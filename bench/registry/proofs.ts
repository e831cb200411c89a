/**
 * What a client pays to check a registry's new head against the one it
 * recorded (a consistency proof), and the entries about one package (an
 * inclusion proof each): milliseconds and bytes on the wire, both ways.
 */
import type { RecordedRegistry } from '../../src/core/record/trust-record.ts';
import { HttpRegistry } from '../../src/core/registry/http-registry.ts';
import { checkRegistryLog } from '../../src/core/registry/registry-check.ts';

/** Counts what fetch sends and receives: request line and headers, status line, headers and body. */
function meteredFetch(): { bytes: () => number; reset: () => void; restore: () => void } {
  const original = globalThis.fetch;
  let bytes = 0;
  globalThis.fetch = async (input, init) => {
    const url = new URL(String(input instanceof Request ? input.url : input));
    const headers = new Headers(init?.headers);
    bytes += `GET ${url.pathname}${url.search} HTTP/1.1\r\nhost: ${url.host}\r\n`.length;
    headers.forEach((value, name) => (bytes += name.length + value.length + 4));
    const response = await original(input, init);
    const body = Buffer.from(await response.arrayBuffer());
    bytes += 'HTTP/1.1 200 OK\r\n'.length + body.length + 2;
    response.headers.forEach((value, name) => (bytes += name.length + value.length + 4));
    return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
  };
  return { bytes: () => bytes, reset: () => (bytes = 0), restore: () => (globalThis.fetch = original) };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1]!;

/** The head a client records now (before the writes the check is run after). */
export async function recordHead(url: string): Promise<RecordedRegistry> {
  // Two attempts: this read is not measured, and comes after seconds without a request (a token made), so
  // the first may meet a socket the registry just closed (its keep-alive timeout).
  const check = await checkRegistryLog(new HttpRegistry('bench', url, { attempts: 2 }), undefined);
  if (!check.ok || !check.next) throw new Error(`the bench registry's log does not verify: ${check.reason}`);
  return { ...check.next, recorded_at: '' };
}

export async function proofCost(url: string, recorded: RecordedRegistry, pkg: string, runs: number) {
  const registry = new HttpRegistry('bench', url, { attempts: 1 });
  const meter = meteredFetch();
  try {
    const measure = async (options: Parameters<typeof checkRegistryLog>[3]) => {
      const times: number[] = [];
      let bytes = 0;
      let size = 0;
      for (let i = 0; i < runs; i++) {
        meter.reset();
        const started = performance.now();
        const check = await checkRegistryLog(registry, recorded, undefined, options);
        times.push(performance.now() - started);
        if (!check.ok) throw new Error(`the check failed: ${check.reason}`);
        bytes = meter.bytes();
        size = check.head!.size;
      }
      return { ms: Math.round(median(times) * 100) / 100, bytes, size };
    };
    const head = await measure({});
    const withPackage = await measure({ packages: [pkg] });
    return {
      log_size: head.size,
      recorded_size: recorded.audit_size,
      new_head_ms: head.ms,
      new_head_bytes: head.bytes,
      package_entries_ms: withPackage.ms,
      package_entries_bytes: withPackage.bytes - head.bytes,
    };
  } finally {
    meter.restore();
  }
}
