/**
 * The registry's resident memory (#25: "idle memory measured and reduced"):
 * bench/memory.ts in a process of its own — `aam-trust registry serve` idle
 * after start, and idle again after a bounded load, on PGlite and (where it is
 * installed) a PostgreSQL server.
 */
import { runJson, SMOKE } from '../harness.ts';
import type { Row, SectionResult } from '../harness.ts';

interface Idle {
  rss_mb: number;
  peak_mb: number;
  start_ms?: number;
  load_cpu_s?: number;
}
interface Measured {
  idle_seconds: number;
  publishes: number;
  results: { engine: string; idle_fresh: Idle; idle_after_load: Idle; idle_reopened?: Idle }[];
}

export function memory(): SectionResult {
  // The smoke size keeps it under 20 s: 1 s idle, 5 publishes, no second start.
  const measured = runJson<Measured>('memory.ts', SMOKE ? ['1', '5', '--no-reopen'] : ['10', '40']);
  const rows: Row[] = [];
  const figures: Record<string, unknown> = { idle_seconds: measured.idle_seconds, publishes: measured.publishes };
  for (const r of measured.results) {
    figures[r.engine] = r;
    rows.push(
      [
        `registry idle RSS, ${r.engine}`,
        `${r.idle_fresh.rss_mb} MB`,
        `after start; ${r.idle_after_load.rss_mb} MB idle after ${measured.publishes} publishes + ${measured.publishes * 2} installs (peak ${r.idle_after_load.peak_mb} MB)`,
      ],
      ...(r.idle_reopened
        ? [
            [
              `registry idle RSS, ${r.engine}, restarted`,
              `${r.idle_reopened.rss_mb} MB`,
              'the same folder started again',
            ] as Row,
          ]
        : []),
    );
  }
  return { rows, figures };
}
