import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import type { Browser, Locator, Page } from 'playwright-core';
import { LocalSigstore } from '../../dev/local-sigstore/instance.ts';
import { startCodeServer } from '../../scripts/code-server.ts';
import type { RunningCodeServer } from '../../scripts/code-server.ts';
import { ensureChromium } from '../../scripts/tools.ts';
import { buildDemoWorld } from '../../demo/world.ts';
import type { DemoWorld } from '../../demo/world.ts';
import { stopGnupgAtExit, tempDir } from '../helpers/temp.ts';

export const SCREENSHOTS = join(import.meta.dirname, '..', '..', 'test-output', 'e2e');
const TIMEOUT = 60_000;

/** A real VS Code (code-server) with AAM Trust, on a fresh demo world, driven through Chromium. */
export interface Session {
  world: DemoWorld;
  sigstore: LocalSigstore;
  server: RunningCodeServer;
  browser: Browser;
  page: Page;
  /** Saves a screenshot under test-output/e2e and returns its path. */
  shot(name: string): Promise<string>;
  /** Runs a command through the command palette (F1), by its title. */
  command(title: string): Promise<void>;
  /**
   * Clicks the first row of the open quick pick holding `text`; with `title`, of the quick pick with that title.
   * With `filter`, types `text` into the quick pick first (for lists longer than it shows).
   */
  pick(text: string, title?: string, options?: { filter?: boolean }): Promise<void>;
  /**
   * Opens the Quick Fix menu at the cursor and returns its row holding
   * `text`; the menu is opened again when it closed as it opened.
   */
  quickFix(text: string): Promise<Locator>;
  /** Shows the hover at the cursor (Show or Focus Hover) and returns it once it holds `text`, shown again if it closed. */
  hover(text: string): Promise<Locator>;
  /** The Verification view row of a package. */
  row(name: string): Locator;
  /**
   * Expands a package's row and moves down its children until one holding
   * `text` is on screen (the view renders only the rows it shows), and returns it.
   */
  revealChild(name: string, text: RegExp): Promise<Locator>;
  /** Waits until a package's row says `status` (as its accessibility label does). */
  waitForStatus(name: string, status: string, timeout?: number): Promise<void>;
  /** Waits for a notification whose text matches, and returns its text. */
  notification(text: RegExp): Promise<string>;
  /**
   * Waits for a CodeLens (in the active editor group) holding `text`; on a
   * timeout the error lists the lenses that were there instead.
   */
  lens(text: string | RegExp): Promise<void>;
  openFile(relativePath: string): Promise<void>;
  close(): Promise<void>;
}

export interface SessionOptions {
  /** false opens the workspace in Restricted Mode. */
  trusted: boolean;
  /** Changes to the demo world before VS Code starts. */
  prepare?: (world: DemoWorld, sigstore: LocalSigstore) => Promise<void>;
  /** Install this packaged extension instead of the repository folder. */
  vsix?: string;
}

