import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { InvalidArgumentError } from '@pal/core';
import { z } from 'zod';

const idsSchema = z.array(z.number().int().nonnegative()).min(1);

async function readIds(name: string): Promise<Set<string>> {
  const path = fileURLToPath(new URL(`../data/${name}`, import.meta.url));
  let parsed: unknown;
  try {
    parsed = JSON.parse(gunzipSync(await readFile(path)).toString('utf8'));
  } catch (error) {
    throw new InvalidArgumentError(`cannot read the ranking id table ${path}; the package is incomplete`, { source: 'datasets-pickapic', cause: error });
  }
  const result = idsSchema.safeParse(parsed);
  if (!result.success) throw new InvalidArgumentError(`data/${name}: expected a list of ranking ids`, { source: 'datasets-pickapic' });
  return new Set(result.data.map(String));
}

/** The v2 test ranking ids of the two subsets of PAL section 3.2, shipped gzipped in `data/`. */
export async function readV2TestSubsets(): Promise<{ leakage: Set<string>; 'no-leakage': Set<string> }> {
  const [leakage, noLeakage] = await Promise.all([
    readIds('pickapic_v2_test_leakage_ranking_ids.json.gz'),
    readIds('pickapic_v2_test_non_leakage_ranking_ids.json.gz'),
  ]);
  return { leakage, 'no-leakage': noLeakage };
}
