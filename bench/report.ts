/**
 * The signing-compliance report with 10,000 packages: building it from
 * verified reports (rows and totals), writing each format, and the HTML page
 * in Chromium — until its charts and first rows are drawn, and how long a
 * click on a bar takes to list that bar's packages. Reports are real: checks
 * decided under a policy, as the view benchmark makes them.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { ensureChromium } from '../scripts/tools.ts';
import { benchReports } from './reports.ts';
import { reportCsv, reportJson, reportTable } from '../src/core/workflows/report/formats.ts';
import { reportPage } from '../src/core/workflows/report/html.ts';
import type { ComplianceReport } from '../src/core/workflows/report/model.ts';
import { rowOfPackage } from '../src/core/workflows/report/projects.ts';
import { totalsOf } from '../src/core/workflows/report/totals.ts';

const repo = join(import.meta.dirname, '..');

const time = <T>(f: () => T): [T, number] => {
  const started = performance.now();
  const value = f();
  return [value, performance.now() - started];
};

export async function reportTimes(count: number) {
  const reports = benchReports(count, { signers: 40, mixed: true, onSignatureFailure: 'error' });
  const lines = new Map(reports.map((r, i) => [r.name, 4 + i * 12]));
  const [report, buildMs] = time((): ComplianceReport => {
    const rows = reports.map((r) => rowOfPackage(r, '.', lines));
    return {
      generatedAt: new Date().toISOString(),
      scope: { kind: 'projects', projects: ['.'] },
      policy: 'Strict',
      unchecked: [],
      totals: totalsOf(rows),
      rows,
    };
  });
  const [, tableMs] = time(() => reportTable(report));
  const [, jsonMs] = time(() => reportJson(report));
  const [, csvMs] = time(() => reportCsv(report));
  const script = readFileSync(join(repo, 'dist', 'webview', 'compliance-report.js'), 'utf8');
  const [html, htmlMs] = time(() => reportPage(report, { script: { inline: script } }));

  const dir = await mkdtemp(join(tmpdir(), 'aam-report-bench-'));
  const browser = await chromium.launch({
    executablePath: await ensureChromium(),
    args: ['--no-sandbox', '--disable-gpu'],
  });
  try {
    const file = join(dir, 'report.html');
    await writeFile(file, html);
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await page.goto(pathToFileURL(file).href);
    await page.locator('#packages tbody tr').first().waitFor();
    await page.locator('#chart-signer').waitFor();
    // In the page's own clock: from navigation to charts drawn and rows listed (the script runs once, synchronously).
    const openMs = await page.evaluate(() => performance.now());
    // A click on a bar's link until its packages are listed and laid out (the largest status: thousands of rows, 200 shown).
    const clickMs = await page.evaluate<number>(`(() => {
      const started = performance.now();
      document.querySelector('#bars-status a[data-key="verified"]').click();
      void document.body.offsetHeight;
      return performance.now() - started;
    })()`);
    await page.locator('#filter-label', { hasText: /^Status: verified/ }).waitFor();
    const shown = await page.locator('#packages tbody tr').count();
    return {
      packages: count,
      htmlBytes: Buffer.byteLength(html),
      buildMs,
      tableMs,
      jsonMs,
      csvMs,
      htmlMs,
      openMs,
      clickMs,
      rowsShown: shown,
    };
  } finally {
    await browser.close();
    await rm(dir, { recursive: true, force: true });
  }
}

if (import.meta.main) console.log(JSON.stringify(await reportTimes(Number(process.argv[2] ?? 10_000))));