export async function startSession(options: SessionOptions): Promise<Session> {
  await mkdir(SCREENSHOTS, { recursive: true });
  const sigstore = await LocalSigstore.start();
  const world = await buildDemoWorld(join(await tempDir('aam-e2e-'), 'demo'), sigstore, { checkResponses: true });
  stopGnupgAtExit(world.gnupgHome);
  await options.prepare?.(world, sigstore);
  const server = await startCodeServer({
    folder: world.workspace,
    home: world.home,
    trusted: options.trusted,
    vsix: options.vsix,
  });
  const browser = await chromium.launch({
    executablePath: await ensureChromium(),
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-dev-shm-usage',
    ],
  });
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  page.setDefaultTimeout(TIMEOUT);
  await page.goto(server.folderUrl);
  await page.locator('.monaco-workbench').waitFor();
  await page.locator('.activitybar [aria-label^="AAM"]').first().click();
  await page.locator('.part.sidebar .monaco-list-row').first().waitFor();

  let lastCommand: string | undefined;
  /**
   * Runs a command that opens a widget at the cursor and waits for `wanted` in it. Like a quick pick, the
   * widget can close as it opens when focus comes back from the command palette just then (seen in CI): the
   * command is run again, said in the log with a screenshot.
   */
  async function shownAgain(command: string, wanted: Locator): Promise<Locator> {
    for (let attempt = 1; ; attempt++) {
      await session.command(command);
      try {
        await wanted.waitFor({ timeout: attempt < 3 ? 20_000 : TIMEOUT });
        return wanted;
      } catch (error) {
        if (attempt >= 3) throw error;
        console.log(
          `"${command}" did not show what was wanted (screenshot: ${await session.shot('widget-missing')}); again`,
        );
        await page.keyboard.press('Escape');
      }
    }
  }
  const session: Session = {
    world,
    sigstore,
    server,
    browser,
    page,
    async shot(name) {
      const path = join(SCREENSHOTS, `${name}.png`);
      await page.screenshot({ path });
      return path;
    },
    async command(title) {
      lastCommand = title;
      // Rarely (once in a few full runs), the palette is inert as it opens, then gone, as if a dialog had opened
      // over it: it is opened once more — said in the log, with a screenshot. Nothing ran: the row is clicked last.
      for (let attempt = 1; ; attempt++) {
        const timeout = attempt < 2 ? 20_000 : TIMEOUT;
        try {
          await page.keyboard.press('F1');
          const input = page.locator('.quick-input-widget input');
          await input.waitFor({ timeout });
          await input.fill(`>${title}`, { timeout });
          // The palette matches loosely and puts recently used commands first ("AAM: Verify Installed Packages"
          // for "AAM: Install Package"): the row whose text holds the title is clicked, not the focused one.
          const row = page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first();
          await row.waitFor({ timeout });
          await row.click({ timeout });
          return;
        } catch (error) {
          if (attempt >= 2) throw error;
          console.log(
            `the command palette did not take "${title}" (screenshot: ${await session.shot('palette-inert')}); opening it again`,
          );
          await page.keyboard.press('Escape');
        }
      }
    },
    async pick(text, title, options) {
      const row = page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: text }).first();
      // Rarely (about once in five full runs, in CI as well), the quick pick closes as it opens: focus returns to
      // where it was before the command palette just as the new quick pick shows. The command before it only asked
      // a question, so it is run once more — said in the log, with a screenshot.
      for (let attempt = 1; ; attempt++) {
        const timeout = attempt < 2 ? 20_000 : TIMEOUT;
        try {
          // With a title, only that quick pick's rows count (not a closing one's, nor the command palette's).
          if (title)
            await page.locator('.quick-input-widget .quick-input-title', { hasText: title }).waitFor({ timeout });
          if (options?.filter) await page.locator('.quick-input-widget .quick-input-box input').fill(text, { timeout });
          await row.waitFor({ timeout });
          await row.click({ timeout });
          return;
        } catch (error) {
          if (attempt >= 2 || !lastCommand) throw error;
          console.log(
            `quick pick "${text}" closed before it could be picked (screenshot: ${await session.shot('quick-pick-closed')}); running "${lastCommand}" again`,
          );
          await page.keyboard.press('Escape');
          await session.command(lastCommand);
        }
      }
    },
    quickFix(text) {
      return shownAgain('Quick Fix...', page.locator('.action-widget .monaco-list-row', { hasText: text }).first());
    },
    hover(text) {
      return shownAgain('Show or Focus Hover', page.locator('.monaco-hover', { hasText: text }).first());
    },
    row(name) {
      return page.locator(`.part.sidebar .monaco-list-row[aria-label^="${name} "]`);
    },
    async revealChild(name, text) {
      const row = session.row(name);
      await row.click();
      if ((await row.getAttribute('aria-expanded')) !== 'true') await page.keyboard.press('ArrowRight');
      const wanted = page.locator('.part.sidebar .monaco-list-row', { hasText: text }).first();
      for (let step = 0; step < 40 && !(await wanted.isVisible()); step++) await page.keyboard.press('ArrowDown');
      await wanted.waitFor();
      return wanted;
    },
    async waitForStatus(name, status, timeout) {
      await page
        // The status words, then the message, or the warnings' words after them.
        .locator(
          `.part.sidebar .monaco-list-row[aria-label^="${name} "]:is([aria-label*=": ${status}."], [aria-label*=": ${status}, "])`,
        )
        .waitFor(timeout === undefined ? {} : { timeout });
    },
    async notification(text) {
      const toast = page.locator('.notification-toast', { hasText: text }).first();
      await toast.waitFor();
      return toast.innerText();
    },
    async lens(text) {
      const lenses = page.locator('.editor-group-container.active .codelens-decoration');
      try {
        await lenses.filter({ hasText: text }).first().waitFor();
      } catch (error) {
        const shown = await lenses.allInnerTexts().catch(() => []);
        throw new Error(
          `No CodeLens holding ${String(text)}; shown: ${shown.length > 0 ? shown.map((t) => JSON.stringify(t)).join(', ') : 'none'} (screenshot: ${await session.shot('lens-missing')})`,
          { cause: error },
        );
      }
    },
    async openFile(relativePath) {
      await page.keyboard.press('Control+P');
      const input = page.locator('.quick-input-widget input');
      await input.waitFor();
      await input.fill(relativePath);
      await page
        .locator('.quick-input-list .monaco-list-row', { hasText: relativePath.split('/').pop()! })
        .first()
        .waitFor();
      await page.keyboard.press('Enter');
      await page.locator(`.tab.active[aria-label^="${relativePath.split('/').pop()}"]`).waitFor();
    },
    async close() {
      await browser.close().catch(() => undefined);
      await server.stop();
      await world.stop();
      await sigstore.close();
    },
  };
  return session;
}
