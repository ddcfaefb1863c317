// The browser tests' toolkit: Debian's Chromium driven by playwright-core, axe-core run in the
// page, TOTP codes from the test's secrets, and screenshots for the user guide.
import { readFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import * as OTPAuth from 'otpauth';

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/** Where Chromium is: `HERAUT_CHROMIUM`, else Debian's package. */
export const chromiumPath = process.env.HERAUT_CHROMIUM ?? '/usr/bin/chromium';

export async function launch() {
  return chromium.launch({
    executablePath: chromiumPath,
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
}

/** A fresh browser context (its own cookies) whose CSP violations and page errors are kept. */
export async function person(browser, name, { locale = 'en-GB' } = {}) {
  const context = await browser.newContext({ locale, viewport: { width: 1280, height: 860 } });
  const page = await context.newPage();
  const problems = [];
  page.on('console', (m) => {
    const text = m.text();
    if (/Content Security Policy|Refused to (load|execute|apply)/i.test(text)) {
      problems.push(`${name}: CSP: ${text}`);
    }
  });
  page.on('pageerror', (e) => problems.push(`${name}: page error: ${e.message}`));
  // Generous: the journey runs beside the rest of the suite on two cores.
  page.setDefaultTimeout(30_000);
  return { name, context, page, problems };
}

/** The current TOTP code of a base32 secret, for a step not used before by this person. */
const usedSteps = new Map();
export async function totp(secret) {
  const gen = new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(secret), digits: 6, period: 30 });
  // A code is single-use per step: wait for the next step if this one was used.
  for (;;) {
    const step = Math.floor(Date.now() / 30_000);
    if (usedSteps.get(secret) !== step) {
      usedSteps.set(secret, step);
      return gen.generate();
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
}

/** Runs axe-core (WCAG 2.1 A and AA rules) on the page; throws on serious or critical findings. */
export async function axe(page, screen, log) {
  await page.evaluate(axeSource);
  const result = await page.evaluate(() =>
    // eslint-disable-next-line no-undef
    window.axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
    }),
  );
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  log.push({ screen, url: page.url(), violations: result.violations.map((v) => `${v.impact} ${v.id}`) });
  if (bad.length > 0) {
    const detail = bad
      .map((v) => `${v.impact} ${v.id}: ${v.help}\n  ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join('\n  ')}`)
      .join('\n');
    throw new Error(`axe found serious problems on ${screen} (${page.url()}):\n${detail}`);
  }
}

/** Saves a screenshot of the page when a folder was given (the user guide's images). */
export async function shot(page, dir, name) {
  if (!dir) return;
  mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: join(dir, `${name}.png`), fullPage: false });
}

export function step(title) {
  process.stderr.write(`[e2e] ${new Date().toISOString()} ${title}\n`);
}
