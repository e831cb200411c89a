import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mock } from '../helpers/policy-form.ts';

/**
 * When the extension cannot load its verification engine, nothing is verified. The status bar and the
 * compliance report used to count only policy errors as "not checked": with no reports, the bar showed a
 * verified shield ("no packages") and the report an empty, compliant page.
 */
const items: { text: string; backgroundColor: unknown }[] = [];
Object.assign(mock.window, {
  createStatusBarItem: () => {
    const item = { text: '', backgroundColor: undefined, show() {}, hide() {}, dispose() {} };
    items.push(item);
    return item;
  },
});

const workspace = (extra: Record<string, unknown>) => ({
  id: 'w',
  label: 'demo',
  paths: { lockFile: '/nowhere/.aam/aam-lock.yaml' },
  reports: [],
  ...extra,
});
const model = (workspaces: unknown[]) => ({
  workspaces,
  restricted: false,
  allReports: () => [],
  onDidChange: () => ({ dispose() {} }),
});
const ENGINE = 'AAM Trust could not load its verification engine (boom). Reinstall the extension.';

describe('a workspace whose verification engine did not load', () => {
  it('the status bar says not verified, in the error colour, never a verified shield', async () => {
    const { StatusBar } = await import('../../src/extension/status-bar.ts');
    new StatusBar(model([workspace({ engineError: ENGINE })]) as never);
    const item = items.at(-1)!;
    assert.equal(item.text, '$(shield) AAM: no packages · not verified');
    assert.ok(item.backgroundColor, 'error background');
    new StatusBar(model([workspace({})]) as never);
    assert.equal(items.at(-1)!.text, '$(verified-filled) AAM: no packages', 'control: nothing wrong');
  });

  it('the compliance report lists it as not checked, so the page is not compliant', async () => {
    const { ComplianceReportPanel } = await import('../../src/extension/compliance-report.ts');
    const panel = new ComplianceReportPanel(model([workspace({ engineError: ENGINE })]) as never, {} as never);
    const report = await (panel as unknown as { report(): Promise<{ unchecked: { reason: string }[] }> }).report();
    assert.deepEqual(
      report.unchecked.map((u) => u.reason),
      [ENGINE],
    );
  });
});
