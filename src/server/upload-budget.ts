import type { FastifyInstance } from 'fastify';
import { ApiFailure } from './errors.ts';

/** The default budget: a few largest publishes (50 MB archives) at once, any number of small ones. */
export const DEFAULT_UPLOAD_BUDGET_BYTES = 256 * 1024 * 1024;

/** What a refused upload is told to wait (seconds): a large upload at a modest speed ends within this order of time. */
const RETRY_AFTER_S = 10;

/**
 * A total for the bytes of the uploads (multipart bodies: publishes,
 * signatures) that this instance is reading and holding at once. A publish's
 * body is held in memory whole (up to ~50 MB); each request is bounded by its
 * own limit, and this bounds them all together: an upload that would take the
 * total past `totalBytes` is refused with a 503 and Retry-After before a byte
 * of its body is read. Reserved by the declared Content-Length (the HTTP
 * parser reads no more than it), or by the largest a body may be when the
 * request is chunked; released when its answer is done or its connection gone.
 *
 * No one account may hold more than half of it, so that its slow uploads,
 * declaring the whole budget, cannot shut everyone else out (refused with a
 * 429 to that account alone). With the default budget that is more than two
 * of the largest publishes at once; a budget under two of them refuses the
 * larger ones outright. (Not by address: behind a proxy, every client has one.)
 */
export class UploadBudget {
  readonly totalBytes: number;
  inFlight = 0;
  private readonly held = new Map<string, number>();

  constructor(totalBytes: number) {
    this.totalBytes = totalBytes;
  }

  /**
   * Reserves `bytes` for `holders`: undefined when that would pass the total, the holder whose share
   * it would pass, else the release (safe to call twice).
   */
  reserve(bytes: number, holders: readonly string[] = []): (() => void) | { holder: string } | undefined {
    const over = holders.find((h) => (this.held.get(h) ?? 0) + bytes > this.totalBytes / 2);
    if (over !== undefined) return { holder: over };
    if (this.inFlight + bytes > this.totalBytes) return undefined;
    this.inFlight += bytes;
    for (const h of holders) this.held.set(h, (this.held.get(h) ?? 0) + bytes);
    let held = true;
    return () => {
      if (!held) return;
      held = false;
      this.inFlight -= bytes;
      for (const h of holders) {
        const left = (this.held.get(h) ?? 0) - bytes;
        if (left > 0) this.held.set(h, left);
        else this.held.delete(h);
      }
    };
  }
}

/**
 * Holds every multipart request to `budget` once it has passed its route's
 * `onRequest` checks (who may) and before its handler reads the body: an
 * unauthorized upload costs nothing. `chunkedBytes`: what a body without a
 * Content-Length may grow to.
 */
export function installUploadBudget(app: FastifyInstance, budget: UploadBudget, chunkedBytes: number): void {
  app.addHook('preValidation', async (request, reply) => {
    // By its header (request.isMultipart exists only inside the routes that register @fastify/multipart).
    if (!/^multipart\//i.test(request.headers['content-type'] ?? '')) return;
    const declared = Number(request.headers['content-length'] ?? NaN);
    // More than a body may be (or than the whole budget): no more is ever read, and its route refuses it
    // as too large next (413), not as over the account's share.
    const bytes = Math.min(Number.isFinite(declared) ? declared : chunkedBytes, chunkedBytes, budget.totalBytes);
    const holders = request.caller ? [`account ${request.caller.username}`] : [];
    const release = budget.reserve(bytes, holders);
    if (release && typeof release !== 'function') {
      void reply.header('retry-after', String(RETRY_AFTER_S));
      throw new ApiFailure(
        429,
        'rate_limited',
        `Your uploads, with this one, would hold more than half of what the registry reads at once (${budget.totalBytes} bytes); retry when the others are done.`,
      );
    }
    if (!release) {
      void reply.header('retry-after', String(RETRY_AFTER_S));
      throw new ApiFailure(
        503,
        'busy',
        `The registry is reading as many uploads as it holds at once (${budget.totalBytes} bytes); retry in ${RETRY_AFTER_S} s.`,
      );
    }
    reply.raw.once('close', release);
  });
}
