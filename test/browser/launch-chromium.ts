import { accessSync, constants } from 'node:fs';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';

/** Debian's `chromium` package; CHROMIUM_PATH points elsewhere on other distributions. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const CHROMIUM_MISSING_NOTICE =
  'SKIPPED: headless Chromium not installed (apt-get install -y chromium)';

export function isChromiumInstalled(path = CHROMIUM_PATH): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

export function isLoopbackUrl(url: string): boolean {
  try {
    const { protocol, hostname } = new URL(url);
    if (protocol === 'data:' || protocol === 'blob:' || protocol === 'about:') return true;
    return LOOPBACK_HOSTS.has(hostname) || /^127\./.test(hostname);
  } catch {
    return false;
  }
}

export interface LocalBrowser {
  browser: Browser;
  context: BrowserContext;
  /** Every non-loopback URL the page asked for (all of them were aborted). */
  blocked: string[];
  close(): Promise<void>;
}

/**
 * Headless Chromium that cannot leave the machine: a dead proxy and a resolver that knows only
 * loopback catch what the browser itself fetches, the route catches what the page fetches.
 */
export async function launchChromium(
  options: { viewport?: { width: number; height: number } } = {},
): Promise<LocalBrowser> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    timeout: 15_000,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--proxy-server=http://127.0.0.1:9',
      '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1',
    ],
  });
  const blocked: string[] = [];
  try {
    const context = await browser.newContext({
      viewport: options.viewport ?? { width: 1280, height: 900 },
      locale: 'en-US',
      timezoneId: 'UTC',
    });
    await context.route('**/*', (route) => {
      const url = route.request().url();
      if (isLoopbackUrl(url)) return route.continue();
      blocked.push(url);
      return route.abort('blockedbyclient');
    });
    return { browser, context, blocked, close: () => browser.close() };
  } catch (error) {
    await browser.close();
    throw error;
  }
}
