export { createTldrDataset, buildTldrExamples } from './tldr-dataset.js';
export {
  tldrDatasetSettingsSchema,
  tldrUnseenShotChoices,
  paperTldrCounts,
  defaultTldrPrompt,
  type TldrDatasetSettings,
  type ResolvedTldrDatasetSettings,
  type TldrPost,
} from './tldr-settings.js';
export {
  isSupervisedPair,
  characterLength,
  preferredByLength,
  seenWorkerPreference,
  shorterPreferringSeenRanks,
  stratifiedValidationSizes,
  type LengthPreference,
} from './tldr-protocol.js';
export { parseTldrRow, tldrColumns, type TldrComparison } from './tldr-comparison-row.js';
