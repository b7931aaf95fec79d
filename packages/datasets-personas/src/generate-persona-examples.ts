import { InvalidArgumentError, Random, type DatasetSplit, type PreferenceExample } from '@pal/core';
import type { PersonaName } from './persona-names.js';
import type { PersonaStatement } from './persona-file.js';
import { seedFor } from './seed-for.js';

/** The two items of every Personas comparison (paper Figure D.4). */
export const yesAnswer = 'Yes';
/** The "no" item of every Personas comparison. */
export const noAnswer = 'No';

/** How many users of each kind to generate and how to split their queries. */
export interface PersonaGenerationPlan {
  personas: PersonaName[];
  usersPerGroup: number;
  unseenUsersPerGroup: number;
  queriesPerUser: number;
  queriesPerUnseenUser: number;
  validationFraction: number;
  testFraction: number;
  unseenValidationFraction: number;
  unseenTestFraction: number;
  seed: number;
}

/** Called once per generated user, for progress and cancellation. */
export type OnUserGenerated = (done: number, total: number) => void;

interface UserKind {
  kind: 'seen' | 'unseen';
  count: number;
  queries: number;
  /** Splits in the order queries are dealt to them, with their counts per user. */
  splits: Array<{ split: DatasetSplit; count: number }>;
}

function splitCounts(total: number, parts: Array<{ split: DatasetSplit; fraction: number }>, rest: DatasetSplit): Array<{ split: DatasetSplit; count: number }> {
  const counts = parts.map(({ split, fraction }) => ({ split, count: Math.round(total * fraction) }));
  const used = counts.reduce((sum, part) => sum + part.count, 0);
  // Rounding can overshoot when fractions sum close to 1; take the excess from the last part.
  if (used > total) counts[counts.length - 1]!.count -= used - total;
  return [{ split: rest, count: total - Math.min(used, total) }, ...counts];
}

/** Seen users' queries go to train / validation / test, unseen users' to the unseen-* splits. */
function userKind(kind: 'seen' | 'unseen', count: number, queries: number, validationFraction: number, testFraction: number): UserKind {
  const prefix = kind === 'seen' ? '' : 'unseen-';
  const parts = [
    { split: `${prefix}test` as DatasetSplit, fraction: testFraction },
    { split: `${prefix}validation` as DatasetSplit, fraction: validationFraction },
  ];
  return { kind, count, queries, splits: splitCounts(queries, parts, `${prefix}train` as DatasetSplit) };
}

/**
 * Paper D.4: one persona per group; every user of the group answers "yes" to a statement exactly when it is
 * in S(persona), the statements that persona's file marks " Yes". Statements come from the union of the
 * chosen personas' files, so a user answers "no" to every statement of another persona's file.
 */
export function generatePersonaExamples(
  plan: PersonaGenerationPlan,
  statementsByPersona: ReadonlyMap<PersonaName, PersonaStatement[]>,
  onUserGenerated?: OnUserGenerated,
): PreferenceExample[] {
  const pool: PersonaStatement[] = [];
  const seenQuestions = new Set<string>();
  const agreeing = new Map<PersonaName, Set<string>>();
  for (const persona of plan.personas) {
    const statements = statementsByPersona.get(persona) ?? [];
    agreeing.set(persona, new Set(statements.filter((entry) => entry.personaSaysYes).map((entry) => entry.statement)));
    for (const entry of statements) {
      // A question asked twice to one user would be one comparison that could land in two splits.
      if (seenQuestions.has(entry.question)) continue;
      seenQuestions.add(entry.question);
      pool.push(entry);
    }
  }
  const largest = Math.max(plan.queriesPerUser, plan.queriesPerUnseenUser);
  if (largest > pool.length) {
    throw new InvalidArgumentError(
      `queriesPerUser / queriesPerUnseenUser: expected at most ${pool.length} (the distinct statements of ${plan.personas.join(', ')}), found ${largest}`,
      { source: 'datasets-personas' },
    );
  }

  const kinds: UserKind[] = [
    userKind('seen', plan.usersPerGroup, plan.queriesPerUser, plan.validationFraction, plan.testFraction),
    userKind('unseen', plan.unseenUsersPerGroup, plan.queriesPerUnseenUser, plan.unseenValidationFraction, plan.unseenTestFraction),
  ];

  const totalUsers = plan.personas.length * (plan.usersPerGroup + plan.unseenUsersPerGroup);
  const examples: PreferenceExample[] = [];
  const order = new Int32Array(pool.length);
  let done = 0;
  for (const kind of kinds) {
    for (const persona of plan.personas) {
      const saysYes = agreeing.get(persona)!;
      for (let userIndex = 0; userIndex < kind.count; userIndex++) {
        const userId = `${persona}/${kind.kind}-${String(userIndex).padStart(3, '0')}`;
        const random = new Random(seedFor(plan.seed, userId));
        for (let index = 0; index < order.length; index++) order[index] = index;
        // Partial Fisher-Yates: the first `queries` positions are a uniform sample without replacement.
        for (let index = 0; index < kind.queries; index++) {
          const other = index + random.integer(order.length - index);
          const held = order[index]!;
          order[index] = order[other]!;
          order[other] = held;
        }
        let position = 0;
        for (const { split, count } of kind.splits) {
          for (let taken = 0; taken < count; taken++, position++) {
            const entry = pool[order[position]!]!;
            const answersYes = saysYes.has(entry.statement);
            const yesOnLeft = random.uniform() < 0.5;
            examples.push({
              id: `${userId}/${entry.persona}:${entry.line}`,
              userId,
              prompt: entry.question,
              left: yesOnLeft ? yesAnswer : noAnswer,
              right: yesOnLeft ? noAnswer : yesAnswer,
              preferred: answersYes === yesOnLeft ? 'left' : 'right',
              split,
              group: persona,
            });
          }
        }
        done += 1;
        onUserGenerated?.(done, totalUsers);
      }
    }
  }
  return examples;
}
