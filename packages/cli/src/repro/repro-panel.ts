import { accuracyChart, formatPercent, type LineChart, type LineSeries, type ReportTable } from '@pal/eval';

/** One panel of a reproduced figure: accuracy curves against one varied setting. */
export interface ReproPanel {
  id: string;
  /** The paper's panel, e.g. "Figure 5 (c)". */
  figure: string;
  title: string;
  xLabel: string;
  xScale?: 'linear' | 'log';
  series: LineSeries[];
  /** What the paper shows or says for this panel, for the docs. */
  paper: string;
}

/** A panel as a report chart. */
export function panelChart(panel: ReproPanel): LineChart {
  return accuracyChart(panel.series, { id: panel.id, title: `${panel.figure}: ${panel.title}`, caption: `Paper: ${panel.paper}`, xLabel: panel.xLabel, xScale: panel.xScale });
}

/** A panel as a table: one row per x value, one column per series. */
export function panelTable(panel: ReproPanel): ReportTable {
  const xs = [...new Set(panel.series.flatMap((series) => series.points.map((point) => point.x)))].sort((a, b) => a - b);
  return {
    kind: 'table',
    title: `${panel.figure}: ${panel.title}`,
    columns: [panel.xLabel, ...panel.series.map((series) => series.name)],
    rows: xs.map((x) => [x, ...panel.series.map((series) => {
      const point = series.points.find((candidate) => candidate.x === x);
      return point ? formatPercent(point.y) : '';
    })]),
  };
}

/** A panel as a Markdown table (for docs/reproductions.md). */
export function panelMarkdown(panel: ReproPanel): string {
  const table = panelTable(panel);
  const lines = [`| ${table.columns.join(' | ')} |`, `| ${table.columns.map(() => '---').join(' | ')} |`, ...table.rows.map((row) => `| ${row.join(' | ')} |`)];
  return lines.join('\n');
}
