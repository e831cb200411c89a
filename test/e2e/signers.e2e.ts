import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LocalRegistry } from '../../src/core/registry/local-registry.ts';
import { cli } from '../helpers/cli.ts';
import { startSession } from './harness.ts';
import type { Session } from './harness.ts';
import { tempDir } from '../helpers/temp.ts';

/** The rows a package of the Verification view shows when expanded (its checks), as text. */
async function expand(s: Session, name: string): Promise<void> {
  // The pointer is moved onto the row first: a hover it left elsewhere (the activity bar's "AAM - 3 packages
  // failed verification") can lie over a low row of a long list and take the click.
  const row = s.row(name);
  const box = await row.boundingBox();
  if (box) await s.page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await row.click();
  await s.page.keyboard.press('ArrowRight');
}

/**
 * Collapses a package's row. A key press alone can miss: a refresh of the view takes the focus from the row, and
 * an expanded package left behind adds its own signature rows to what the next test looks for.
 */
async function collapse(s: Session, name: string): Promise<void> {
  const row = s.row(name);
  for (let attempt = 0; attempt < 5 && (await row.getAttribute('aria-expanded')) === 'true'; attempt++) {
    await row.click();
    await s.page.keyboard.press('ArrowLeft');
  }
  assert.notEqual(await row.getAttribute('aria-expanded'), 'true', `${name} stays expanded`);
}

