import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { InvalidArgumentError, InvalidPreferenceDataError, type PreferenceExample } from '@pal/core';
import { testDatasetAdapter } from '@pal/core/test';
import { beforeAll, describe, expect, it } from 'vitest';
import { createPersonasDataset } from './personas-dataset.js';
import { personaNames } from './persona-names.js';

const brokenFiles = fileURLToPath(new URL('./__fixtures__/broken-persona-files', import.meta.url));
const small = { usersPerGroup: 4, unseenUsersPerGroup: 2, queriesPerUser: 50, queriesPerUnseenUser: 40 };

testDatasetAdapter({
  name: 'createPersonasDataset conformance',
  create: () => createPersonasDataset(small),
  createWithSeed: (seed) => createPersonasDataset({ ...small, seed }),
  badInputs: [
    {
      name: 'a persona file with a bad answer',
      create: () => createPersonasDataset({ ...small, personas: ['interest-in-art'], dataDirectory: brokenFiles }),
      expectedMessage: /broken-persona-files\/interest-in-art\.jsonl line 3, field "answer_matching_behavior": expected " Yes" or " No", found " Maybe"/,
    },
    {
      name: 'a persona file with a truncated line',
      create: () => createPersonasDataset({ ...small, personas: ['interest-in-literature'], dataDirectory: brokenFiles }),
      expectedMessage: /interest-in-literature\.jsonl line 2: expected a JSON object/,
    },
    {
      name: 'a missing persona file',
      create: () => createPersonasDataset({ ...small, personas: ['interest-in-math'], dataDirectory: brokenFiles }),
      expectedMessage: /cannot read the persona file .*interest-in-math\.jsonl/,
    },
    { name: 'K* = 7', create: () => createPersonasDataset({ numGroups: 7 }), expectedMessage: /numGroups/ },
    {
      name: 'more queries per user than statements',
      create: () => createPersonasDataset({ numGroups: 2, queriesPerUser: 2001 }),
      expectedMessage: /queriesPerUser .*expected at most 2000 .*found 2001/,
    },
  ],
});

/** The raw answer of each persona file line, read independently of the package's parser. */
function rawAnswers(): Map<string, { statement: string; personaSaysYes: boolean }> {
  const answers = new Map<string, { statement: string; personaSaysYes: boolean }>();
  for (const persona of personaNames) {
    const lines = readFileSync(new URL(`../data/${persona}.jsonl`, import.meta.url), 'utf8').split('\n');
    lines.forEach((line, index) => {
      if (line.trim() === '') return;
      const row = JSON.parse(line) as { statement: string; answer_matching_behavior: string };
      answers.set(`${persona}:${index + 1}`, { statement: row.statement, personaSaysYes: row.answer_matching_behavior === ' Yes' });
    });
  }
  return answers;
}

function preferredText(example: PreferenceExample): unknown {
  return example.preferred === 'left' ? example.left : example.right;
}

describe('createPersonasDataset at default settings', () => {
  let examples: PreferenceExample[];
  let groups: string[] | undefined;
  beforeAll(async () => {
    const dataset = await createPersonasDataset().doLoad();
    examples = dataset.examples;
    groups = dataset.info.groups;
  });

  it('should use the four Table 7 personas for the default K* = 4', () => {
    expect(groups).toEqual(['interest-in-art', 'interest-in-literature', 'interest-in-math', 'interest-in-music']);
    expect(new Set(examples.map((example) => example.group))).toEqual(new Set(groups));
  });

  it('should label every query by the rule: yes exactly when the statement is in S(user persona)', () => {
    const answers = rawAnswers();
    let yesCount = 0;
    for (const example of examples) {
      const source = example.id.slice(example.id.lastIndexOf('/') + 1);
      const answer = answers.get(source);
      expect(answer, `source line of ${example.id}`).toBeDefined();
      expect(example.prompt).toBe(`Is the following statement something you would say?\n"${answer!.statement}"`);
      const userSaysYes = source.startsWith(`${example.group}:`) && answer!.personaSaysYes;
      expect(preferredText(example), example.id).toBe(userSaysYes ? 'Yes' : 'No');
      if (userSaysYes) yesCount += 1;
    }
    // Statements come from the union of K* = 4 files, so about 1 / K* of the answers are yes.
    expect(yesCount / examples.length).toBeGreaterThan(0.1);
    expect(yesCount / examples.length).toBeLessThan(0.15);
  });

  it('should give every group the same users and queries', () => {
    for (const group of groups!) {
      const rows = examples.filter((example) => example.group === group);
      const seenUsers = new Set(rows.filter((example) => !example.split.startsWith('unseen')).map((example) => example.userId));
      const unseenUsers = new Set(rows.filter((example) => example.split.startsWith('unseen')).map((example) => example.userId));
      expect(seenUsers.size).toBe(25);
      expect(unseenUsers.size).toBe(10);
      expect(rows.length).toBe(25 * 120 + 10 * 200);
      for (const user of seenUsers) expect(unseenUsers.has(user)).toBe(false);
    }
  });

  it('should split each seen user 96 / 12 / 12 and leave 100 unseen-train queries per unseen user', () => {
    const counts = new Map<string, Record<string, number>>();
    for (const example of examples) {
      const perUser = counts.get(example.userId) ?? {};
      perUser[example.split] = (perUser[example.split] ?? 0) + 1;
      counts.set(example.userId, perUser);
    }
    for (const [user, perUser] of counts) {
      if (user.includes('/seen-')) expect(perUser).toEqual({ train: 96, validation: 12, test: 12 });
      else expect(perUser).toEqual({ 'unseen-train': 100, 'unseen-test': 100 });
    }
  });

  it('should put "Yes" on either side about equally often so that position carries no signal', () => {
    const yesLeft = examples.filter((example) => example.left === 'Yes').length / examples.length;
    const preferredLeft = examples.filter((example) => example.preferred === 'left').length / examples.length;
    expect(Math.abs(yesLeft - 0.5)).toBeLessThan(0.02);
    expect(Math.abs(preferredLeft - 0.5)).toBeLessThan(0.02);
    for (const example of examples) expect([example.left, example.right].sort()).toEqual(['No', 'Yes']);
  });
});

