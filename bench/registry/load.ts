/**
 * Load over loopback with autocannon, bounded in time (or count) and
 * stopping by itself, against 127.0.0.1 only: one autocannon per server,
 * the connections split among them, run at once.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import autocannon from 'autocannon';

export interface Served {
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/**
 * A server as its own process; resolves once it prints where it listens
 * (which must be 127.0.0.1). Its output is kept only until then: a server
 * that logs every request would otherwise grow this process's memory for
 * as long as it runs. `stderr`: a file descriptor to send the server's
 * stderr to instead (its request log, say) — read by nobody here.
 */
export async function spawnServer(
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
  stderr: 'pipe' | number = 'pipe',
): Promise<Served> {
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', stderr], env });
  let output = '';
  const streams = [child.stdout!, ...(child.stderr ? [child.stderr] : [])];
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "Listening on" in 120 s: ${output}`)), 120_000);
    const read = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /Listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    for (const stream of streams) stream.on('data', read);
    child.on('exit', (code) => reject(new Error(`${args.join(' ')} exited (${code}): ${output}`)));
  });
  // From now on read and dropped: the child must not block on a full pipe, nor this process keep what it says.
  for (const stream of streams) {
    stream.removeAllListeners('data');
    stream.resume();
  }
  output = '';
  return {
    url,
    child,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

export interface LoadResult {
  /** Requests answered per second (2xx and 304), all servers together. */
  rps: number;
  p50: number;
  p99: number;
  requests: number;
  /** Answers that were neither 2xx nor 304, and connection errors. */
  failed: number;
}

export interface LoadOptions {
  connections: number;
  /** Seconds; or `amount` requests in all. */
  duration?: number;
  amount?: number;
  /** The next request's path (and, for a write, its method, headers and body). */
  next: () => { path: string; method?: 'GET' | 'POST'; headers?: Record<string, string>; body?: Buffer };
}

const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;

export async function load(urls: readonly string[], options: LoadOptions): Promise<LoadResult> {
  for (const url of urls)
    if (!url.startsWith('http://127.0.0.1:')) throw new Error(`load only runs on 127.0.0.1: ${url}`);
  const per = Math.max(1, Math.floor(options.connections / urls.length));
  const started = performance.now();
  const results = await Promise.all(
    urls.map((url, i) =>
      autocannon({
        url,
        connections: per,
        // A load of `amount` requests ends at autocannon's next sample (1 s by default): sampled every
        // 10 ms, the time taken here is that of the requests, not rounded up to whole seconds.
        ...(options.amount !== undefined
          ? { amount: Math.ceil(options.amount / urls.length) + (i === 0 ? 0 : 0), sampleInt: 10 }
          : { duration: options.duration ?? 5 }),
        timeout: 30,
        requests: [
          {
            setupRequest: (request) => {
              const next = options.next();
              return {
                ...request,
                method: next.method ?? 'GET',
                path: next.path,
                headers: next.headers ?? {},
                body: next.body,
              };
            },
          },
        ],
      }),
    ),
  );
  const requests = results.reduce((sum, r) => sum + r['2xx'] + (r['3xx'] ?? 0), 0);
  // Timed here: autocannon's own duration is whole seconds for a load of `amount` requests.
  const seconds =
    options.amount !== undefined ? (performance.now() - started) / 1000 : Math.max(...results.map((r) => r.duration));
  return {
    rps: round(requests / seconds, 1),
    // Several servers: the latencies of the median one's and the worst p99 (no histogram is merged).
    p50: round(results.map((r) => r.latency.p50).sort((a, b) => a - b)[Math.floor(results.length / 2)]!),
    p99: round(Math.max(...results.map((r) => r.latency.p99))),
    requests,
    failed: results.reduce((sum, r) => sum + r.non2xx - (r['3xx'] ?? 0) + r.errors + r.timeouts, 0),
  };
}
