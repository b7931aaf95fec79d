import {
  DimensionMismatchError,
  InvalidArgumentError,
  InvalidPreferenceDataError,
  Random,
  comparisonKey,
  type DatasetSplit,
  type EncodableInput,
  type PreferenceExample,
} from '@pal/core';
import {
  embeddingParser,
  identifierParser,
  itemParser,
  labelParsers,
  promptParser,
  splitParser,
  type ColumnParser,
} from './column-parsers.js';
import type { ResolvedFileDatasetSettings } from './file-dataset-settings.js';
import { embeddingId } from './hashing.js';
import { describeFound, type RawRow, type RawTable } from './raw-table.js';

type Side = 'prompt' | 'chosen' | 'rejected' | 'left' | 'right';

/** Every column name the settings refer to, for header checks and for reading only those Parquet columns. */
export function mappedColumns(settings: ResolvedFileDatasetSettings): string[] {
  return [...new Set(Object.values(settings.columns).filter((name): name is string => name !== undefined))];
}

/** Fails when the file declares its columns (CSV header, Parquet schema) and a mapped one is not among them. */
export function checkColumnsExist(table: RawTable, settings: ResolvedFileDatasetSettings, fileLabel: string): void {
  if (table.columns === undefined) return;
  const present = new Set(table.columns);
  for (const [role, name] of Object.entries(settings.columns)) {
    if (name !== undefined && !present.has(name)) {
      throw new InvalidArgumentError(
        `${fileLabel}: column "${name}" (mapped as ${role}) not found; the file has columns ${table.columns.map((column) => `"${column}"`).join(', ')}`,
        { source: 'datasets-files' },
      );
    }
  }
}

/** Converts validated file rows into preference examples; every error names the file, the row and the column. */
export function rowsToExamples(table: RawTable, settings: ResolvedFileDatasetSettings, fileLabel: string, fileName: string): PreferenceExample[] {
  const { columns } = settings;
  const dimensions = new Map<'prompt' | 'items', { size: number; location: string }>();

  function cell<Output>(row: RawRow, column: string, parser: ColumnParser<Output>): Output {
    const value = row.values[column];
    const result = parser.schema.safeParse(value);
    if (!result.success) {
      const missing = value === undefined && !(column in row.values) ? ' (no such field)' : '';
      throw new InvalidPreferenceDataError(
        `${fileLabel} ${row.location}, column "${column}": expected ${parser.expected}, found ${describeFound(value)}${missing}`,
        { cause: result.error, source: 'datasets-files' },
      );
    }
    return result.data;
  }

  function input(row: RawRow, side: Side): EncodableInput {
    const textColumn = columns[side];
    if (textColumn !== undefined) return cell(row, textColumn, side === 'prompt' ? promptParser : itemParser);
    const embeddingColumn = columns[`${side}Embedding`];
    if (embeddingColumn === undefined) return '';
    const values = cell(row, embeddingColumn, embeddingParser);
    // Items share one encoder and so one width; the prompt may come from another encoder.
    const role = side === 'prompt' ? 'prompt' : 'items';
    const known = dimensions.get(role);
    if (known === undefined) dimensions.set(role, { size: values.length, location: row.location });
    else if (known.size !== values.length) {
      throw new DimensionMismatchError(
        `${fileLabel} ${row.location}, column "${embeddingColumn}": expected ${known.size} values (as in ${known.location}), found ${values.length}`,
        { source: 'datasets-files' },
      );
    }
    return { kind: 'embedding', values, id: embeddingId(values) };
  }

  const sideRandom = new Random(settings.seed);
  const chosenMode = columns.chosen !== undefined || columns.chosenEmbedding !== undefined;
  const examples: PreferenceExample[] = [];
  const keys: string[] = [];
  const locations: string[] = [];
  const rowOfId = new Map<string, string>();
  for (let index = 0; index < table.rows.length; index++) {
    const row = table.rows[index]!;
    const userId = cell(row, columns.user, identifierParser);
    const id = columns.id !== undefined ? cell(row, columns.id, identifierParser) : `${fileName}#${index + 1}`;
    const previous = rowOfId.get(id);
    if (previous !== undefined) {
      throw new InvalidPreferenceDataError(`${fileLabel} ${row.location}, column "${columns.id}": expected a unique id, found ${describeFound(id)} again (first in ${previous})`, {
        source: 'datasets-files',
      });
    }
    rowOfId.set(id, row.location);
    const prompt = input(row, 'prompt');
    let left: EncodableInput;
    let right: EncodableInput;
    let preferred: 'left' | 'right';
    if (chosenMode) {
      const chosen = input(row, 'chosen');
      const rejected = input(row, 'rejected');
      // Random sides, so that position carries no signal a model could learn.
      const chosenOnLeft = sideRandom.uniform() < 0.5;
      left = chosenOnLeft ? chosen : rejected;
      right = chosenOnLeft ? rejected : chosen;
      preferred = chosenOnLeft ? 'left' : 'right';
    } else {
      left = input(row, 'left');
      right = input(row, 'right');
      preferred = cell(row, columns.label!, labelParsers[settings.labelFormat]);
    }
    const split: DatasetSplit = columns.split !== undefined ? cell(row, columns.split, splitParser) : 'train';
    let group: string | undefined;
    if (columns.group !== undefined) {
      const value = row.values[columns.group];
      if (value !== undefined && value !== null && value !== '') group = cell(row, columns.group, identifierParser);
    }
    examples.push(group === undefined ? { id, userId, prompt, left, right, preferred, split } : { id, userId, prompt, left, right, preferred, split, group });
    keys.push(comparisonKey({ userId, prompt, left, right }));
    locations.push(row.location);
  }

  if (columns.split !== undefined) checkSplitsDisjoint(examples, keys, locations, fileLabel, columns.split);
  else assignSplits(examples, keys, settings);
  return examples;
}

