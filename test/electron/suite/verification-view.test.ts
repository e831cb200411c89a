import * as assert from 'node:assert/strict';
import { describe, it, before } from 'mocha';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { AamTrustApi } from '../../../src/extension.ts';
import { aamApi, checkRows, labelOf, packageRow, packageRows, suiteWorld, until } from './world.ts';

/** The verdict statuses (the API's words) behind the status words the view shows. */
const STATUS_OF: Record<string, string> = {
  verified: 'verified',
  'registry changed, verified': 'verified',
  'verified, hidden content': 'verified',
  // Beside the demo's CLAUDE.md section that no installed package deploys (a warning).
  'verified, a section nobody deploys beside it': 'verified',
  'verified, a section nobody deploys beside it, hidden content': 'verified',
  'tampered, a section nobody deploys beside it': 'tampered',
  'installed without verification': 'unverified',
  'signed, untrusted': 'signed-untrusted',
  unsigned: 'unsigned',
  tampered: 'tampered',
  blocked: 'blocked',
};

export function verificationViewTests(): void {
  describe('The Verification view', () => {
    let api: AamTrustApi;
    before(async () => {
      api = await aamApi();
      await api.refresh();
    });

    it('shows every installed package of the demo, with the status words it expects', async () => {
      const expected = suiteWorld().expected;
      const rows = await packageRows(api);
      assert.deepEqual(rows.map((r) => r.name).sort(), Object.keys(expected).sort());
      for (const row of rows) {
        const words = expected[row.name]!;
        assert.ok(
          String(row.item.description).startsWith(`${words} · 1.0.0`),
          `${row.name}: "${String(row.item.description)}" starts with "${words} · 1.0.0"`,
        );
        assert.equal(api.statuses()[row.name], STATUS_OF[words], `${row.name}'s status in the API`);
      }
    });

    it("names each package's signer beside its status, and says unsigned ones have none", async () => {
      assert.match(String((await packageRow(api, '@demo/code-review')).item.description), /· alice@example\.com$/);
      assert.match(String((await packageRow(api, '@demo/release-notes')).item.description), /release@example\.com/);
      assert.match(
        String((await packageRow(api, '@community/prompt-pack')).item.description),
        /mallory@evil\.example$/,
      );
      assert.equal(String((await packageRow(api, '@community/snippets')).item.description), 'unsigned · 1.0.0');
    });

    it('offers what fits each state: trust for the untrusted signer, restore for the edited deployed copy', async () => {
      const flags = async (name: string) => (await packageRow(api, name)).item.contextValue!.split(' ');
      const untrusted = await flags('@community/prompt-pack');
      assert.ok(untrusted.includes('trustable'), untrusted.join(' '));
      assert.ok(!untrusted.includes('deployed-modified'));
      const edited = await flags('@demo/agent-rules');
      assert.ok(edited.includes('deployed-modified'), edited.join(' '));
      assert.ok(edited.includes('action-fail'));
      // A tampered package is never offered as one to trust.
      assert.ok(!(await flags('@demo/modified-locally')).includes('trustable'));
      assert.ok(!(await flags('@community/snippets')).includes('trustable'));
    });

    it('expands a tampered package into its checks, the failing one naming the edited file', async () => {
      const rows = await checkRows(api, await packageRow(api, '@demo/modified-locally'));
      const failing = rows.filter((r) => (r.iconPath as vscode.ThemeIcon).id === 'close');
      assert.ok(failing.length > 0, `a failing check among ${rows.map((r) => labelOf(r)).join(', ')}`);
      assert.ok(
        failing.some((r) => String(r.description).includes('prompts/main.md')),
        failing.map((r) => `${labelOf(r)}: ${String(r.description)}`).join('\n'),
      );
      const source = rows.find((r) => labelOf(r) === 'Source');
      assert.match(String(source?.description), /^demo \(file registry, file:\/\//);
    });

    it('offers "Update available" on a package its registry has a newer version of, and the row starts that review', async () => {
      const updateOf = async (name: string) =>
        (await checkRows(api, await packageRow(api, name))).find((r) => labelOf(r).startsWith('Update available'));
      // The registries are listed after each verification: the row comes once that is done.
      const update = await until('the "Update available" row of @demo/code-review', () =>
        updateOf('@demo/code-review'),
      );
      assert.equal(labelOf(update), 'Update available: 1.1.0');
      assert.equal(update.contextValue, 'aamUpdate');
      assert.equal(await updateOf('@demo/release-notes'), undefined, 'no row where the registry has nothing newer');
      assert.equal(update.command?.command, 'aam.reviewUpdate');
      const skill = vscode.Uri.file(join(suiteWorld().workspace, '.cursor', 'skills', 'code-review', 'SKILL.md'));
      const before = await vscode.workspace.fs.readFile(skill);
      // The row's own command, with its own arguments, as a click runs it.
      await vscode.commands.executeCommand(update.command.command, ...(update.command.arguments ?? []));
      const tabs = () => vscode.window.tabGroups.all.flatMap((g) => g.tabs);
      const review = await until(
        'the review of @demo/code-review 1.0.0 → 1.1.0 in an editor',
        () => tabs().find((t) => t.label.includes('@demo/code-review 1.0.0 → 1.1.0')),
        {
          describe: () =>
            tabs()
              .map((t) => t.label)
              .join(', '),
        },
      );
      assert.match(review.label, /Update review: @demo\/code-review 1\.0\.0 → 1\.1\.0/);
      await vscode.commands.executeCommand('aam.cancelReview');
      assert.equal(
        tabs().find((t) => t.label.includes('@demo/code-review 1.0.0 → 1.1.0')),
        undefined,
      );
      assert.deepEqual(await vscode.workspace.fs.readFile(skill), before, 'a review writes nothing');
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    });

    it("warns beside a package's CLAUDE.md section of the demo's section nobody deploys", async () => {
      const rows = await checkRows(api, await packageRow(api, '@demo/agent-rules'));
      const unowned = rows.find((r) => String(r.description).includes('"old-rules instruction"'));
      assert.ok(unowned, rows.map((r) => `${labelOf(r)}: ${String(r.description)}`).join('\n'));
      assert.equal(labelOf(unowned), 'Deployed copies');
      assert.match(
        String(unowned.description),
        /CLAUDE\.md holds an AAM section "old-rules instruction" that no installed package deploys/,
      );
    });

    it('shows where a package from the team HTTP registry came from', async () => {
      const rows = await checkRows(api, await packageRow(api, '@team/lint-rules'));
      const source = rows.find((r) => labelOf(r) === 'Source');
      assert.match(String(source?.description), /^team \(HTTP registry, http:\/\/127\.0\.0\.1:\d+\)$/);
    });

    it('opens an edited deployed copy from its row, where the agent reads it', async () => {
      const rows = await checkRows(api, await packageRow(api, '@demo/agent-rules'));
      const deployed = rows.find(
        (r) => r.command?.command === 'vscode.open' && (r.iconPath as vscode.ThemeIcon).id === 'close',
      );
      assert.ok(deployed?.command, `a failing deployed-copy row among ${rows.map((r) => labelOf(r)).join(', ')}`);
      const target = deployed.command.arguments![0] as vscode.Uri;
      assert.match(target.fsPath, /\.cursor\/rules\/agent-rules-style\.mdc$/);
      await vscode.commands.executeCommand(deployed.command.command, ...deployed.command.arguments!);
      await until(
        'the deployed copy in the active editor',
        () => vscode.window.activeTextEditor?.document.uri.fsPath === target.fsPath,
        { events: [vscode.window.onDidChangeActiveTextEditor] },
      );
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    });
  });
}
