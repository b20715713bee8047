/**
 * Headless Chromium for the browser tests (not a global setup): Debian's `chromium` package at
 * /usr/bin/chromium, installed with `apt-get install -y chromium` when it is missing and the tests
 * run as root; otherwise the browser tests are skipped with a loud message.
 */
import { execFile } from 'node:child_process';
import { access, constants } from 'node:fs/promises';
import { promisify } from 'node:util';
import type { Browser } from 'playwright-core';

/** Where Debian's package puts the browser. */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/** The flags every test launch uses: headless, no sandbox (root in CI), nothing that calls home. */
export const CHROMIUM_ARGS: readonly string[] = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

const run = promisify(execFile);

async function executable(path: string): Promise<boolean> {
  return access(path, constants.X_OK).then(
    () => true,
    () => false,
  );
}

/**
 * Resolves to the Chromium path, installing the Debian package first when missing and running as
 * root; resolves to a reason (string starting with "skip:") when the browser is not available.
 */
export async function ensureChromium(): Promise<{ path: string } | { skip: string }> {
  if (await executable(CHROMIUM_PATH)) return { path: CHROMIUM_PATH };
  if (process.getuid?.() !== 0) return { skip: `${CHROMIUM_PATH} is missing and the tests do not run as root: install Debian's chromium package` };
  try {
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    await run('apt-get', ['install', '-y', 'chromium'], { env, timeout: 600_000 }).catch(async () => {
      await run('apt-get', ['update'], { env, timeout: 300_000 });
      await run('apt-get', ['install', '-y', 'chromium'], { env, timeout: 600_000 });
    });
  } catch (err) {
    return { skip: `apt-get install -y chromium failed: ${err instanceof Error ? err.message : String(err)}` };
  }
  return (await executable(CHROMIUM_PATH)) ? { path: CHROMIUM_PATH } : { skip: `${CHROMIUM_PATH} still missing after apt-get install` };
}

/** Launches headless Chromium with {@link CHROMIUM_ARGS}. */
export async function launchChromium(path: string): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  return chromium.launch({ executablePath: path, args: [...CHROMIUM_ARGS], timeout: 60_000 });
}

/** Prints a message no one scrolling the test output can miss. */
export function loudSkip(what: string, reason: string): void {
  const bar = '!'.repeat(78);
  console.warn(`\n${bar}\n!! SKIPPED ${what}: ${reason}\n${bar}\n`);
}