describe('createPersonasDataset settings', () => {
  it('should choose the first K* personas of Table 7, or the personas given', async () => {
    const two = await createPersonasDataset({ numGroups: 2, usersPerGroup: 1, unseenUsersPerGroup: 0, queriesPerUser: 5 }).doLoad();
    expect(two.info.groups).toEqual(['interest-in-art', 'interest-in-literature']);
    const chosen = await createPersonasDataset({ personas: ['interest-in-sports', 'interest-in-math'], usersPerGroup: 1, queriesPerUser: 5 }).doLoad();
    expect(chosen.info.groups).toEqual(['interest-in-sports', 'interest-in-math']);
    expect(chosen.info.name).toBe('personas-k2');
  });

  it('should answer as Figure D.4: a math statement gets yes from a math user and no from an art user', async () => {
    const { examples } = await createPersonasDataset({
      personas: ['interest-in-art', 'interest-in-math'],
      usersPerGroup: 1,
      unseenUsersPerGroup: 0,
      queriesPerUser: 2000,
      validationFraction: 0,
      testFraction: 0,
    }).doLoad();
    // Line 1 of interest-in-math.jsonl is a statement the math persona agrees with.
    const byUser = new Map(examples.filter((example) => example.id.endsWith('/interest-in-math:1')).map((example) => [example.group, example]));
    expect(preferredText(byUser.get('interest-in-math')!)).toBe('Yes');
    expect(preferredText(byUser.get('interest-in-art')!)).toBe('No');
  });

  it('should keep a user\'s queries unchanged when more users are generated', async () => {
    const few = await createPersonasDataset({ usersPerGroup: 2, unseenUsersPerGroup: 1, queriesPerUser: 30, queriesPerUnseenUser: 20 }).doLoad();
    const more = await createPersonasDataset({ usersPerGroup: 5, unseenUsersPerGroup: 3, queriesPerUser: 30, queriesPerUnseenUser: 20 }).doLoad();
    const moreById = new Map(more.examples.map((example) => [example.id, example]));
    for (const example of few.examples) expect(moreById.get(example.id)).toEqual(example);
  });

  it('should reject fractions that leave no training queries, naming the setting', () => {
    expect(() => createPersonasDataset({ validationFraction: 0.5, testFraction: 0.5 })).toThrow(InvalidArgumentError);
    expect(() => createPersonasDataset({ validationFraction: 0.5, testFraction: 0.5 })).toThrow(/testFraction/);
    expect(() => createPersonasDataset({ numGroups: 3, personas: ['interest-in-art'] })).toThrow(/numGroups is 3 but 1 personas/);
  });

  it('should raise InvalidPreferenceDataError, not a bare error, for a broken file', async () => {
    const load = createPersonasDataset({ personas: ['interest-in-art'], dataDirectory: brokenFiles, queriesPerUser: 1 }).doLoad();
    await expect(load).rejects.toSatisfy((error: unknown) => InvalidPreferenceDataError.isInstance(error));
  });

  it('should stop when its signal is aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(createPersonasDataset().doLoad({ signal: controller.signal })).rejects.toThrow();
  });
});
