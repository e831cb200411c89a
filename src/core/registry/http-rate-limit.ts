/** What a client waits for a registry's rate limit, in all, unless told otherwise. */
export const DEFAULT_RATE_LIMIT_WAIT_MS = 10_000;

/**
 * A registry's rate limit as one client lives with it: a read answered 429
 * with Retry-After makes every request of the client wait what it asks (a
 * second at least) — the others would only be refused too — while the waits,
 * counted once however many requests wait together, add up to no more than
 * the allowance. Each wait is told as it begins, once.
 */
export class RateLimitGate {
  private pausedUntil = 0;
  private waited = 0;
  readonly allowedMs: number;
  private readonly onWait: ((waitMs: number, said: string) => void) | undefined;

  constructor(allowedMs = DEFAULT_RATE_LIMIT_WAIT_MS, onWait?: (waitMs: number, said: string) => void) {
    this.allowedMs = allowedMs;
    this.onWait = onWait;
  }

  /** How long this client has waited, in all. */
  get waitedMs(): number {
    return this.waited;
  }

  /** Until the end of the last wait the registry asked for. */
  async passed(): Promise<void> {
    for (let left = this.pausedUntil - Date.now(); left > 0; left = this.pausedUntil - Date.now())
      await new Promise((resolve) => setTimeout(resolve, left));
  }

  /**
   * Whether to ask again after a 429 whose Retry-After is `retryAfter` (the
   * wait then begins: `passed` holds every request until it ends): not when
   * there is no Retry-After, or when waiting it would go past the allowance.
   * `said` is what the registry said, for the notice.
   */
  async retry(retryAfter: string | null, said: () => Promise<string>): Promise<boolean> {
    const asked = retryAfterMs(retryAfter);
    if (asked === undefined) return false;
    const now = Date.now();
    const until = now + Math.max(asked, 1_000);
    const added = until - Math.max(now, this.pausedUntil);
    if (added > 0 && this.waited + added > this.allowedMs) return false;
    const words = await said().catch(() => '');
    if (added <= 0) return true;
    // Another request already waits for (part of) this: the wait is told once.
    if (now >= this.pausedUntil) this.onWait?.(until - now, words);
    this.waited += added;
    this.pausedUntil = until;
    return true;
  }
}

/** Retry-After as milliseconds: delay-seconds or an HTTP date; undefined when absent or neither. */
export function retryAfterMs(value: string | null): number | undefined {
  if (!value) return undefined;
  const ms = /^\s*\d+\s*$/.test(value) ? Number(value) * 1000 : Date.parse(value) - Date.now();
  return Number.isFinite(ms) ? Math.max(0, ms) : undefined;
}
