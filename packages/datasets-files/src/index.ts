export { createFileDataset } from './file-dataset.js';
export {
  fileColumnsSchema,
  fileDatasetSettingsSchema,
  labelFormatSchema,
  type FileColumns,
  type FileDatasetSettings,
  type LabelFormat,
  type ResolvedFileDatasetSettings,
} from './file-dataset-settings.js';
