import { describe, expect, it } from 'vitest';
import { PalError } from '../errors/pal-error.js';
import type { DatasetAdapterV1, DatasetV1 } from '../spec/dataset-adapter/v1/dataset-adapter-v1.js';
import {
  findComparisonInTwoSplits,
  findDifference,
  findDuplicateId,
  findInfoProblem,
  findInvalidExample,
} from './dataset-checks.js';

/** One input that the adapter under test must reject with a PAL error. */
export interface DatasetAdapterBadInput {
  /** Shown in the test title, e.g. `a label that is neither left nor right`. */
  name: string;
  /** Builds the adapter; may throw itself (bad settings) or return an adapter whose `doLoad` throws (bad rows). */
  create: () => DatasetAdapterV1;
  /** What the error message must say, e.g. `/data\.csv row 3 \(line 4\), column "label"/`. */
  expectedMessage: RegExp;
}

/** Settings of {@link testDatasetAdapter}. */
export interface DatasetAdapterConformanceSettings {
  /** Title of the `describe` block; defaults to `DatasetAdapterV1 conformance`. */
  name?: string;
  /** Builds a fresh adapter with fixed settings; called once per load so that loads share no state. */
  create: () => DatasetAdapterV1;
  /** Builds the adapter with a given seed; when present, seeded determinism is checked. */
  createWithSeed?: (seed: number) => DatasetAdapterV1;
  /** Inputs that must fail with a PalError whose message matches. */
  badInputs?: DatasetAdapterBadInput[];
}

/** Runs `create` and `doLoad`, turning a synchronous throw from the factory into a rejected promise. */
async function load(create: () => DatasetAdapterV1): Promise<DatasetV1> {
  const adapter = create();
  return adapter.doLoad();
}

/** Caches one load so that several checks can read it without loading again. */
function lazyLoad(create: () => DatasetAdapterV1): () => Promise<DatasetV1> {
  let pending: Promise<DatasetV1> | undefined;
  return () => {
    pending ??= load(create);
    return pending;
  };
}

function expectNoProblem(problem: string | undefined): void {
  if (problem !== undefined) expect.fail(problem);
}

/**
 * Registers the vitest checks every `DatasetAdapterV1` must pass: valid rows, unique ids that are stable
 * across loads, no comparison in two splits, seeded determinism and PAL errors for bad inputs. Call it at
 * the top level of an adapter's test file.
 */
export function testDatasetAdapter(settings: DatasetAdapterConformanceSettings): void {
  const firstLoad = lazyLoad(settings.create);
  const secondLoad = lazyLoad(settings.create);

  describe(settings.name ?? 'DatasetAdapterV1 conformance', () => {
    it('should declare specification version v1 and a name', () => {
      const adapter = settings.create();
      expect(adapter.specificationVersion).toBe('v1');
      expect(typeof adapter.name).toBe('string');
      expect(adapter.name.length).toBeGreaterThan(0);
    });

    it('should describe the dataset with a name and a description', async () => {
      expectNoProblem(findInfoProblem((await firstLoad()).info));
    });

    it('should produce at least one example, each passing preferenceExampleSchema', async () => {
      expectNoProblem(findInvalidExample((await firstLoad()).examples));
    });

    it('should give every example a unique id', async () => {
      expectNoProblem(findDuplicateId((await firstLoad()).examples));
    });

    it('should return the same examples with the same ids when loaded again', async () => {
      const [first, second] = await Promise.all([firstLoad(), secondLoad()]);
      expectNoProblem(findDifference(first.examples, second.examples));
      expect(second.info).toEqual(first.info);
    });

    it('should keep each comparison (user, prompt, unordered pair) in a single split', async () => {
      expectNoProblem(findComparisonInTwoSplits((await firstLoad()).examples));
    });

    const { createWithSeed } = settings;
    if (createWithSeed !== undefined) {
      it('should give identical examples for the same seed', async () => {
        const [first, second] = await Promise.all([load(() => createWithSeed(7)), load(() => createWithSeed(7))]);
        expectNoProblem(findDifference(first.examples, second.examples));
      });

      it('should give different examples for a different seed', async () => {
        const [first, second] = await Promise.all([load(() => createWithSeed(7)), load(() => createWithSeed(8))]);
        expect(findDifference(first.examples, second.examples), 'seeds 7 and 8 gave identical examples').toBeDefined();
      });
    }

    for (const badInput of settings.badInputs ?? []) {
      it(`should reject ${badInput.name} with a PalError`, async () => {
        let caught: unknown;
        try {
          await load(badInput.create);
        } catch (error) {
          caught = error;
        }
        if (caught === undefined) expect.fail(`${badInput.name}: loading succeeded, expected a PalError`);
        if (!PalError.isInstance(caught)) expect.fail(`${badInput.name}: expected a PalError, got ${String(caught)}`);
        expect((caught as PalError).message).toMatch(badInput.expectedMessage);
      });
    }
  });
}
