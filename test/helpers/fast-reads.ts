import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { FAST_READS_ENV } from '../../src/server/fast-reads.ts';

/** Asking a registry with the fast path for cache hits (src/server/fast-reads.ts) on and off. */

export interface Answer {
  status: number;
  /** Raw, as sent: names in their case and order, without Date (the clock's) — all else must be equal. */
  headers: string[];
  body: string;
}

export interface Ask {
  path: string;
  method?: 'GET' | 'HEAD';
  headers?: Record<string, string | string[]>;
}

/** One request on a connection of its own (so each answer's Connection header is the same, `close`). */
export function ask(base: string, { path, method = 'GET', headers = {} }: Ask, ca?: Buffer): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const { protocol, hostname, port } = new URL(base);
    const send = protocol === 'https:' ? httpsRequest : httpRequest;
    // The path as given (a URL string would have its dot segments resolved before sending).
    const options = { hostname, port, path, method, headers, agent: false, ...(ca ? { ca } : {}) };
    const request = send(options, (response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString()));
      response.on('end', () => {
        const raw = response.rawHeaders;
        const kept = raw.flatMap((name, i) =>
          i % 2 === 0 && name.toLowerCase() !== 'date' ? [name, raw[i + 1]!] : [],
        );
        resolve({ status: response.statusCode!, headers: kept, body });
      });
    });
    request.on('error', reject);
    request.end();
  });
}

export const header = (answer: Answer, name: string) =>
  answer.headers.find((_, i, all) => i % 2 === 1 && all[i - 1]!.toLowerCase() === name);

/** How many requests reached a Fastify route's handler while `run` ran (Fastify's own diagnostics channel). */
export async function fastifyHandled<T>(run: () => Promise<T>): Promise<{ result: T; handled: number }> {
  let handled = 0;
  const count = () => handled++;
  subscribe('tracing:fastify.request.handler:start', count);
  try {
    return { result: await run(), handled };
  } finally {
    unsubscribe('tracing:fastify.request.handler:start', count);
  }
}

export async function withFastReads<T>(on: boolean, run: () => Promise<T>): Promise<T> {
  const before = process.env[FAST_READS_ENV];
  if (on) delete process.env[FAST_READS_ENV];
  else process.env[FAST_READS_ENV] = 'off';
  try {
    return await run();
  } finally {
    if (before === undefined) delete process.env[FAST_READS_ENV];
    else process.env[FAST_READS_ENV] = before;
  }
}
