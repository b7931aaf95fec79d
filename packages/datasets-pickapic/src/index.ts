export { createPickapicDataset, pickapicCitation } from './pickapic-dataset.js';
export { createPickAFilterDataset } from './pick-a-filter-dataset.js';
export {
  pickapicDatasetSettingsSchema,
  pickapicRowCounts,
  pickapicV2SubsetCounts,
  type PickapicDatasetSettings,
  type ResolvedPickapicDatasetSettings,
  type PickapicSplit,
} from './pickapic-settings.js';
export {
  pickAFilterDatasetSettingsSchema,
  pickAFilterTable8,
  pickAFilterUserCounts,
  type PickAFilterDatasetSettings,
  type ResolvedPickAFilterDatasetSettings,
} from './pick-a-filter-settings.js';
export { applyColourFilter, filterTargets, filteredJpegQuality, type FilterColour } from './colour-filter.js';
export { selectPickAFilterUsers, planFilters, filtersOf, table8Differences, type GroupAssignment, type PickAFilterUser, type FilterTarget } from './pick-a-filter-protocol.js';
export { pickapicRepositories } from './pickapic-files.js';
