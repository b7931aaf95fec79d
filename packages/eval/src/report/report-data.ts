import { z } from 'zod';

const finite = z.number().refine(Number.isFinite, 'expected a finite number');

/** One series of a line chart: points joined in order of x. */
export const lineSeriesSchema = z.object({
  name: z.string().min(1),
  points: z.array(z.object({ x: finite, y: finite })),
  /** Dashed lines mark references (the K = 1 baseline, seen-user accuracy). */
  dashed: z.boolean().optional(),
});
export type LineSeries = z.infer<typeof lineSeriesSchema>;

/** Fields every chart has. */
const chartFields = {
  /** Stable id, used as the SVG's `data-chart` attribute. */
  id: z.string().regex(/^[a-z0-9-]+$/, 'expected lower-case letters, digits and dashes'),
  title: z.string(),
  caption: z.string().optional(),
};

/** A line chart: accuracy against N or K, losses against epochs. */
export const lineChartSchema = z.object({
  kind: z.literal('line-chart'),
  ...chartFields,
  xLabel: z.string(),
  yLabel: z.string(),
  xScale: z.enum(['linear', 'log']).default('linear'),
  /** Fixed y range, e.g. [0.4, 1] for accuracies; derived from the data when absent. */
  yDomain: z.tuple([finite, finite]).optional(),
  /** Format y ticks as percentages. */
  percent: z.boolean().default(false),
  series: z.array(lineSeriesSchema).min(1),
});
export type LineChart = z.output<typeof lineChartSchema>;

/**
 * Users' mixture weights w_i placed in the K-simplex drawn flat (prototype k at a vertex of a regular
 * polygon, a user at sum_k w_ik * vertex_k) and coloured by their true group (paper Figures 5a, D.1).
 */
export const mixtureChartSchema = z.object({
  kind: z.literal('mixture-chart'),
  ...chartFields,
  users: z.array(z.object({ userId: z.string(), group: z.string(), weights: z.array(finite).min(1) })),
});
export type MixtureChart = z.output<typeof mixtureChartSchema>;

/** One group of marks of a scatter chart, drawn in one colour and shape. */
export const scatterSeriesSchema = z.object({
  name: z.string().min(1),
  /** circle and square are filled; cross and ring are outlines, for marks drawn over others. */
  marker: z.enum(['circle', 'square', 'cross', 'ring']).default('circle'),
  /** Half-width of a mark in pixels. */
  size: z.number().positive().default(3.5),
  /** Palette index; series sharing a colour belong together (e.g. true and learned prototype 1). */
  color: z.number().int().nonnegative().optional(),
  points: z.array(z.object({ x: finite, y: finite, label: z.string().optional() })),
});
export type ScatterSeries = z.output<typeof scatterSeriesSchema>;

/** Points in a plane, e.g. true and learned prototypes and ideal points in 2-D (paper Figures 5a, D.1). */
export const scatterChartSchema = z.object({
  kind: z.literal('scatter-chart'),
  ...chartFields,
  xLabel: z.string(),
  yLabel: z.string(),
  series: z.array(scatterSeriesSchema).min(1),
});
export type ScatterChart = z.output<typeof scatterChartSchema>;

/** A plain table of results. */
export const reportTableSchema = z.object({
  kind: z.literal('table'),
  title: z.string(),
  caption: z.string().optional(),
  columns: z.array(z.string()).min(1),
  rows: z.array(z.array(z.union([z.string(), z.number()]))),
});
export type ReportTable = z.output<typeof reportTableSchema>;

export const reportSectionSchema = z.discriminatedUnion('kind', [lineChartSchema, mixtureChartSchema, scatterChartSchema, reportTableSchema]);
/** A chart or a table of the report, in display order. */
export type ReportSection = z.output<typeof reportSectionSchema>;

/** Everything a report shows; `writeReport` validates it and renders one self-contained HTML file. */
export const reportDataSchema = z.object({
  title: z.string().min(1),
  subtitle: z.string().optional(),
  /** Headline numbers shown as cards at the top. */
  summary: z.array(z.object({ label: z.string(), value: z.string() })).default([]),
  sections: z.array(reportSectionSchema).default([]),
  /** Settings, versions and provenance, shown as a definition list at the bottom. */
  details: z.array(z.object({ label: z.string(), value: z.string() })).default([]),
});
export type ReportData = z.output<typeof reportDataSchema>;
export type ReportDataInput = z.input<typeof reportDataSchema>;
