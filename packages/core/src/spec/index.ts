export type { ComparisonBatchV1, ScoreRequestV1 } from './compute-backend/v1/comparison-batch-v1.js';
export type { BackendModelV1, ComputeBackendV1, CreateModelOptionsV1, TrainStepOptionsV1 } from './compute-backend/v1/compute-backend-v1.js';
export type { EncodeOptionsV1, EncodeProgress, EncoderV1 } from './encoder/v1/encoder-v1.js';
export type { DatasetAdapterV1, DatasetInfoV1, DatasetLoadOptionsV1, DatasetProgress, DatasetV1 } from './dataset-adapter/v1/dataset-adapter-v1.js';
export { distanceHeads, rewardHeadV1Schema, type RewardHeadV1 } from './reward-head/v1/reward-head-v1.js';
