import { formatZodIssues, InvalidPreferenceDataError } from '@pal/core';
import { z } from 'zod';

/** Columns a full Pick-a-Pic row read needs (the others: are_different, best_image_uid, created_at, urls, models, ...). */
export const pickapicPairColumns = [
  'caption',
  'jpg_0',
  'jpg_1',
  'label_0',
  'label_1',
  'has_label',
  'image_0_uid',
  'image_1_uid',
  'ranking_id',
  'user_id',
] as const;

/** Columns enough to decide which rows a protocol keeps, without the image bytes. */
export const pickapicLabelColumns = ['label_0', 'label_1', 'has_label', 'ranking_id', 'user_id'] as const;

function found(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'nothing';
  if (value instanceof Uint8Array) return `${value.length} bytes`;
  if (typeof value === 'string') return `"${value.length > 40 ? `${value.slice(0, 40)}...` : value}"`;
  return `${typeof value} ${String(value)}`;
}

const integerId = z.union([z.bigint(), z.number().int()], { error: (issue) => `expected an integer id, found ${found(issue.input)}` });
const label = z.number({ error: (issue) => `expected a number, found ${found(issue.input)}` });
const text = z.string({ error: (issue) => `expected a string, found ${found(issue.input)}` });
const jpeg = z
  .instanceof(Uint8Array, { error: (issue) => `expected image bytes, found ${found(issue.input)}` })
  .refine((bytes) => bytes.length > 0, { error: 'expected image bytes, found an empty value' });

const labelRowSchema = z.object({
  label_0: label,
  label_1: label,
  has_label: z.boolean({ error: (issue) => `expected a boolean, found ${found(issue.input)}` }).nullish(),
  ranking_id: integerId,
  user_id: integerId,
});

const pairRowSchema = labelRowSchema.extend({
  caption: text,
  jpg_0: jpeg,
  jpg_1: jpeg,
  image_0_uid: text.min(1, { error: 'expected an image uid, found an empty string' }),
  image_1_uid: text.min(1, { error: 'expected an image uid, found an empty string' }),
});

/** Where a row came from, for ids and error messages. */
export interface RowLocation {
  /** Repository path of the shard, e.g. `data/test-00000-of-00014-....parquet`. */
  file: string;
  rowNumber: number;
}

/** The label part of a row: who judged which ranking, and the outcome. */
export interface PickapicLabel extends RowLocation {
  userId: string;
  rankingId: string;
  /** The preferred side, `tie` for 0.5 / 0.5, `unlabelled` when `has_label` is false. */
  outcome: 'left' | 'right' | 'tie' | 'unlabelled';
}

/** A full pair: the label part plus caption and the two images. */
export interface PickapicPair extends PickapicLabel {
  caption: string;
  image0: { uid: string; bytes: Uint8Array };
  image1: { uid: string; bytes: Uint8Array };
}

function fail(where: RowLocation, message: string, cause?: unknown): never {
  throw new InvalidPreferenceDataError(`file ${where.file} row ${where.rowNumber}: ${message}`, { source: 'datasets-pickapic', cause });
}

function outcomeOf(label0: number, label1: number, hasLabel: boolean | null | undefined, where: RowLocation): PickapicLabel['outcome'] {
  if (hasLabel === false) return 'unlabelled';
  if (label0 === 1 && label1 === 0) return 'left';
  if (label0 === 0 && label1 === 1) return 'right';
  if (label0 === 0.5 && label1 === 0.5) return 'tie';
  return fail(where, `label_0 / label_1: expected (1, 0), (0, 1) or a tie (0.5, 0.5), found (${label0}, ${label1})`);
}

function parseRow<Schema extends z.ZodType>(schema: Schema, values: Record<string, unknown>, where: RowLocation): z.output<Schema> {
  const result = schema.safeParse(values);
  if (!result.success) fail(where, formatZodIssues(result.error), result.error);
  return result.data;
}

function labelOf(row: z.output<typeof labelRowSchema>, where: RowLocation): PickapicLabel {
  return {
    ...where,
    userId: String(row.user_id),
    rankingId: String(row.ranking_id),
    outcome: outcomeOf(row.label_0, row.label_1, row.has_label, where),
  };
}

/** Validates the label columns of one row. */
export function parsePickapicLabel(values: Record<string, unknown>, where: RowLocation): PickapicLabel {
  return labelOf(parseRow(labelRowSchema, values, where), where);
}

/** Validates a full row (caption, both images and their uids, labels, user and ranking ids). */
export function parsePickapicPair(values: Record<string, unknown>, where: RowLocation): PickapicPair {
  const row = parseRow(pairRowSchema, values, where);
  return {
    ...labelOf(row, where),
    caption: row.caption,
    image0: { uid: row.image_0_uid, bytes: row.jpg_0 },
    image1: { uid: row.image_1_uid, bytes: row.jpg_1 },
  };
}