function checkSplitsDisjoint(examples: PreferenceExample[], keys: string[], locations: string[], fileLabel: string, splitColumn: string): void {
  const first = new Map<string, number>();
  for (let index = 0; index < examples.length; index++) {
    const earlier = first.get(keys[index]!);
    if (earlier === undefined) {
      first.set(keys[index]!, index);
    } else if (examples[earlier]!.split !== examples[index]!.split) {
      throw new InvalidPreferenceDataError(
        `${fileLabel} ${locations[index]}, column "${splitColumn}": the same comparison (user ${JSON.stringify(examples[index]!.userId)}, same prompt and pair) is in ${examples[earlier]!.split} at ${locations[earlier]} and in ${examples[index]!.split} here; one comparison must stay in one split`,
        { source: 'datasets-files' },
      );
    }
  }
}

/**
 * Without a split column: per user, the distinct comparisons (a repeated comparison stays together) are
 * shuffled with the seed and cut into test, validation and train by the configured fractions.
 */
function assignSplits(examples: PreferenceExample[], keys: string[], settings: ResolvedFileDatasetSettings): void {
  const validationFraction = settings.splits?.validationFraction ?? 0.1;
  const testFraction = settings.splits?.testFraction ?? 0.1;
  const comparisonsByUser = new Map<string, string[]>();
  const seenKeys = new Set<string>();
  examples.forEach((example, index) => {
    const key = keys[index]!;
    if (seenKeys.has(key)) return;
    seenKeys.add(key);
    const list = comparisonsByUser.get(example.userId) ?? [];
    list.push(key);
    comparisonsByUser.set(example.userId, list);
  });
  const random = new Random(settings.seed + 1);
  const splitOfKey = new Map<string, DatasetSplit>();
  for (const comparisons of comparisonsByUser.values()) {
    random.shuffle(comparisons);
    const testCount = Math.round(comparisons.length * testFraction);
    const validationCount = Math.min(Math.round(comparisons.length * validationFraction), comparisons.length - testCount);
    comparisons.forEach((key, position) => {
      splitOfKey.set(key, position < testCount ? 'test' : position < testCount + validationCount ? 'validation' : 'train');
    });
  }
  examples.forEach((example, index) => {
    example.split = splitOfKey.get(keys[index]!)!;
  });
}
