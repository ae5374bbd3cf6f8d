/**
 * Debian's Chromium for the browser tests (tracking page, explorer, ops dashboard), driven by
 * playwright-core: one place for the executable, the flags this network needs (no background
 * networking, updates, sync or QUIC: every outside connection is refused here) and the problems a
 * page must not have (console errors, CSP violations, uncaught errors, failed responses).
 *
 * Outside CI a browser test skips when the executable is missing; under CI=true it fails
 * (`browserTest` gives the describe's skip flag, `launchChromium` throws).
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { isCI } from './harness.js';

export const CHROMIUM = '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);

/** True when the browser tests of `label` must skip (no Chromium outside CI); warns once. */
export function skipBrowserTests(label: string): boolean {
  if (haveChromium || isCI) return false;
  console.warn(`[${label}] skipped: ${CHROMIUM} not found (apt-get install -y chromium); under CI=true this fails`);
  return true;
}

export interface Browser {
  context: BrowserContext;
  page: Page;
  /** Console errors, page errors and responses >= 400 seen so far. */
  problems: string[];
  close(): Promise<void>;
}

/** A fresh headless Chromium profile with `options` (locale, viewport, time zone) and its first page watched for problems. */
export async function launchChromium(options: Parameters<typeof chromium.launchPersistentContext>[1] = {}): Promise<Browser> {
  if (!haveChromium) throw new Error(`${CHROMIUM} is missing: CI must install the Debian chromium package (see .ci/run)`);
  const userDataDir = mkdtempSync(join(tmpdir(), 'waybill-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-quic', '--disable-sync'],
    ...options,
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const problems: string[] = [];
  // CSP violations and script errors surface here; a page must have none.
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('response', (r) => {
    if (r.status() >= 400) problems.push(`${r.status()} ${r.url()}`);
  });
  return {
    context,
    page,
    problems,
    close: async () => {
      await context.close();
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}
