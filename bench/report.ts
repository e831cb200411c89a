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
import { workspacePaths } from '../src/core/lockfile/paths.ts';
import { DEFAULT_POLICY } from '../src/core/policy/decision.ts';
import type { Checks } from '../src/core/policy/decision.ts';
import { reportOf } from '../src/core/verify/verdict/report.ts';
import { reportCsv, reportJson, reportTable } from '../src/core/workflows/report/formats.ts';
import { reportPage } from '../src/core/workflows/report/html.ts';
import type { ComplianceReport } from '../src/core/workflows/report/model.ts';
import { rowOfPackage } from '../src/core/workflows/report/projects.ts';
import { totalsOf } from '../src/core/workflows/report/totals.ts';

const repo = join(import.meta.dirname, '..');

/** 10,000 packages of every kind: signed by 40 people, some untrusted, unsigned, tampered, installed unverified. */
function packages(count: number) {
  const workspace = workspacePaths('/work/project');
  const context = {
    policy: { ...DEFAULT_POLICY, trusted_identities: ['*@example.com'], on_signature_failure: 'error' as const },
  };
  return Array.from({ length: count }, (_, i) => {
    const signed = i % 17 !== 5;
    const checks: Checks = {
      integrity:
        i % 50 === 7
          ? { ok: false, code: 'FILES_MODIFIED', expected: 'a', actual: 'b', detail: 'edited' }
          : { ok: true },
      signature: signed
        ? {
            state: 'valid',
            signer: {
              type: 'sigstore',
              identity: {
                san: i % 10 === 3 ? `dev${i % 40}@other.org` : `dev${i % 40}@example.com`,
                sanType: 'email',
                issuer: 'https://oauth2.sigstore.dev/auth',
              },
              tlog: { logIndex: String(1000 + i), url: 'https://rekor.sigstore.dev', integratedTime: undefined },
              signedAt: '2026-11-22T08:00:00.000Z',
            },
          }
        : { state: 'none' },
      ...(i % 97 === 11 ? { installedWithoutVerification: { at: '2026-12-01T10:00:00.000Z' } } : {}),
    };
    const result = {
      name: `@bench/pkg-${i}`,
      checks,
      archiveOrigin: '/srv/registry',
      signatureFile: undefined,
      evidence: {},
      at: String(Date.now() * 1e6),
      scan: undefined,
      registryChanges: [],
      deployed: [],
      continuity: [],
      signatureDigest: undefined,
      claims: [],
    };
    const summary = { version: '1.0.0', source: 'team', checksum: `sha256:${'a'.repeat(64)}`, fileCount: 2 };
    return reportOf(`@bench/pkg-${i}`, summary, result, context, workspace);
  });
}

const time = <T>(f: () => T): [T, number] => {
  const started = performance.now();
  const value = f();
  return [value, performance.now() - started];
};

export async function reportTimes(count: number) {
  const reports = packages(count);
  const lines = new Map(reports.map((r, i) => [r.name, 4 + i * 12]));
  const [report, buildMs] = time((): ComplianceReport => {
    const rows = reports.map((r) => rowOfPackage(r, '.', lines));
    return {
      generatedAt: new Date().toISOString(),
      scope: { kind: 'projects', projects: ['.'] },
      policy: 'Strict',
      notices: [],
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
