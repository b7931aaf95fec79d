import { InvalidArgumentError, formatZodIssues } from '@pal/core';
import { renderLineChart } from './line-chart-svg.js';
import { renderMixtureChart } from './mixture-chart-svg.js';
import { renderScatterChart } from './scatter-chart-svg.js';
import { reportDataSchema, type ReportData, type ReportDataInput, type ReportSection, type ReportTable } from './report-data.js';
import { escapeXml } from './svg-text.js';

const STYLE = `
:root { color-scheme: light; --ink: #1d232a; --muted: #5b6670; --line: #d8dde2; --panel: #f6f8fa; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: var(--ink); background: #fff; }
main { max-width: 1400px; margin: 0 auto; padding: 28px 32px 48px; }
h1 { font-size: 26px; margin: 0 0 4px; }
.subtitle { color: var(--muted); margin: 0 0 20px; }
.summary { display: flex; flex-wrap: wrap; gap: 12px; margin: 0 0 28px; padding: 0; list-style: none; }
.summary li { background: var(--panel); border: 1px solid var(--line); border-radius: 8px; padding: 10px 16px; min-width: 160px; }
.summary .label { display: block; color: var(--muted); font-size: 13px; }
.summary .value { display: block; font-size: 22px; font-weight: 600; font-variant-numeric: tabular-nums; }
.sections { display: grid; grid-template-columns: repeat(auto-fill, minmax(560px, 1fr)); gap: 24px; }
section { border: 1px solid var(--line); border-radius: 8px; padding: 14px 16px; }
section h2 { font-size: 17px; margin: 0 0 4px; }
section p.caption { color: var(--muted); font-size: 13px; margin: 6px 0 0; }
svg.chart { display: block; width: 100%; max-width: 760px; height: auto; }
svg .plot-area { fill: #fff; stroke: var(--line); }
svg .grid { stroke: #eceff2; }
svg .tick { font-size: 12px; fill: var(--muted); }
svg .axis-label { font-size: 13px; fill: var(--ink); }
svg .legend { font-size: 12.5px; fill: var(--ink); }
svg .series-line { fill: none; stroke-width: 2.2; }
svg .legend-swatch { stroke-width: 2.6; }
svg circle.mark { stroke: #fff; stroke-width: 1; }
svg .simplex { fill: #fbfcfd; stroke: #9aa5ae; stroke-width: 1.2; }
svg .vertex { fill: var(--ink); }
svg .vertex-label { font-size: 12.5px; fill: var(--ink); }
table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; font-size: 14px; }
th, td { text-align: right; padding: 5px 10px; border-bottom: 1px solid var(--line); }
th:first-child, td:first-child { text-align: left; }
th { background: var(--panel); font-weight: 600; }
dl.details { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; margin: 28px 0 0; font-size: 13px; color: var(--muted); }
dl.details dt { font-weight: 600; color: var(--ink); }
dl.details dd { margin: 0; word-break: break-word; }
`;

function renderTable(table: ReportTable): string {
  const head = table.columns.map((column) => `<th>${escapeXml(column)}</th>`).join('');
  const body = table.rows.map((row) => `<tr>${row.map((cell) => `<td>${escapeXml(String(cell))}</td>`).join('')}</tr>`).join('');
  return `<table><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
}

function renderSection(section: ReportSection): string {
  const body =
    section.kind === 'line-chart'
      ? renderLineChart(section)
      : section.kind === 'mixture-chart'
        ? renderMixtureChart(section)
        : section.kind === 'scatter-chart'
          ? renderScatterChart(section)
          : renderTable(section);
  const caption = section.caption ? `<p class="caption">${escapeXml(section.caption)}</p>` : '';
  return `<section><h2>${escapeXml(section.title)}</h2>${body}${caption}</section>`;
}

/** Validates report data, throwing an InvalidArgumentError that names the bad field. */
export function parseReportData(data: ReportDataInput): ReportData {
  const parsed = reportDataSchema.safeParse(data);
  if (!parsed.success) throw new InvalidArgumentError(`invalid report data: ${formatZodIssues(parsed.error)}`, { source: 'eval', cause: parsed.error });
  return parsed.data;
}

/**
 * Renders a report as one self-contained HTML document: inline CSS and inline SVG charts, no scripts,
 * fonts or anything fetched, so it opens offline and can be mailed or archived as one file.
 */
export function renderReport(input: ReportDataInput): string {
  const data = parseReportData(input);
  const summary =
    data.summary.length > 0
      ? `<ul class="summary">${data.summary.map((item) => `<li><span class="label">${escapeXml(item.label)}</span><span class="value">${escapeXml(item.value)}</span></li>`).join('')}</ul>`
      : '';
  const details =
    data.details.length > 0
      ? `<dl class="details">${data.details.map((item) => `<dt>${escapeXml(item.label)}</dt><dd>${escapeXml(item.value)}</dd>`).join('')}</dl>`
      : '';
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeXml(data.title)}</title>`,
    `<style>${STYLE}</style></head><body><main>`,
    `<h1>${escapeXml(data.title)}</h1>`,
    data.subtitle ? `<p class="subtitle">${escapeXml(data.subtitle)}</p>` : '',
    summary,
    `<div class="sections">${data.sections.map(renderSection).join('')}</div>`,
    details,
    '</main></body></html>',
  ].join('\n');
}
