import type { PreferenceExample } from '../../../data/preference-example.js';

/** Progress of a download or a generation step. */
export interface DatasetProgress {
  stage: string;
  done: number;
  total?: number;
}

/** Options of one `doLoad` call. */
export interface DatasetLoadOptionsV1 {
  signal?: AbortSignal;
  onProgress?: (progress: DatasetProgress) => void;
}

/** What a dataset is, for reports and attribution. */
export interface DatasetInfoV1 {
  name: string;
  description: string;
  license?: string;
  citation?: string;
  /** Ground-truth groups (personas, filter groups) when the dataset has them. */
  groups?: string[];
}

/** A loaded dataset: validated preference rows plus its description. */
export interface DatasetV1 {
  info: DatasetInfoV1;
  examples: PreferenceExample[];
}

/**
 * A source of pairwise preferences (Personas, Reddit TL;DR, Pick-a-Pic, a user's own files). Loading is
 * deterministic for fixed settings (seeded), and every row passes `preferenceExampleSchema`.
 */
export interface DatasetAdapterV1 {
  readonly specificationVersion: 'v1';
  readonly name: string;
  doLoad(options?: DatasetLoadOptionsV1): Promise<DatasetV1>;
}
