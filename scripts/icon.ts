import { readFile } from 'node:fs/promises';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { ensureChromium } from './tools.ts';

/** Renders media/icon.svg to media/icon.png (the Marketplace wants a PNG). */
const media = join(dirname(fileURLToPath(import.meta.url)), '..', 'media');
const svg = await readFile(join(media, 'icon.svg'), 'utf8');
const browser = await chromium.launch({
  executablePath: await ensureChromium(),
  args: ['--no-sandbox', '--disable-gpu'],
});
const page = await browser.newPage({ viewport: { width: 128, height: 128 } });
await page.setContent(`<html><body style="margin:0;background:transparent">${svg}</body></html>`);
await page.screenshot({
  path: join(media, 'icon.png'),
  omitBackground: true,
  clip: { x: 0, y: 0, width: 128, height: 128 },
});
await browser.close();
