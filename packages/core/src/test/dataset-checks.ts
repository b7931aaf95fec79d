import { preferenceExampleSchema, type PreferenceExample } from '../data/preference-example.js';
import { comparisonKey } from '../data/comparison-key.js';
import type { DatasetInfoV1 } from '../spec/dataset-adapter/v1/dataset-adapter-v1.js';

/** Describes what is missing from a dataset's info, or returns undefined when name and description are set. */
export function findInfoProblem(info: DatasetInfoV1 | undefined): string | undefined {
  if (info === undefined || info === null) return 'info is missing';
  if (typeof info.name !== 'string' || info.name.trim() === '') return `info.name must be a non-empty string, found ${JSON.stringify(info.name)}`;
  if (typeof info.description !== 'string' || info.description.trim() === '') {
    return `info.description must be a non-empty string, found ${JSON.stringify(info.description)}`;
  }
  return undefined;
}

/** Describes the first example that fails `preferenceExampleSchema`, or returns undefined when all pass. */
export function findInvalidExample(examples: readonly unknown[]): string | undefined {
  if (examples.length === 0) return 'the dataset has no examples';
  for (let index = 0; index < examples.length; index++) {
    const result = preferenceExampleSchema.safeParse(examples[index]);
    if (!result.success) {
      const id = (examples[index] as { id?: unknown } | undefined)?.id;
      const issues = result.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`).join('; ');
      return `example ${index} (id ${JSON.stringify(id)}) is invalid: ${issues}`;
    }
  }
  return undefined;
}

/** Describes the first id used twice, or returns undefined when ids are unique. */
export function findDuplicateId(examples: readonly PreferenceExample[]): string | undefined {
  const seen = new Map<string, number>();
  for (let index = 0; index < examples.length; index++) {
    const id = examples[index]!.id;
    const previous = seen.get(id);
    if (previous !== undefined) return `examples ${previous} and ${index} share the id ${JSON.stringify(id)}`;
    seen.set(id, index);
  }
  return undefined;
}

/** Describes the first comparison that appears in two splits, or returns undefined when splits are disjoint. */
export function findComparisonInTwoSplits(examples: readonly PreferenceExample[]): string | undefined {
  const splitOf = new Map<string, { split: string; id: string }>();
  for (const example of examples) {
    const key = comparisonKey(example);
    const previous = splitOf.get(key);
    if (previous === undefined) {
      splitOf.set(key, { split: example.split, id: example.id });
    } else if (previous.split !== example.split) {
      return `user ${JSON.stringify(example.userId)} has the same comparison in ${previous.split} (id ${previous.id}) and ${example.split} (id ${example.id})`;
    }
  }
  return undefined;
}

function serializeBytes(_key: string, value: unknown): unknown {
  return value instanceof Uint8Array ? Array.from(value) : value;
}

/** Describes the first position where two loads differ, or returns undefined when they are identical. */
export function findDifference(first: readonly PreferenceExample[], second: readonly PreferenceExample[]): string | undefined {
  const length = Math.max(first.length, second.length);
  for (let index = 0; index < length; index++) {
    const a = first[index];
    const b = second[index];
    if (a === undefined || b === undefined) return `the loads have ${first.length} and ${second.length} examples`;
    if (JSON.stringify(a, serializeBytes) !== JSON.stringify(b, serializeBytes)) {
      return `the loads differ at example ${index}: ${JSON.stringify(a.id)} vs ${JSON.stringify(b.id)}`;
    }
  }
  return undefined;
}
