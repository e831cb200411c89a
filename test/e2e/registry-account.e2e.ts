import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { listApiTokens, logIn } from '../../src/core/registry/accounts.ts';
import { HttpRegistry } from '../../src/core/registry/http-registry.ts';
import { startSession } from './harness.ts';
import type { Session } from './harness.ts';

const PASSWORD = 'a long passphrase for carol';

/**
 * An HTTP registry account in a real VS Code: a package's eval results in the
 * Verification view and the lock file's hover; registering and signing in
 * (the status bar says who, where); making, listing and revoking a token;
 * signing out — each checked against the registry itself.
 */
describe('the team HTTP registry from VS Code: eval results, sign-in and tokens', () => {
  let s: Session;
  let team: HttpRegistry;
  /** Types into the input box that asks `prompt`, and accepts. */
  const type = async (prompt: string | RegExp, value: string) => {
    await s.page.locator('.quick-input-widget .quick-input-message', { hasText: prompt }).waitFor();
    await s.page.locator('.quick-input-widget .quick-input-box input').fill(value);
    await s.page.keyboard.press('Enter');
  };
  /** Carol's tokens as the registry lists them (to a session of her own). */
  const carolsTokens = async () => listApiTokens(team, (await logIn(team, 'carol', PASSWORD)).token);

  before(async () => {
    s = await startSession({
      trusted: true,
      // The owner of @team/lint-rules publishes an evaluation of the installed version.
      prepare: async (world) => {
        const registry = new HttpRegistry('team', world.httpRegistry.url);
        const version = (await registry.resolve('@team/lint-rules')).entry.version;
        const posted = await fetch(
          `${world.httpRegistry.url}/api/v1/packages/@team/lint-rules/${version}/eval-results`,
          {
            method: 'POST',
            headers: { authorization: `Bearer ${world.httpRegistry.token}`, 'content-type': 'application/json' },
            body: JSON.stringify({
              eval_name: 'accuracy-eval',
              status: 'passed',
              metrics: { accuracy: 94.2, latency_p95: 1200 },
              run_at: '2026-11-30T10:00:00Z',
              runner_identity: 'ci@team.example',
            }),
          },
        );
        assert.equal(posted.status, 201, await posted.text());
      },
    });
    team = new HttpRegistry('team', s.world.httpRegistry.url, { attempts: 1 });
  });
  after(async () => s?.close());

  it("shows a package's eval results in the Verification view and in the lock file's hover", async () => {
    await s.waitForStatus('@team/lint-rules', 'verified');
    await s.row('@team/lint-rules').click();
    await s.page.keyboard.press('ArrowRight');
    await s.page
      .locator('.part.sidebar .monaco-list-row', {
        hasText: /Eval accuracy-eval.*passed — accuracy 94\.2, latency_p95 1200 \(run 2026-11-30 by ci@team\.example\)/,
      })
      .waitFor();
    console.log(`screenshot: ${await s.shot('40-eval-results-view')}`);
    await s.page.keyboard.press('ArrowLeft');
    await s.command('AAM: Show in Lock File');
    // The list is longer than the quick pick shows: filter it to the package.
    await s.pick('@team/lint-rules', 'Which package?', { filter: true });
    await s.page.locator('.tab.active[aria-label^="aam-lock.yaml"]').waitFor();
    const hover = await s.hover('Eval results');
    assert.match(await hover.innerText(), /accuracy-eval: passed — accuracy 94\.2/);
    console.log(`screenshot: ${await s.shot('41-eval-results-hover')}`);
    await s.page.keyboard.press('Escape');
  });

  it('registers an account and signs in: the token is kept, and the status bar says who and where', async () => {
    await s.command('AAM: Sign In to an HTTP Registry…');
    await s.pick('Create an account', 'sign in or create an account?');
    await type('Username on team', 'carol');
    await type('Email address', 'carol@team.example');
    await type('New password for carol', PASSWORD);
    await s.notification(/Signed in to team as carol/);
    const status = s.page.locator('.statusbar-item', { hasText: 'carol @ team' });
    await status.waitFor();
    console.log(`screenshot: ${await s.shot('42-registry-signed-in')}`);
    assert.deepEqual(
      (await carolsTokens()).filter((t) => t.kind === 'api').map((t) => [t.name.replace(/ on .*/, ''), t.scopes]),
      [['VS Code', ['publish', 'yank']]],
    );
  });

  it('makes a token (shown once), lists it, and revokes it', async () => {
    await s.command('AAM: Manage Registry Tokens…');
    await s.pick('Create a token…', 'carol on team: your tokens (pick one to revoke it)');
    await type('A name for the token', 'ci');
    await s.page.locator('.quick-input-widget .quick-input-title', { hasText: 'Scopes of "ci"' }).waitFor();
    await s.page.keyboard.press('Enter');
    await s.pick('90 days', 'When does "ci" expire?');
    await type('Password for carol on team', PASSWORD);
    const shown = s.page.locator('.monaco-dialog-box', { hasText: 'It is shown once' });
    await shown.waitFor();
    assert.match(await shown.innerText(), /Token "ci" \(publish, yank\)[\s\S]*aam_[A-Za-z0-9_-]{43}/);
    console.log(`screenshot: ${await s.shot('43-registry-token-created')}`);
    await s.page.keyboard.press('Escape');
    const ci = (await carolsTokens()).find((t) => t.name === 'ci');
    assert.ok(ci?.expires_at, 'the token "ci" is on the registry, with an expiry');

    await s.command('AAM: Manage Registry Tokens…');
    const list = s.page.locator('.quick-input-widget .quick-input-list');
    await list.locator('.monaco-list-row', { hasText: /^ci/ }).waitFor();
    await list.locator('.monaco-list-row', { hasText: /VS Code on .*this VS Code/ }).waitFor();
    console.log(`screenshot: ${await s.shot('44-registry-token-list')}`);
    await s.pick('ci', 'carol on team: your tokens (pick one to revoke it)');
    const confirm = s.page.locator('.monaco-dialog-box', { hasText: 'Revoke the token "ci" on team?' });
    await confirm.waitFor();
    await confirm.locator('.monaco-button', { hasText: /^Revoke$/ }).click();
    await s.notification(/Revoked the token "ci"/);
    assert.equal(
      (await carolsTokens()).find((t) => t.name === 'ci'),
      undefined,
    );
  });

  it('signs out: the token is revoked on the registry and the status bar forgets the account', async () => {
    await s.command('AAM: Sign Out of an HTTP Registry');
    await s.notification(/Signed out of team/);
    await s.page.locator('.statusbar-item', { hasText: 'carol @ team' }).waitFor({ state: 'detached' });
    assert.deepEqual(
      (await carolsTokens()).filter((t) => t.kind === 'api'),
      [],
    );
    console.log(`screenshot: ${await s.shot('45-registry-signed-out')}`);
  });
});
