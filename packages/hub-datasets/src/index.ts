export { DatasetDownloadError, UpstreamDataMismatchError } from './hub-datasets-errors.js';
export { resolveCacheDirectory, repositoryRevisionDirectory } from './cache-directory.js';
export { resolveHubConnection, type HubConnectionSettings, type ResolvedHubConnection } from './hub-connection.js';
export {
  downloadHubFile,
  findCachedHubFile,
  cachedFileLocations,
  type HubFile,
  type HubFileRequest,
} from './hub-file-download.js';
export { downloadHubDataset, type HubDatasetFiles, type HubDatasetSelection } from './hub-dataset-download.js';
export { openParquetFile, readParquetRows, type ParquetFile, type ParquetRow, type ReadParquetRowsOptions } from './parquet-rows.js';
