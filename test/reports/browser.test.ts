// Opens report.html from disk in Debian's chromium (never a downloaded browser) and checks what
// a reader gets: no console errors, no network requests, every chart an SVG with drawn marks,
// and hostile experiment and setting names shown as text, never run. Saves a screenshot.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type BrowserContext } from 'playwright-core';
import { writeReports } from '../../reports/index.js';
import { cli } from '../cli/helpers.js';
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

  it('shows the settings that decided the results, and fits a wide results table in 1280 px without scrolling', async () => {
    // A real run (experiment.json carries each point's context) with eight long metric names and two swept paths.
    const out = join(dir, 'wide');
    const file = join(dir, 'wide.yaml');
    writeFileSync(file, WIDE);
    const run = await cli(['run', file, '--out', out, '--workers', '1', '--quiet']);
    expect(run.code).toBe(0);
    const page = await context.newPage();
    await page.goto(pathToFileURL(join(out, 'report.html')).href, { waitUntil: 'load' });
    const settings = page.locator('section#settings');
    expect(await settings.isVisible()).toBe(true);
    expect(await settings.locator('p.critical').first().textContent()).toMatch(/A\/AAAA race cannot drop a DNS query/);
    expect(await settings.locator('span.flag', { hasText: 'default' }).count()).toBeGreaterThan(3);
    const overflow = await page.$$eval('section#answer .scroll', (boxes) => boxes.map((b) => b.scrollWidth - b.clientWidth));
    expect(overflow.length).toBeGreaterThan(0);
    for (const extra of overflow) expect(extra).toBeLessThanOrEqual(0);
    expect(await page.$eval('html', (html) => html.scrollWidth)).toBeLessThanOrEqual(1280);
    // A setting's value is never broken inside a word ("iptable-s"): each fits its cell on one line.
    const settingCells = await page.$$eval('section#answer td.setting', (cells) =>
      cells.map((c) => {
        const text = c.firstChild as unknown;
        const range = (c as unknown as { ownerDocument: { createRange(): { selectNodeContents(n: unknown): void; getClientRects(): { length: number } } } }).ownerDocument.createRange();
        range.selectNodeContents(text);
        return { text: c.textContent ?? '', lines: range.getClientRects().length };
      }),
    );
    for (const c of settingCells) expect(c.lines, c.text).toBe(1);
  });
});

const WIDE = `apiVersion: k8s-netsim/v1alpha1
kind: Experiment
metadata: { name: wide }
spec:
  replications: 2
  warmup: 0s
  duration: 1s
  cluster: { nodes: 4, podsPerNode: 4, services: 20, detailedNodes: all }
  workload: [{ name: web, clients: 2, ratePerClient: 20 }]
  sweep:
    cluster.services: [20, 200]
    proxy.mode: [iptables, ipvs, nftables, ebpf]
  report:
    metrics:
      - kubeproxy_network_programming_duration_seconds.p99
      - kubeproxy_sync_proxy_rules_duration_seconds.p99
      - request_outcomes_total{outcome=deadline_exceeded}.rate
      - dns_lookup_duration_seconds.p99
      - connect_duration_seconds.p99
      - node_nf_conntrack_entries.max
      - request_duration_seconds.p99
      - dns_queries_per_lookup.mean
`;
