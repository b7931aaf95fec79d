import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DimensionMismatchError, InvalidArgumentError, InvalidPreferenceDataError, type PreferenceExample } from '@pal/core';
import { testDatasetAdapter } from '@pal/core/test';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { describe, expect, it } from 'vitest';
import { createFileDataset } from './file-dataset.js';
import type { FileDatasetSettings } from './file-dataset-settings.js';

const fixture = (name: string): string => fileURLToPath(new URL(`./__fixtures__/${name}`, import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'pal-datasets-files-'));

const replies = { path: fixture('assistant-replies.jsonl'), columns: { user: 'annotator', prompt: 'prompt', chosen: 'chosen', rejected: 'rejected', group: 'group' } };
const summaries = {
  path: fixture('summary-comparisons.csv'),
  columns: { user: 'worker', prompt: 'post', left: 'summary_a', right: 'summary_b', label: 'choice', split: 'split' },
};
const embedded: FileDatasetSettings = {
  path: fixture('embedded-pairs.jsonl'),
  columns: { user: 'user', promptEmbedding: 'prompt_emb', leftEmbedding: 'left_emb', rightEmbedding: 'right_emb', label: 'y', id: 'pair_id' },
  labelFormat: 'sign',
};

/** Writes a copy of a fixture with one line replaced, so that each bad-row test has exactly one problem. */
function withLine(name: string, line: number, replacement: string): string {
  const lines = readFileSync(fixture(name), 'utf8').split('\n');
  lines[line - 1] = replacement;
  const path = join(scratch, `${line}-${name}`);
  writeFileSync(path, lines.join('\n'));
  return path;
}

const embeddedLine1 = '{"user": "u1", "prompt_emb": [0.12, -0.40, 0.33], "left_emb": [0.5, 0.1, -0.2, 0.9], "right_emb": [-0.3, 0.8, 0.0, 0.1], "y": -1, "pair_id": "p-001"}';

