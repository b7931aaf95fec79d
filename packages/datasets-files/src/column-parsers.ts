import { datasetSplitSchema } from '@pal/core';
import { z } from 'zod';
import type { LabelFormat } from './file-dataset-settings.js';

/** A zod schema for one column's cells plus the words an error uses for what was expected. */
export interface ColumnParser<Output> {
  schema: z.ZodType<Output>;
  expected: string;
}

const integerText = /^[+-]?\d+$/;

/** Ids, user names and groups: text, or an integer (Parquet INT64 arrives as a bigint). */
export const identifierParser: ColumnParser<string> = {
  schema: z.union([
    z.string().trim().min(1),
    z.number().int().transform(String),
    z.bigint().transform(String),
  ]),
  expected: 'a non-empty string or an integer',
};

/** A prompt may be empty (no context), but must be text. */
export const promptParser: ColumnParser<string> = { schema: z.string(), expected: 'text' };

/** Items must be non-empty text. */
export const itemParser: ColumnParser<string> = { schema: z.string().min(1), expected: 'non-empty text' };

function toNumberList(value: unknown): unknown {
  if (typeof value === 'string' && value.trim().startsWith('[')) {
    try {
      return JSON.parse(value);
    } catch {
      return value;
    }
  }
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) return Array.from(value as unknown as ArrayLike<unknown>);
  return value;
}

/** Embeddings: an array of finite numbers, a typed array, or in CSV a JSON array string. */
export const embeddingParser: ColumnParser<number[]> = {
  schema: z.preprocess(toNumberList, z.array(z.number().finite()).min(1)),
  expected: 'a non-empty array of finite numbers',
};

/** Split names exactly as core spells them. */
export const splitParser: ColumnParser<z.infer<typeof datasetSplitSchema>> = {
  schema: z.preprocess((value) => (typeof value === 'string' ? value.trim() : value), datasetSplitSchema),
  expected: datasetSplitSchema.options.join('|'),
};

function toInteger(value: unknown): unknown {
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'string' && integerText.test(value.trim())) return Number(value.trim());
  if (typeof value === 'boolean') return value ? 1 : 0;
  return value;
}

/** The label parser for each format; each turns the cell into the winning side. */
export const labelParsers: Record<LabelFormat, ColumnParser<'left' | 'right'>> = {
  side: {
    schema: z.preprocess((value) => (typeof value === 'string' ? value.trim().toLowerCase() : value), z.enum(['left', 'right'])),
    expected: 'left|right',
  },
  index: {
    schema: z.preprocess(toInteger, z.union([z.literal(0), z.literal(1)])).transform((value) => (value === 0 ? 'left' : 'right')),
    expected: '0 (left preferred) or 1 (right preferred)',
  },
  sign: {
    schema: z.preprocess(toInteger, z.union([z.literal(-1), z.literal(1)])).transform((value) => (value === -1 ? 'left' : 'right')),
    expected: '-1 (left preferred, the paper\'s y) or +1 (right preferred)',
  },
};
