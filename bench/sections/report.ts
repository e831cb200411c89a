/**
 * The signing-compliance report (#26): building it from verified reports,
 * writing each format, and the HTML page in Chromium (opened, a bar clicked).
 * 10,000 packages; the smoke run 500.
 */
import { median, round, RUNS, runJson, SMOKE } from '../harness.ts';
import type { SectionResult } from '../harness.ts';

interface Times {
  packages: number;
  buildMs: number;
  tableMs: number;
  jsonMs: number;
  csvMs: number;
  htmlMs: number;
  openMs: number;
  clickMs: number;
  htmlBytes: number;
}

export function report(): SectionResult {
  const count = SMOKE ? 500 : 10_000;
  const runs = Array.from({ length: SMOKE ? 1 : Math.min(RUNS, 3) }, () =>
    runJson<Times>('report.ts', [String(count)]),
  );
  const m = (key: keyof Times) => round(median(runs.map((r) => r[key])));
  const size = count.toLocaleString('en');
  return {
    figures: {
      [`report_${count}`]: {
        build_ms: m('buildMs'),
        table_ms: m('tableMs'),
        json_ms: m('jsonMs'),
        csv_ms: m('csvMs'),
        html_ms: m('htmlMs'),
        open_ms: m('openMs'),
        click_ms: m('clickMs'),
        html_bytes: runs[0]!.htmlBytes,
      },
    },
    rows: [
      [`compliance report, ${size} packages: rows and totals`, `${m('buildMs')} ms`, 'from verified reports'],
      [
        '  table / JSON / CSV / HTML',
        `${m('tableMs')} / ${m('jsonMs')} / ${m('csvMs')} / ${m('htmlMs')} ms`,
        `HTML ${round(runs[0]!.htmlBytes / 1e6)} MB`,
      ],
      [
        '  HTML page in Chromium: open / a bar clicked',
        `${m('openMs')} / ${m('clickMs')} ms`,
        'charts drawn, rows listed',
      ],
    ],
  };
}
