import { PalError } from '@pal/core';

/**
 * A Hub dataset file could not be obtained: the network is unreachable or offline mode is on and the
 * file is not in the cache, the Hub answered with an error, or a download was cut off or corrupted.
 */
export class DatasetDownloadError extends PalError {
  static override readonly errorName = 'DatasetDownloadError';
}

/**
 * Upstream data does not match what a dataset protocol expects (split sizes, worker ids, user counts),
 * so the dataset built from it would not be the one the paper describes.
 */
export class UpstreamDataMismatchError extends PalError {
  static override readonly errorName = 'UpstreamDataMismatchError';
}
