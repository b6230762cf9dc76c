// Debian's Chromium driven by playwright-core, for the browser journeys and screenshots.
// No browser download: playwright-core only drives the Chromium the README's test command installs.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM_MISSING =
  'Chromium was not found (looked for `chromium` / `chromium-browser` on PATH and FAULTLINE_CHROMIUM). ' +
  "The browser journeys need Debian's Chromium: run the README's test command, which installs it " +
  '(apt-get update && apt-get install -y chromium).';

export function chromiumPath(): string {
  const fromEnv = process.env.FAULTLINE_CHROMIUM;
  if (fromEnv && existsSync(fromEnv)) return fromEnv;
  for (const name of ['chromium', 'chromium-browser']) {
    try {
      const p = execFileSync('which', [name], { encoding: 'utf8' }).trim();
      if (p) return p;
    } catch {
      // not on PATH under this name
    }
  }
  throw new Error(CHROMIUM_MISSING);
}

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-dev-shm-usage'],
  });
}
