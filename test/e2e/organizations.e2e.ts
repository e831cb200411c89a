import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FrameLocator } from 'playwright-core';
import { startSession } from './harness.ts';
import type { Session } from './harness.ts';

/**
 * For organizations, in a real VS Code on the demo: a package installed
 * with --no-verify says so, Strict is picked in the form editor with its
 * what-if shown before it is applied, and the compliance report draws its
 * charts, each bar listing the packages it counts.
 */
describe('trust levels, the compliance report and --no-verify in a real VS Code', () => {
  let s: Session;
  const policyFile = () => join(s.world.workspace, '.aam', 'config.yaml');
  /** The webview whose document holds `selector` (the form and the report are both webviews). */
  const webview = async (selector: string): Promise<FrameLocator> => {
    for (let attempt = 0; attempt < 120; attempt++) {
      const frames = s.page.locator('iframe.webview.ready');
      for (let i = 0; i < (await frames.count()); i++) {
        const frame = s.page.frameLocator('iframe.webview.ready').nth(i).frameLocator('#active-frame');
        if ((await frame.locator(selector).count()) > 0) return frame;
      }
      await s.page.waitForTimeout(250);
    }
    throw new Error(`no webview shows ${selector} (screenshot: ${await s.shot('webview-missing')})`);
  };
  before(async () => {
    s = await startSession({ trusted: true });
  });
  after(async () => s?.close());

  it('a package installed with --no-verify is shown as such, a warning under the demo policy', async () => {
    await s.waitForStatus('@community/hotfix', 'installed without verification');
    const label = await s.row('@community/hotfix').getAttribute('aria-label');
    assert.match(
      label ?? '',
      /Installed without verification \(--no-verify, .*\); checked now: Signed by alice@example\.com/,
    );
    console.log(`screenshot: ${await s.shot('40-no-verify-row')}`);
  });

  it('picks Strict in the form editor: the keys and the what-if come first, then Apply', async () => {
    await s.command('AAM: Open Trust Policy');
    await s.pick('Project policy');
    const form = await webview('#level');
    await form.locator('#level-current', { hasText: 'In effect: Moderate' }).waitFor();
    await form.locator('#level-keys', { hasText: 'require_signature: true · on_signature_failure: error' }).waitFor();
    await form.locator('#level-strict').click();
    const preview = form.locator('#level-preview.visible');
    await preview.locator('#level-preview-keys li', { hasText: 'require_signature: true (now false)' }).waitFor();
    await preview.locator('#level-preview-keys li', { hasText: 'hidden_content: error (now warn)' }).waitFor();
    await preview
      .locator('#level-what-if', {
        hasText:
          /4 packages would fail: @community\/hotfix, @community\/prompt-pack, @community\/snippets, @community\/house-style/,
      })
      .waitFor();
    await preview
      .locator('li.change.fail', {
        hasText:
          '@community/hotfix@1.0.0: installed without verification (warn) → installed without verification (fail)',
      })
      .waitFor();
    assert.equal(
      await readFile(policyFile(), 'utf8').then((t) => t.includes('hidden_content')),
      false,
      'nothing applied yet',
    );
    console.log(`screenshot: ${await s.shot('41-level-strict-what-if')}`);
    await preview.locator('#level-apply').click();
    await s.page.locator('.tab.active.dirty').waitFor();
    await form.locator('#level-current', { hasText: 'In effect: Strict' }).waitFor();
    await s.page.keyboard.press('Control+S');
    await s.page.locator('.tab.active.dirty').waitFor({ state: 'detached' });
    const saved = await readFile(policyFile(), 'utf8');
    assert.match(saved, /# Never install these in this project\./, 'comments stay');
    assert.match(
      saved,
      /require_signature: true\n {2}on_signature_failure: error\n {2}verify_transparency_log: true\n {2}on_signer_change: error\n {2}require_registry_attestation: false\n {2}hidden_content: error\n/,
    );
    // Under Strict the package installed without verification fails, as the preview said.
    await s.page
      .locator(
        '.part.sidebar .monaco-list-row[aria-label^="@community/hotfix "][aria-label*="installed without verification"]',
      )
      .waitFor();
    await s.page.locator('.statusbar-item', { hasText: /AAM: 8 failed/ }).waitFor();
    console.log(`screenshot: ${await s.shot('42-level-strict-applied')}`);
  });

  it('opens the compliance report: totals, charts, and each bar lists the packages it counts', async () => {
    await s.command('AAM: Show Compliance Report');
    const report = await webview('#chart-status');
    await report.locator('#total strong', { hasText: '15' }).waitFor();
    await report.locator('#not-compliant strong', { hasText: '8' }).waitFor();
    // The charts are drawn (Chart.js, from the extension: the webview allows no other script).
    for (const id of ['#chart-status', '#chart-method', '#chart-signer']) {
      const box = await report.locator(id).boundingBox();
      assert.ok(box && box.width > 100 && box.height > 100, `${id} is drawn`);
    }
    assert.match(
      (await report.locator('#chart-status').getAttribute('aria-label')) ?? '',
      /By status: 9 verified, 2 tampered, 1 blocked, 1 signed, untrusted, 1 unsigned, 1 installed without verification/,
    );
    await report.locator('#filter-label', { hasText: 'Not compliant (8)' }).waitFor();
    console.log(`screenshot: ${await s.shot('43-compliance-report')}`);
    await report.locator('#bars-status a', { hasText: 'installed without verification: 1' }).click();
    await report.locator('#filter-label', { hasText: 'Status: installed without verification (1)' }).waitFor();
    // Under Strict it is not compliant: a failure, listed as itself, not in a "failed" bucket.
    await report.locator('#packages tbody tr.fail[data-name="@community/hotfix"]').waitFor();
    assert.equal(await report.locator('#packages tbody tr').count(), 1);
    // A bar itself: the tallest status bar (verified) is the first; click near its top.
    const canvas = report.locator('#chart-status');
    const box = (await canvas.boundingBox())!;
    const bars = (await canvas.getAttribute('aria-label'))!.split(': ')[1]!.split(', ').length;
    const x = box.x + 40 + ((box.width - 50) / bars) * 0.5;
    await s.page.mouse.click(x, box.y + box.height * 0.25);
    await report.locator('#filter-label', { hasText: 'Status: verified (9)' }).waitFor();
    console.log(`screenshot: ${await s.shot('44-compliance-report-bar')}`);
    // A package opens at its lock-file entry.
    await report.locator('#packages tbody tr[data-name="@demo/code-review"] a').click();
    await s.page.locator('.tab.active[aria-label^="aam-lock.yaml"]').waitFor();
  });
});
