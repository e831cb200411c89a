import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BodyRate } from '../../src/server/body-rate.ts';
import type { SlowReason } from '../../src/server/body-rate.ts';
import { DEFAULT_TIMEOUTS } from '../../src/server/transport.ts';

/**
 * A client's body as the watch sees it, on a clock of the test's own: `bytesAt(t)` bytes read by `t` ms, looked at
 * at each of `looks` (ms after the request began, default every second for a minute). The first reason it gives, and when.
 */
function watch(
  bytesAt: (t: number) => number,
  looks: readonly number[] = Array.from({ length: 60 }, (_, i) => (i + 1) * 1_000),
  held: (t: number) => boolean = () => false,
): { reason: SlowReason; at: number } | undefined {
  const rate = new BodyRate(DEFAULT_TIMEOUTS, 0, bytesAt(0));
  for (const t of looks) {
    const reason = rate.look(t, bytesAt(t), held(t));
    if (reason) return { reason, at: t };
  }
  return undefined;
}

const KB = 1024;

describe('the body-rate watch (spec §9: a server strangers can reach)', () => {
  it('lets a modest upload through (96 KB/s for a minute)', () => {
    assert.equal(
      watch((t) => 96 * t),
      undefined,
    );
  });

  it('cuts a client that stops sending within one window', () => {
    // 10 KB in the first half second, then nothing: under the 16 KB floor at the end of the first window.
    assert.deepEqual(
      watch((t) => Math.min(t, 500) * 20),
      { reason: 'stalled', at: 5_000 },
    );
  });

  it('cuts a trickle above the per-window floor once it falls under the average rate', () => {
    // 4 KB/s: 20 KB a window (over the 16 KB floor); 64 KB/s is due after 5 s of grace.
    const cut = watch((t) => (4 * KB * t) / 1000);
    assert.equal(cut?.reason, 'too_slow');
    assert.ok(cut.at <= 7_000, `cut at ${cut.at} ms`);
  });

  it("does not count time in which the server's buffer was full against the client", () => {
    // The handler does not read for 20 s (waiting for the database): nothing is read, the client is not to blame.
    const held = (t: number) => t > 2_000 && t <= 22_000;
    const bytes = (t: number) => 96 * Math.min(t, 2_000) + 96 * Math.max(0, t - 22_000);
    assert.equal(watch(bytes, undefined, held), undefined);
  });

  it('does not count a stall of the server itself (a late look) against the client', () => {
    // Looks on time to 2 s; then the event loop is stalled for 8 s, so nothing more is read until the look after it.
    const looks = [1_000, 2_000, 10_000, 11_000, ...Array.from({ length: 20 }, (_, i) => 12_000 + i * 1_000)];
    const bytes = (t: number) => (t <= 10_000 ? 96 * Math.min(t, 2_000) : 96 * t);
    assert.equal(watch(bytes, looks), undefined);
  });

  it('still cuts a client that sends nothing after a late look, within a window of looks on time', () => {
    const looks = [1_000, 2_000, 10_000, ...Array.from({ length: 20 }, (_, i) => 11_000 + i * 1_000)];
    assert.deepEqual(
      watch((t) => 96 * Math.min(t, 2_000), looks),
      { reason: 'stalled', at: 15_000 },
    );
  });
});
