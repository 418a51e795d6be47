import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';

/** Debian's Chromium (`apt-get install chromium`, done by .ci/run); CHROMIUM_PATH overrides. */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Where page tests keep their screenshots: the test output a person (or CI) looks at. */
export const SCREENSHOT_DIR = join(process.cwd(), 'test-output', 'screenshots');

export interface HeadlessBrowser {
  readonly browser: Browser;
  /** A new page in a fresh context (its own cookies), sized like a laptop or a phone. */
  newPage(viewport?: 'laptop' | 'phone'): Promise<Page>;
  /** Saves a full-page screenshot as `<SCREENSHOT_DIR>/<name>.png` and returns its path. */
  screenshot(page: Page, name: string): Promise<string>;
  close(): Promise<void>;
}

/**
 * Starts headless Chromium the way this machine allows: no sandbox (CI runs as root), no GPU, and no
 * background networking (the network is closed; Chromium's own connections would fail noisily).
 * Playwright gives every launch a new empty profile directory of its own.
 */
export async function launchBrowser(): Promise<HeadlessBrowser> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  return {
    browser,
    async newPage(viewport = 'laptop') {
      const size = viewport === 'phone' ? { width: 390, height: 844 } : { width: 1280, height: 800 };
      const context = await browser.newContext({ viewport: size });
      return context.newPage();
    },
    async screenshot(page, name) {
      const path = join(SCREENSHOT_DIR, `${name}.png`);
      await page.screenshot({ path, fullPage: true });
      return path;
    },
    async close() {
      await browser.close();
    },
  };
}