/** A Parquet file like the Hub's: INT64 users, a LIST<FLOAT> embedding per item, a 0/1 label. */
function writeParquet(name: string, labels: number[]): string {
  const count = labels.length;
  const vector = (row: number, offset: number): number[] => [row / 8 + offset, 1 - row / 8, offset * 0.5];
  const buffer = parquetWriteBuffer({
    columnData: [
      { name: 'user_id', data: Array.from({ length: count }, (_, row) => BigInt(1000 + (row % 3))) },
      { name: 'caption', data: Array.from({ length: count }, (_, row) => `a watercolor fox, variant ${row}`) },
      { name: 'image_0', data: Array.from({ length: count }, (_, row) => vector(row, 0.25)) },
      { name: 'image_1', data: Array.from({ length: count }, (_, row) => vector(row, -0.75)) },
      { name: 'label', data: labels },
    ],
    schema: [
      { name: 'root', num_children: 5 },
      { name: 'user_id', type: 'INT64', repetition_type: 'REQUIRED' },
      { name: 'caption', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'REQUIRED' },
      { name: 'image_0', repetition_type: 'OPTIONAL', num_children: 1, converted_type: 'LIST' },
      { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
      { name: 'element', type: 'FLOAT', repetition_type: 'REQUIRED' },
      { name: 'image_1', repetition_type: 'OPTIONAL', num_children: 1, converted_type: 'LIST' },
      { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
      { name: 'element', type: 'FLOAT', repetition_type: 'REQUIRED' },
      { name: 'label', type: 'INT32', repetition_type: 'REQUIRED' },
    ],
  });
  const path = join(scratch, name);
  writeFileSync(path, new Uint8Array(buffer));
  return path;
}

const parquetLabels = [0, 1, 1, 0, 0, 1, 0, 1, 1, 0, 1, 0];
const parquetPath = writeParquet('fox-pairs.parquet', parquetLabels);
const badParquetPath = writeParquet('fox-pairs-bad.parquet', [0, 1, 2, 0]);
const pickapic: FileDatasetSettings = {
  path: parquetPath,
  columns: { user: 'user_id', prompt: 'caption', leftEmbedding: 'image_0', rightEmbedding: 'image_1', label: 'label' },
  labelFormat: 'index',
  splits: { validationFraction: 0.25, testFraction: 0.25 },
};

testDatasetAdapter({
  name: 'createFileDataset conformance on JSONL (chosen / rejected)',
  create: () => createFileDataset(replies),
  createWithSeed: (seed) => createFileDataset({ ...replies, seed }),
  badInputs: [
    {
      name: 'a row without the user field',
      create: () => createFileDataset({ ...replies, path: withLine('assistant-replies.jsonl', 3, '{"prompt": "Hi", "chosen": "Hello!", "rejected": "..."}') }),
      expectedMessage: /3-assistant-replies\.jsonl line 3, column "annotator": expected a non-empty string or an integer, found nothing \(no such field\)/,
    },
    {
      name: 'a line that is not JSON',
      create: () => createFileDataset({ ...replies, path: withLine('assistant-replies.jsonl', 2, '{"annotator": "w-0412", "prompt": ') }),
      expectedMessage: /assistant-replies\.jsonl line 2: expected a JSON object, found/,
    },
    {
      name: 'an empty chosen text',
      create: () => createFileDataset({ ...replies, path: withLine('assistant-replies.jsonl', 4, '{"annotator": "w-0412", "prompt": "Hi", "chosen": "", "rejected": "Yes."}') }),
      expectedMessage: /line 4, column "chosen": expected non-empty text, found ""/,
    },
  ],
});

testDatasetAdapter({
  name: 'createFileDataset conformance on CSV (left / right / label, split column)',
  create: () => createFileDataset(summaries),
  badInputs: [
    {
      name: 'a label that is neither left nor right',
      create: () => createFileDataset({ ...summaries, path: fixture('summary-comparisons-bad-label.csv') }),
      expectedMessage: /summary-comparisons-bad-label\.csv row 2 \(line 3\), column "choice": expected left\|right, found "maybe"/,
    },
    {
      name: 'a comparison in two splits',
      create: () => createFileDataset({ ...summaries, path: fixture('summary-comparisons-leak.csv') }),
      expectedMessage: /summary-comparisons-leak\.csv row 3 \(line 4\), column "split": the same comparison \(user "jb-17", same prompt and pair\) is in train at row 1 \(line 2\) and in test here/,
    },
    {
      name: 'a mapped column missing from the header',
      create: () => createFileDataset({ ...summaries, columns: { ...summaries.columns, label: 'winner' } }),
      expectedMessage: /summary-comparisons\.csv: column "winner" \(mapped as label\) not found; the file has columns "worker", "post", "summary_a"/,
    },
    {
      name: 'an unknown split name',
      create: () => createFileDataset({ ...summaries, path: withLine('summary-comparisons.csv', 2, 'jb-17,"Hi","a","b",left,val') }),
      expectedMessage: /row 1 \(line 2\), column "split": expected train\|validation\|test\|unseen-train\|unseen-validation\|unseen-test, found "val"/,
    },
    {
      name: 'a row with too few fields',
      create: () => createFileDataset({ ...summaries, path: withLine('summary-comparisons.csv', 2, 'jb-17,"Hi","a",left,train') }),
      expectedMessage: /row 1 \(line 2\): expected 6 fields as in the header, found 5/,
    },
    {
      name: 'an unclosed quote',
      create: () => createFileDataset({ ...summaries, path: withLine('summary-comparisons.csv', 12, 'qa-88,"Dog barks at 6am,a,b,left,unseen-test') }),
      expectedMessage: /12-summary-comparisons\.csv line 12: a quoted field opened on line 12 is never closed/,
    },
  ],
});

testDatasetAdapter({
  name: 'createFileDataset conformance on JSONL embeddings (paper sign labels)',
  create: () => createFileDataset(embedded),
  badInputs: [
    {
      name: 'an item embedding of another width',
      create: () => createFileDataset({ ...embedded, path: withLine('embedded-pairs.jsonl', 2, embeddedLine1.replace('"left_emb": [0.5, 0.1, -0.2, 0.9]', '"left_emb": [0.5, 0.1, -0.2]').replace('p-001', 'p-002')) }),
      expectedMessage: /embedded-pairs\.jsonl line 2, column "left_emb": expected 4 values \(as in line 1\), found 3/,
    },
    {
      name: 'a non-numeric embedding value',
      create: () => createFileDataset({ ...embedded, path: withLine('embedded-pairs.jsonl', 3, embeddedLine1.replace('0.0, 0.1]', '0.0, "NaN"]').replace('p-001', 'p-003')) }),
      expectedMessage: /line 3, column "right_emb": expected a non-empty array of finite numbers, found \[-0\.3,0\.8,0,"NaN"\]/,
    },
    {
      name: 'a 0 label in sign format',
      create: () => createFileDataset({ ...embedded, path: withLine('embedded-pairs.jsonl', 4, embeddedLine1.replace('"y": -1', '"y": 0').replace('p-001', 'p-004')) }),
      expectedMessage: /line 4, column "y": expected -1 \(left preferred, the paper's y\) or \+1 \(right preferred\), found 0/,
    },
    {
      name: 'a repeated id',
      create: () => createFileDataset({ ...embedded, path: withLine('embedded-pairs.jsonl', 4, embeddedLine1.replace('"u1"', '"u3"')) }),
      expectedMessage: /line 4, column "pair_id": expected a unique id, found "p-001" again \(first in line 1\)/,
    },
  ],
});

testDatasetAdapter({
  name: 'createFileDataset conformance on Parquet (LIST<FLOAT> embeddings, 0/1 labels)',
  create: () => createFileDataset(pickapic),
  createWithSeed: (seed) => createFileDataset({ ...pickapic, seed }),
  badInputs: [
    {
      name: 'a label of 2',
      create: () => createFileDataset({ ...pickapic, path: badParquetPath }),
      expectedMessage: /fox-pairs-bad\.parquet row 3, column "label": expected 0 \(left preferred\) or 1 \(right preferred\), found 2/,
    },
    {
      name: 'a file that is not Parquet',
      create: () => createFileDataset({ ...pickapic, path: fixture('summary-comparisons.csv'), format: 'parquet' }),
      expectedMessage: /summary-comparisons\.csv: cannot read it as Parquet/,
    },
  ],
});

function textOf(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

describe('createFileDataset', () => {
  it('should put the chosen reply on either side and always prefer it', async () => {
    const { examples, info } = await createFileDataset(replies).doLoad();
    const raw = readFileSync(replies.path, 'utf8').split('\n').filter((line) => line.trim() !== '').map((line) => JSON.parse(line) as { chosen: string });
    expect(examples).toHaveLength(10);
    examples.forEach((example, index) => {
      expect(example.preferred === 'left' ? example.left : example.right).toBe(raw[index]!.chosen);
    });
    expect(new Set(examples.map((example) => example.preferred))).toEqual(new Set(['left', 'right']));
    expect(examples[8]!.userId).toBe('77');
    expect(examples[0]!.id).toBe('assistant-replies.jsonl#1');
    expect(info.groups).toEqual(['concise', 'detailed']);
  });

  it('should read CSV labels, splits and quoted multi-line fields', async () => {
    const { examples } = await createFileDataset(summaries).doLoad();
    expect(examples.map((example) => example.preferred)).toEqual(['left', 'right', 'left', 'right', 'right', 'left', 'right', 'left', 'left']);
    expect(examples.map((example) => example.split)).toEqual(['train', 'train', 'test', 'train', 'validation', 'train', 'test', 'unseen-train', 'unseen-test']);
    expect(examples[1]!.prompt).toBe('My landlord wants to raise rent by 30% at renewal, citing "market rates". Is that legal in my state?');
    expect(examples[2]!.prompt).toBe('Spent two weeks debugging a race condition.\nTurned out to be a missing await.');
    expect(examples[3]!.id).toBe('summary-comparisons.csv#4');
  });

  it('should turn embedding columns into embedding inputs with content ids, and read the paper sign', async () => {
    const { examples } = await createFileDataset(embedded).doLoad();
    expect(examples.map((example) => example.preferred)).toEqual(['left', 'right', 'right', 'left']);
    const [first, second] = examples as [PreferenceExample, PreferenceExample];
    expect(first.left).toMatchObject({ kind: 'embedding', values: [0.5, 0.1, -0.2, 0.9] });
    // The same vector in two rows (row 1 left, row 2 right) gets the same id; different vectors do not.
    expect(textOf(first.left)).not.toBe(textOf(first.right));
    expect((first.left as { id: string }).id).toBe((second.right as { id: string }).id);
    expect((first.prompt as { id: string }).id).toBe((second.prompt as { id: string }).id);
    expect(first.id).toBe('p-001');
  });

  it('should read Parquet INT64 users, LIST<FLOAT> embeddings and 0/1 labels', async () => {
    const { examples } = await createFileDataset(pickapic).doLoad();
    expect(examples.map((example) => example.preferred)).toEqual(parquetLabels.map((label) => (label === 0 ? 'left' : 'right')));
    expect(examples[4]!.userId).toBe('1001');
    expect(examples[4]!.prompt).toBe('a watercolor fox, variant 4');
    const left = examples[4]!.left as { kind: string; values: number[] };
    expect(left.kind).toBe('embedding');
    const expected = [4 / 8 + 0.25, 1 - 4 / 8, 0.125];
    left.values.forEach((value, index) => expect(Math.abs(value - expected[index]!)).toBeLessThan(1e-6));
  });

  it('should split each user by the fractions when the file has no split column, keeping repeats together', async () => {
    const lines: string[] = [];
    for (const user of ['ann', 'bob']) {
      for (let index = 0; index < 100; index++) {
        lines.push(JSON.stringify({ user, prompt: `question ${index}`, chosen: `good ${index}`, rejected: `bad ${index}` }));
      }
    }
    // Ann answers question 7 twice: both copies must land in one split.
    lines.push(JSON.stringify({ user: 'ann', prompt: 'question 7', chosen: 'bad 7', rejected: 'good 7' }));
    const path = join(scratch, 'hundred-each.jsonl');
    writeFileSync(path, lines.join('\n'));
    const { examples } = await createFileDataset({ path, columns: { user: 'user', prompt: 'prompt', chosen: 'chosen', rejected: 'rejected' }, splits: { validationFraction: 0.2, testFraction: 0.1 } }).doLoad();
    for (const user of ['ann', 'bob']) {
      const counts: Record<string, number> = {};
      const distinct = examples.filter((example, index) => example.userId === user && index < 200);
      for (const example of distinct) counts[example.split] = (counts[example.split] ?? 0) + 1;
      expect(counts).toEqual({ train: 70, validation: 20, test: 10 });
    }
    expect(examples[200]!.split).toBe(examples[7]!.split);
  });

  it('should reject contradictory or incomplete column mappings before reading', () => {
    const attempt = (settings: FileDatasetSettings) => () => createFileDataset(settings);
    expect(attempt({ path: 'a.csv', columns: { user: 'u', chosen: 'c', rejected: 'r', label: 'l' } })).toThrow(/either chosen \/ rejected or left \/ right \/ label/);
    expect(attempt({ path: 'a.csv', columns: { user: 'u', left: 'a', right: 'b' } })).toThrow(/columns\.label: label is required/);
    expect(attempt({ path: 'a.csv', columns: { user: 'u', chosen: 'c', chosenEmbedding: 'e', rejected: 'r' } })).toThrow(/either chosen or chosenEmbedding/);
    expect(attempt({ path: 'a.csv', columns: { user: 'u', chosen: 'c', rejected: 'r', split: 's' }, splits: {} })).toThrow(/splits applies only without one/);
    expect(attempt({ path: 'a.xlsx', columns: { user: 'u', chosen: 'c', rejected: 'r' } })).toThrow(InvalidArgumentError);
    expect(attempt({ path: 'a.xlsx', columns: { user: 'u', chosen: 'c', rejected: 'r' } })).toThrow(/extension "\.xlsx"/);
  });

  it('should read a file whose extension does not say its format when format is given', async () => {
    const path = join(scratch, 'replies.txt');
    writeFileSync(path, readFileSync(replies.path));
    const { examples } = await createFileDataset({ ...replies, path, format: 'jsonl' }).doLoad();
    expect(examples).toHaveLength(10);
  });

  it('should use the error classes that name the problem', async () => {
    await expect(createFileDataset({ ...summaries, path: fixture('summary-comparisons-bad-label.csv') }).doLoad()).rejects.toSatisfy(
      (error: unknown) => InvalidPreferenceDataError.isInstance(error),
    );
    const narrow = withLine('embedded-pairs.jsonl', 2, embeddedLine1.replace('[0.5, 0.1, -0.2, 0.9]', '[0.5]').replace('p-001', 'p-002'));
    await expect(createFileDataset({ ...embedded, path: narrow }).doLoad()).rejects.toSatisfy((error: unknown) => DimensionMismatchError.isInstance(error));
    await expect(createFileDataset({ ...replies, path: join(scratch, 'missing.jsonl') }).doLoad()).rejects.toThrow(/cannot read .*missing\.jsonl/);
  });
});
