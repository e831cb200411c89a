/**
 * The arithmetic of the body-rate watch (transport.ts), apart from its clock and its socket: given when it looks
 * and how many bytes have been read by then, whether the client is too slow. Tested with a clock of its own.
 */

/** The limits it applies (transport.ts `Timeouts`). */
export interface BodyRateLimits {
  /** At least this many bytes each `rateWindowMs`. */
  minBodyBytes: number;
  rateWindowMs: number;
  /** After `bodyGraceMs`, this many bytes a second on average, less the grace. */
  minBodyRate: number;
  bodyGraceMs: number;
}

/** `stalled` (under the floor in one window) or `too_slow` (under the average rate). */
export type SlowReason = 'stalled' | 'too_slow';

/** How often the watch looks: every second, or every window if shorter. */
export const lookEveryMs = (limits: BodyRateLimits): number => Math.min(1_000, limits.rateWindowMs);

export class BodyRate {
  private readonly limits: BodyRateLimits;
  private readonly began: number;
  private readonly first: number;
  private windowStart: number;
  private windowBytes: number;
  private last: number;
  /** Time in which the server, not the client, held the body back: not counted against the client. */
  private excused = 0;

  /** The request began at `began` (ms), when `first` bytes had been read from its connection. */
  constructor(limits: BodyRateLimits, began: number, first: number) {
    this.limits = limits;
    this.began = began;
    this.first = first;
    this.windowStart = began;
    this.windowBytes = first;
    this.last = began;
  }

  /**
   * A look at `now`, `read` bytes read from the connection by then. `held`: the request's buffer is full (the
   * socket is paused: a handler that is not reading, busy or waiting for the database, is no slow client).
   */
  look(now: number, read: number, held: boolean): SlowReason | undefined {
    const since = now - this.last;
    this.last = now;
    // A look that comes late (the event loop was busy, or the process was starved of CPU) finds the bytes read
    // before the stall: what the client sent meanwhile waits unread. That time was the server's too.
    const late = since > 2 * lookEveryMs(this.limits);
    if (held || late) {
      this.excused += since;
      this.windowStart = now;
      this.windowBytes = read;
      return undefined;
    }
    const { minBodyBytes, rateWindowMs, minBodyRate, bodyGraceMs } = this.limits;
    if (now - this.windowStart >= rateWindowMs - 1) {
      const stalled = read - this.windowBytes < minBodyBytes;
      this.windowStart = now;
      this.windowBytes = read;
      if (stalled) return 'stalled';
    }
    const due = (minBodyRate * (now - this.began - this.excused - bodyGraceMs)) / 1000;
    return read - this.first < due ? 'too_slow' : undefined;
  }
}
