/** The six Anthropic personas shipped with this package, by file name (without `.jsonl`). */
export const personaNames = [
  'interest-in-art',
  'interest-in-literature',
  'interest-in-math',
  'interest-in-music',
  'interest-in-science',
  'interest-in-sports',
] as const;

/** One of the shipped personas. */
export type PersonaName = (typeof personaNames)[number];

/**
 * Paper Table 7: the personas used for K* true groups are the first K* of art, literature, math, music,
 * science, sports.
 */
export function personasForGroupCount(groupCount: number): PersonaName[] {
  return personaNames.slice(0, groupCount);
}
