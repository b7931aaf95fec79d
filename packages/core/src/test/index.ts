export {
  testDatasetAdapter,
  type DatasetAdapterBadInput,
  type DatasetAdapterConformanceSettings,
} from './dataset-adapter-conformance.js';
export {
  comparisonKey,
  findComparisonInTwoSplits,
  findDifference,
  findDuplicateId,
  findInfoProblem,
  findInvalidExample,
} from './dataset-checks.js';
