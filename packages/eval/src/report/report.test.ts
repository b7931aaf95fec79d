import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type BrowserContext } from 'playwright-core';
import { renderReport } from './render-report.js';
import type { ReportDataInput } from './report-data.js';
import { writeReport } from './write-report.js';

const CHROMIUM = '/usr/bin/chromium';

/** A report with every chart kind: 7 + 7 + 2 few-shot marks, 5 + 5 K marks, 60 users, 2 x 12 + 2 x 12 epoch marks. */
function sampleReport(): ReportDataInput {
  const shots = [1, 2, 5, 10, 20, 50, 100];
  const groups = ['interest-in-art', 'interest-in-math', 'interest-in-music', 'interest-in-sports'];
  const users = Array.from({ length: 60 }, (_, index) => {
    const group = index % 4;
    const weights = [0.04, 0.04, 0.04, 0.04];
    weights[group] = 0.88;
    return { userId: `user-${index}`, group: groups[group]!, weights };
  });
  const epochs = Array.from({ length: 12 }, (_, index) => index + 1);
  return {
    title: 'PAL report <test & check>',
    subtitle: 'Rendering test',
    summary: [{ label: 'seen accuracy', value: '97.0%' }, { label: 'unseen accuracy (20-shot)', value: '95.1%' }],
    sections: [
      {
        kind: 'line-chart',
        id: 'few-shot',
        title: 'Few-shot accuracy',
        xLabel: 'comparisons per unseen user (N)',
        yLabel: 'accuracy',
        xScale: 'log',
        percent: true,
        yDomain: [0.5, 1],
        series: [
          { name: 'PAL, K = 4', points: shots.map((x, index) => ({ x, y: 0.6 + index * 0.055 })) },
          { name: 'K = 1 baseline', dashed: true, points: shots.map((x) => ({ x, y: 0.86 })) },
          { name: 'seen users (PAL)', dashed: true, points: [{ x: 1, y: 0.97 }, { x: 100, y: 0.97 }] },
        ],
      },
      {
        kind: 'line-chart',
        id: 'k-sweep',
        title: 'Accuracy against K',
        xLabel: 'prototypes K',
        yLabel: 'accuracy',
        percent: true,
        series: [
          { name: 'seen users', points: [1, 2, 3, 4, 5].map((k) => ({ x: k, y: Math.min(0.99, 0.85 + k * 0.035) })) },
          { name: 'unseen users (20-shot)', points: [1, 2, 3, 4, 5].map((k) => ({ x: k, y: Math.min(0.97, 0.84 + k * 0.03) })) },
        ],
      },
      { kind: 'mixture-chart', id: 'mixtures', title: 'Mixture weights', users },
      {
        kind: 'line-chart',
        id: 'training-curves',
        title: 'Training curves',
        xLabel: 'epoch',
        yLabel: 'loss',
        series: [
          { name: 'PAL train', points: epochs.map((x) => ({ x, y: 0.7 / x })) },
          { name: 'PAL validation', dashed: true, points: epochs.map((x) => ({ x, y: 0.75 / x + 0.02 })) },
          { name: 'K = 1 train', points: epochs.map((x) => ({ x, y: 0.5 + 0.2 / x })) },
          { name: 'K = 1 validation', dashed: true, points: epochs.map((x) => ({ x, y: 0.52 + 0.2 / x })) },
        ],
      },
      { kind: 'table', title: 'Per group', columns: ['group', 'PAL'], rows: [['interest-in-art', '97.0%']] },
    ],
    details: [{ label: 'backend', value: 'reference' }],
  };
}

const expectedMarks: Record<string, number> = { 'few-shot': 16, 'k-sweep': 10, mixtures: 60, 'training-curves': 48 };

describe('renderReport', () => {
  it('should produce one self-contained document: no scripts, no external URLs, text escaped', () => {
    const html = renderReport(sampleReport());
    expect(html).not.toMatch(/<script|<link|@import|url\(|src=|https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
    expect(html).toContain('PAL report &lt;test &amp; check&gt;');
    expect(html.match(/<svg /g)).toHaveLength(4);
  });

  it('should name the bad field when report data is invalid', () => {
    const data = sampleReport();
    (data.sections![0] as { series: unknown[] }).series = [{ name: 'x', points: [{ x: 1, y: Number.NaN }] }];
    expect(() => renderReport(data)).toThrow(/sections\.0\.series\.0\.points\.0\.y: .*NaN/);
  });
});

// Needs Debian's chromium package (.ci/run installs it); on a machine without it this block reports as skipped.
describe.skipIf(!existsSync(CHROMIUM))('report in headless Chromium', () => {
  let browser: BrowserContext;
  let directory: string;

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'pal-report-'));
    // A fresh profile directory per run, so nothing cached from an earlier run can hide a broken report.
    browser = await chromium.launchPersistentContext(join(directory, 'profile'), {
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
      viewport: { width: 1400, height: 900 },
    });
  });

  afterAll(async () => {
    await browser?.close();
    await rm(directory, { recursive: true, force: true });
  });

  it('should render every chart with a non-zero size and one mark per data point, offline', async () => {
    const path = await writeReport(join(directory, 'out', 'report.html'), sampleReport());
    expect(await readFile(path, 'utf8')).toMatch(/^<!doctype html>/);
    const page = await browser.newPage();
    const requests: string[] = [];
    page.on('request', (request) => requests.push(request.url()));
    await page.goto(pathToFileURL(path).href);
    const charts = await page.$$eval('svg.chart', (elements) =>
      elements.map((element) => {
        const box = element.getBoundingClientRect();
        return { id: element.getAttribute('data-chart'), width: box.width, height: box.height, marks: element.querySelectorAll('circle.mark').length, drawn: Array.from(element.querySelectorAll('circle.mark')).filter((mark) => (mark as unknown as { getBoundingClientRect(): { width: number } }).getBoundingClientRect().width > 0).length };
      }),
    );
    expect(charts.map((chart) => chart.id)).toEqual(Object.keys(expectedMarks));
    for (const chart of charts) {
      expect(chart.width, chart.id!).toBeGreaterThan(300);
      expect(chart.height, chart.id!).toBeGreaterThan(200);
      expect(chart.marks, chart.id!).toBe(expectedMarks[chart.id!]);
      expect(chart.drawn, chart.id!).toBe(expectedMarks[chart.id!]);
    }
    expect(requests.filter((url) => !url.startsWith('file:'))).toEqual([]);
    if (process.env.PAL_REPORT_SCREENSHOT) await page.screenshot({ path: process.env.PAL_REPORT_SCREENSHOT, fullPage: true });
    await page.close();
  });
});