describe('several signers in a real VS Code (code-server)', () => {
  let s: Session;
  before(async () => {
    s = await startSession({ trusted: true });
  });
  after(async () => s?.close());

  it('shows one row per signature of a co-signed package, and the signers they add up to', async () => {
    await s.waitForStatus('@demo/team-prompts', 'verified');
    await expand(s, '@demo/team-prompts');
    const rows = s.page.locator('.part.sidebar .monaco-list-row');
    await rows.filter({ hasText: /Sigstore signature.*alice@example\.com — trusted by "\*@example\.com"/ }).waitFor();
    await rows
      .filter({ hasText: /OpenPGP signature.*AAM Demo Release <release@example\.com>.*1\.0\.0\.aam\.asc/ })
      .waitFor();
    await rows.filter({ hasText: /Signers.*2 trusted of 2 signatures/ }).waitFor();
    console.log(`screenshot: ${await s.shot('20-two-signature-rows')}`);
    await collapse(s, '@demo/team-prompts');
  });

  it('co-signs a published version with the release key: the view then shows two signature rows', async () => {
    await s.command('AAM: Co-sign a Published Version…');
    await s.pick('@demo/code-review', 'Which package?', { filter: true });
    await s.pick('GPG', 'Sign with');
    const confirm = s.page.locator('.monaco-dialog-box');
    await confirm.waitFor();
    const text = await confirm.innerText();
    assert.match(text, /Co-sign @demo\/code-review@1\.0\.0 on demo\?/);
    assert.match(text, /Signed by: alice@example\.com/);
    assert.match(text, new RegExp(`New signer: AAM Demo Release <release@example\\.com> \\(${s.world.releaseKey}\\)`));
    await confirm.locator('.monaco-button', { hasText: /^Sign and Add$/ }).click();
    await s.notification(/Co-signed @demo\/code-review@1\.0\.0: 1\.0\.0\.aam\.asc added on demo/);
    const registry = new LocalRegistry('demo', s.world.registry);
    assert.deepEqual(
      (await registry.readSignatures('@demo/code-review', '1.0.0')).map((x) => x.file),
      ['1.0.0.aam.sigstore.json', '1.0.0.aam.asc'],
    );
    await expand(s, '@demo/code-review');
    const rows = s.page.locator('.part.sidebar .monaco-list-row');
    await rows.filter({ hasText: /Sigstore signature.*alice@example\.com — trusted by/ }).waitFor();
    await rows.filter({ hasText: /OpenPGP signature.*AAM Demo Release <release@example\.com>.*trusted by/ }).waitFor();
    assert.equal(await rows.filter({ hasText: /(Sigstore|OpenPGP) signature/ }).count(), 2);
    await s.waitForStatus('@demo/code-review', 'verified');
    console.log(`screenshot: ${await s.shot('21-cosigned')}`);
    await collapse(s, '@demo/code-review');
  });

  it("hovering a delegate's package in the lock file says who delegated, for which packages, until when", async () => {
    // Fourteen packages are more than the quick pick shows at once: filter to the one wanted.
    await s.command('AAM: Show in Lock File');
    await s.pick('@partner/lint-pack', 'Which package?', { filter: true });
    await s.page.locator('.tab.active[aria-label^="aam-lock.yaml"]').waitFor();
    const hover = await s.hover('Signed by');
    assert.match(
      await hover.innerText(),
      /Signed by:\s*bob@partner\.example · issuer \S+ — delegated by alice@example\.com for @partner\/\* until \d{4}-\d{2}-\d{2}/,
    );
    console.log(`screenshot: ${await s.shot('22-delegated-hover')}`);
    await s.page.keyboard.press('Escape');
  });

  it('a project policy with allow_delegation: false refuses the delegate, naming the setting, until it is taken out', async () => {
    const policy = join(s.world.workspace, '.aam', 'config.yaml');
    const before = await readFile(policy, 'utf8');
    // The project tightens the policy: the view follows the saved file by itself.
    await writeFile(policy, `${before.trimEnd()}\n  allow_delegation: false\n`);
    await s.waitForStatus('@partner/lint-pack', 'signed, untrusted');
    const said = (await s.row('@partner/lint-pack').getAttribute('aria-label')) ?? '';
    assert.match(said, /bob@partner\.example .*signs only through a delegation, and allow_delegation is false/);
    console.log(`screenshot: ${await s.shot('22b-delegation-not-allowed')}`);
    await writeFile(policy, before);
    // Seen once in CI: the view did not follow the restored file within a minute (the file watcher's event for
    // the second write never arrived, or was not acted on). Said in the log, with a screenshot, and verified by
    // command so the tests after this one start from the demo's policy.
    const back = await s
      .waitForStatus('@partner/lint-pack', 'verified', 30_000)
      .then(() => true)
      .catch(() => false);
    if (!back) {
      console.log(
        `the view did not follow the restored policy within 30 s (screenshot: ${await s.shot('policy-restore-missed')}); verifying by command`,
      );
      await s.command('AAM: Verify Installed Packages');
      await s.waitForStatus('@partner/lint-pack', 'verified');
    }
  });

  it("after Alice revokes the delegation behind a delegate's package, Verify All fails it and says who revoked which", async () => {
    // Revoked in this session's own demo registry (every e2e file builds its own): the other files keep their counts.
    const run = (args: string[]) =>
      cli(args, { cwd: s.world.workspace, home: s.world.home, env: { GNUPGHOME: s.world.gnupgHome } });
    const listed = await run(['delegate', '--list', '--json']);
    assert.equal(listed.code, 0, listed.stderr);
    const delegation = (JSON.parse(listed.stdout) as { id: string; kind: string; text: string }[]).find(
      (d) => d.kind === 'delegation' && d.text.startsWith('@partner/* → bob@partner.example'),
    );
    assert.ok(delegation, listed.stdout);
    const revoked = await run([
      'delegate',
      '--revoke',
      delegation.id.slice(7, 19),
      '--reason',
      'the partner contract ended',
      '--identity-token',
      s.sigstore.mintToken('alice@example.com'),
    ]);
    assert.equal(revoked.code, 0, revoked.stderr);
    assert.match(revoked.stdout, /✓ Revoked by alice@example\.com/);
    await s.command('AAM: Verify Installed Packages');
    await s.notification(
      /Checked 15 packages: 4 failed, 1 installed without verification, 2 signed, untrusted, 1 unsigned, 7 verified/,
    );
    await s.waitForStatus('@partner/lint-pack', 'signed, untrusted');
    const row = s.row('@partner/lint-pack');
    const said = (await row.getAttribute('aria-label')) ?? '';
    const because = new RegExp(
      `delegation ${delegation.id.slice(7, 19)} \\(by alice@example\\.com .*for @partner/\\*\\) was revoked by alice@example\\.com .*: the partner contract ended`,
    );
    assert.match(said, /Signed by bob@partner\.example .*whose delegation is refused/);
    assert.match(said, because);
    // The row's hover says the same.
    const box = await row.boundingBox();
    assert.ok(box);
    await s.page.mouse.move(box.x + box.width / 3, box.y + box.height / 2);
    const hover = s.page.locator('.monaco-hover, .workbench-hover', { hasText: 'was revoked' }).first();
    await hover.waitFor();
    assert.match(await hover.innerText(), because);
    console.log(`screenshot: ${await s.shot('23-delegation-revoked')}`);
    await s.page.keyboard.press('Escape');
  });

  it('Install Package of a delegate whose delegations are for another pattern and by an untrusted signer: the row says why each is refused', async () => {
    const run = (args: string[]) =>
      cli(args, { cwd: s.world.workspace, home: s.world.home, env: { GNUPGHOME: s.world.gnupgHome } });
    const delegate = async (pattern: string, by: string) => {
      const made = await run([
        'delegate',
        pattern,
        '--to',
        'dave@partner.example',
        '--until',
        '2099-12-31',
        '--identity-token',
        s.sigstore.mintToken(by),
      ]);
      assert.equal(made.code, 0, made.stderr);
    };
    await delegate('@other/*', 'alice@example.com'); // a trusted signer, for other packages
    await delegate('@partner/*', 'mallory@elsewhere.example'); // the right packages, by a signer no one trusts
    const dir = await tempDir('aam-e2e-format-pack-');
    await mkdir(join(dir, 'prompts'));
    await writeFile(
      join(dir, 'aam.yaml'),
      'name: "@partner/format-pack"\nversion: 1.0.0\ndescription: Formatting prompts\nartifacts:\n  prompts:\n    - name: format-pack\n      path: prompts/main.md\n      description: Formatting prompts\n',
    );
    await writeFile(join(dir, 'prompts', 'main.md'), '# Format\n\nFormat the code before committing.\n');
    const published = await run([
      'publish',
      dir,
      '--sign',
      '--identity-token',
      s.sigstore.mintToken('dave@partner.example'),
    ]);
    assert.equal(published.code, 0, published.stderr);
    // The demo policy warns rather than refuses: the package is installed, and its row says why it is not trusted.
    await s.command('AAM: Install Package');
    await s.pick('demo', 'Install from which registry?');
    await s.pick('@partner/format-pack', 'Install which package?', { filter: true });
    await s.waitForStatus('@partner/format-pack', 'signed, untrusted');
    const said = (await s.row('@partner/format-pack').getAttribute('aria-label')) ?? '';
    assert.match(said, /Signed by dave@partner\.example .*whose delegation is refused/);
    assert.match(said, /for @other\/\*, not @partner\/format-pack/);
    assert.match(said, /mallory@elsewhere\.example .*who is not in your trust lists/);
    console.log(`screenshot: ${await s.shot('23b-delegations-refused')}`);
  });

  it('delegates refused for an expired delegation, a loop, re-delegation not allowed and a chain too deep: each row says why', async () => {
    const run = (args: string[]) =>
      cli(args, { cwd: s.world.workspace, home: s.world.home, env: { GNUPGHOME: s.world.gnupgHome } });
    const delegate = async (pattern: string, by: string, to: string, until: string, depth = 1) => {
      const made = await run([
        'delegate',
        pattern,
        '--to',
        to,
        '--until',
        until,
        '--max-depth',
        String(depth),
        '--identity-token',
        s.sigstore.mintToken(by),
      ]);
      assert.equal(made.code, 0, made.stderr);
    };
    const publishAs = async (name: string, email: string) => {
      const dir = await tempDir('aam-e2e-delegate-');
      await mkdir(join(dir, 'prompts'));
      const slug = name.replace(/[@/]/g, '-').replace(/^-/, '');
      await writeFile(
        join(dir, 'aam.yaml'),
        `name: "${name}"\nversion: 1.0.0\ndescription: ${slug}\nartifacts:\n  prompts:\n    - name: ${slug}\n      path: prompts/main.md\n      description: ${slug}\n`,
      );
      await writeFile(join(dir, 'prompts', 'main.md'), `# ${slug}\n`);
      const published = await run(['publish', dir, '--sign', '--identity-token', s.sigstore.mintToken(email)]);
      assert.equal(published.code, 0, published.stderr);
      // The demo policy warns rather than refuses: each is installed, and its row says why it is not trusted.
      const installed = await run(['install', name]);
      assert.equal(installed.code, 0, installed.stderr);
    };
    // Alice (trusted) lets Erin sign @late/* for a few seconds; Erin signs only after that.
    const until = new Date(Date.now() + 4000).toISOString();
    await delegate('@late/*', 'alice@example.com', 'erin@partner.example', until);
    // Bob and Carol delegate @loop/* to each other; neither leads to anyone trusted.
    await delegate('@loop/*', 'bob@loop.example', 'carol@loop.example', '2099-12-31');
    await delegate('@loop/*', 'carol@loop.example', 'bob@loop.example', '2099-12-31');
    await publishAs('@loop/pack', 'bob@loop.example');
    // Alice → Frank with no re-delegation (--max-depth 0); Frank → Gina anyway.
    await delegate('@redel/*', 'alice@example.com', 'frank@partner.example', '2099-12-31', 0);
    await delegate('@redel/*', 'frank@partner.example', 'gina@partner.example', '2099-12-31', 0);
    await publishAs('@redel/pack', 'gina@partner.example');
    // Alice → p1 → p2 → p3 → p4: p4's signature is four delegations down, one past the limit.
    const chain = ['alice@example.com', 'p1@deep.example', 'p2@deep.example', 'p3@deep.example', 'p4@deep.example'];
    for (let i = 0; i + 1 < chain.length; i++) await delegate('@deep/*', chain[i]!, chain[i + 1]!, '2099-12-31', 3);
    await publishAs('@deep/pack', 'p4@deep.example');
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, Date.parse(until) - Date.now()) + 1500));
    await publishAs('@late/pack', 'erin@partner.example');

    await s.command('AAM: Verify Installed Packages');
    const refused = async (name: string, signer: RegExp, because: RegExp) => {
      await s.waitForStatus(name, 'signed, untrusted');
      const said = (await s.row(name).getAttribute('aria-label')) ?? '';
      assert.match(said, signer);
      assert.match(said, /whose delegation is refused/);
      assert.match(said, because);
    };
    await refused(
      '@late/pack',
      /Signed by erin@partner\.example/,
      new RegExp(
        `\\(by alice@example\\.com .*for @late/\\*\\) expired on ${until.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}, before the signature was made`,
      ),
    );
    await refused('@loop/pack', /Signed by bob@loop\.example/, /a delegation loop: .*signs for itself/);
    await refused(
      '@redel/pack',
      /Signed by gina@partner\.example/,
      /\(by alice@example\.com .*for @redel\/\*\) does not allow re-delegation/,
    );
    await refused('@deep/pack', /Signed by p4@deep\.example/, /the delegation chain is longer than 3 delegations/);
    console.log(`screenshot: ${await s.shot('23c-delegations-refused-chains')}`);
  });

  it('Review Update of a co-signed package lists every signer, the one the new version adds and the one it lacks', async () => {
    // @demo/team-prompts 1.0.0 is signed by Alice and co-signed with the release key; 1.1.0 by Carol and the release
    // key: two trusted signers still (its threshold), Alice gone, Carol new.
    const dir = await tempDir('aam-e2e-team-prompts-');
    await mkdir(join(dir, 'prompts'));
    await writeFile(
      join(dir, 'aam.yaml'),
      'name: "@demo/team-prompts"\nversion: 1.1.0\ndescription: Shared team prompts\nartifacts:\n  prompts:\n    - name: team-prompts\n      path: prompts/main.md\n      description: Shared team prompts\n',
    );
    await writeFile(join(dir, 'prompts', 'main.md'), '# Team prompts\n\nNow signed by Carol and the release key.\n');
    const published = await cli(
      [
        'publish',
        dir,
        '--signing-method',
        'sigstore',
        '--gpg-key',
        'release@example.com',
        '--identity-token',
        s.sigstore.mintToken('carol@example.com'),
      ],
      { cwd: s.world.workspace, home: s.world.home, env: { GNUPGHOME: s.world.gnupgHome } },
    );
    assert.equal(published.code, 0, published.stderr);
    await s.command('AAM: Review Update…');
    await s.pick('@demo/team-prompts', 'Review the update of which package?', { filter: true });
    const versionTitle = s.page.locator('.quick-input-widget .quick-input-title', { hasText: 'at which version' });
    const rows = s.page.locator('.part.sidebar .monaco-list-row');
    const signers = rows.filter({
      hasText:
        /Signers.*alice@example\.com .* and AAM Demo Release <release@example\.com>.* → carol@example\.com .* and AAM Demo Release/,
    });
    await Promise.race([
      versionTitle.waitFor({ timeout: 30_000 }).then(async () => {
        await s.page.locator('.quick-input-widget input').fill('1.1.0');
        await s.page.keyboard.press('Enter');
      }),
      signers.first().waitFor({ timeout: 30_000 }),
    ]).catch(() => undefined);
    try {
      await signers.first().waitFor();
    } catch (error) {
      throw new Error(`no Signers row in the review (screenshot: ${await s.shot('review-signers-missing')})`, {
        cause: error,
      });
    }
    await rows
      .filter({ hasText: /Signer added.*carol@example\.com \(issuer/ })
      .first()
      .waitFor();
    await rows
      .filter({ hasText: /Signer gone.*alice@example\.com \(issuer/ })
      .first()
      .waitFor();
    await rows
      .filter({ hasText: /Signature.*sigstore \+ gpg → sigstore \+ gpg/ })
      .first()
      .waitFor();
    // Two trusted signers, as this package requires: verified still.
    await rows
      .filter({ hasText: /Verdict.*verified, signed by .*\(was verified\)/ })
      .first()
      .waitFor();
    console.log(`screenshot: ${await s.shot('24-review-cosigned-update')}`);
  });
});
