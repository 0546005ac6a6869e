// Opens report.html from disk in Debian's chromium (never a downloaded browser) and checks what
// a reader gets: no console errors, no network requests, every chart an SVG with drawn marks,
// and hostile experiment and setting names shown as text, never run. Saves a screenshot.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type BrowserContext } from 'playwright-core';
import { writeReports } from '../../reports/index.js';
import { ATTRIBUTE_NAME, SCRIPT_NAME, writeFixture } from './fixture.js';

const CHROMIUM = '/usr/bin/chromium';

/** Installs chromium with apt when missing and we may (root, apt-get present); true if it is there. */
function ensureChromium(): boolean {
  if (existsSync(CHROMIUM)) return true;
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!root || spawnSync('sh', ['-c', 'command -v apt-get']).status !== 0) return false;
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  spawnSync('sh', ['-c', 'apt-get update && apt-get install -y --no-install-recommends chromium'], { stdio: 'ignore', env, timeout: 600_000 });
  return existsSync(CHROMIUM);
}

const available = ensureChromium();
if (!available) console.warn(`browser test skipped: ${CHROMIUM} is not installed and could not be installed with apt-get (not root, or no apt); .ci/run installs it`);

describe.skipIf(!available)('report.html in chromium', () => {
  let dir: string;
  let profile: string;
  let context: BrowserContext;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'k8s-netsim-report-'));
    profile = mkdtempSync(join(tmpdir(), 'k8s-netsim-chromium-'));
    writeFixture(dir);
    await writeReports(dir);
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync', '--disable-quic'],
      viewport: { width: 1280, height: 900 },
    });
  });

  afterAll(async () => {
    await context?.close();
    rmSync(profile, { recursive: true, force: true });
    if (process.env.K8S_NETSIM_KEEP_REPORT === undefined) rmSync(dir, { recursive: true, force: true });
    else console.log(`report kept in ${dir}`);
  });

  it('renders offline with every chart drawn and hostile names as text', async () => {
    const page = await context.newPage();
    const url = pathToFileURL(join(dir, 'report.html')).href;
    const consoleErrors: string[] = [];
    const requests: string[] = [];
    const dialogs: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
    page.on('pageerror', (error) => consoleErrors.push(error.message));
    page.on('request', (request) => requests.push(request.url()));
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });

    await page.goto(url, { waitUntil: 'load' });

    const charts = await page.$$eval('figure', (figures) =>
      figures.map((figure) => {
        const svg = figure.querySelector('svg');
        return {
          id: figure.id,
          svg: svg !== null,
          marks: svg === null ? 0 : svg.querySelectorAll('g.role-mark path, g.role-mark line, g.role-mark rect').length,
          width: svg === null ? 0 : svg.getBoundingClientRect().width,
        };
      }),
    );
    const text = (await page.locator('body').textContent()) ?? '';
    const injected = await page.locator('script, img, iframe, object, embed').count();
    await page.screenshot({ path: join(dir, 'screenshot.png'), fullPage: true });

    expect(consoleErrors).toEqual([]);
    expect(requests).toEqual([url]);
    expect(dialogs).toEqual([]);
    expect(charts.length).toBeGreaterThanOrEqual(8);
    for (const chart of charts) {
      expect(chart.svg, chart.id).toBe(true);
      expect(chart.marks, chart.id).toBeGreaterThan(0);
      expect(chart.width, chart.id).toBeGreaterThan(200);
    }
    expect(injected).toBe(0);
    expect(text).toContain(SCRIPT_NAME);
    expect(text).toContain(ATTRIBUTE_NAME);
    expect(existsSync(join(dir, 'screenshot.png'))).toBe(true);
  });

  it('opens with the Health section, says so first in the Answer, and marks the unhealthy point in the tables', async () => {
    // The fixture's iptables at 10,000 Services times out 2 % of its requests: one critical point.
    const page = await context.newPage();
    await page.goto(pathToFileURL(join(dir, 'report.html')).href, { waitUntil: 'load' });
    const sections = await page.$$eval('body > section', (list) => list.map((s) => s.id));
    expect(sections[0]).toBe('health');
    expect(sections.indexOf('health')).toBeLessThan(sections.indexOf('answer'));
    const health = page.locator('section#health');
    expect(await health.isVisible()).toBe(true);
    expect(await health.locator('h2').textContent()).toBe('Health');
    expect(await health.locator('li.critical').first().textContent()).toMatch(/critical\d\.\d+ % of requests ended timeout \([\d.]+ requests\/s cluster-wide\)\./);
    const headline = page.locator('section#answer > h2 + p.health-headline');
    expect(await headline.isVisible()).toBe(true);
    expect(await headline.textContent()).toMatch(/^‼ 1 of \d+ points is unhealthy \(\d\.\d+ % timeout\)/);
    const marked = await page.$$eval('section#answer table td a.sick', (marks) => marks.map((a) => ({ row: a.closest('tr')?.textContent ?? '', title: a.getAttribute('title'), href: a.getAttribute('href'), shown: a.getBoundingClientRect().width > 0 })));
    // One row of the Results table and its group's row of the verdict table.
    expect(marked.length).toBe(2);
    for (const m of marked) {
      expect(m.shown).toBe(true);
      expect(m.href).toBe('#health');
      expect(m.title).toMatch(/^(Unhealthy: \d\.\d+ % timeout \(see Health\)|.*iptables.*: Unhealthy: \d\.\d+ % timeout)/);
    }
    expect(marked.some((m) => /^10000iptables ‼/.test(m.row))).toBe(true);
  });
});
