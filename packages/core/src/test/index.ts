export {
  testDatasetAdapter,
  type DatasetAdapterBadInput,
  type DatasetAdapterConformanceSettings,
} from './dataset-adapter-conformance.js';
export { comparisonKey } from '../data/comparison-key.js';
export {
  findComparisonInTwoSplits,
  findDifference,
  findDuplicateId,
  findInfoProblem,
  findInvalidExample,
} from './dataset-checks.js';
