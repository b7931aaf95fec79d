import { parquetWriteBuffer } from 'hyparquet-writer';
import sharp from 'sharp';

/** One row in the shape of yuvalkirstain/pickapic_v1 and pickapic_v2 (same columns in both). */
export interface PickapicRow {
  are_different: boolean;
  best_image_uid: string;
  caption: string;
  created_at: bigint;
  has_label: boolean;
  image_0_uid: string;
  image_0_url: string;
  image_1_uid: string;
  image_1_url: string;
  jpg_0: Uint8Array | null;
  jpg_1: Uint8Array | null;
  label_0: number;
  label_1: number;
  model_0: string;
  model_1: string;
  ranking_id: bigint;
  user_id: bigint;
  num_example_per_prompt: bigint;
  __index_level_0__: bigint;
}

const text = (name: string) => ({ name, type: 'BYTE_ARRAY' as const, converted_type: 'UTF8' as const, repetition_type: 'OPTIONAL' as const });
const int64 = (name: string) => ({ name, type: 'INT64' as const, repetition_type: 'OPTIONAL' as const });

/**
 * The parquet schema of the Pick-a-Pic shards as their dataset cards declare it (Arrow: bool, string,
 * timestamp[ns], binary, float64, int64), in the cards' column order.
 */
const pickapicSchema = [
  { name: 'schema', num_children: 19 },
  { name: 'are_different', type: 'BOOLEAN' as const, repetition_type: 'OPTIONAL' as const },
  text('best_image_uid'),
  text('caption'),
  {
    name: 'created_at',
    type: 'INT64' as const,
    repetition_type: 'OPTIONAL' as const,
    logical_type: { type: 'TIMESTAMP' as const, isAdjustedToUTC: false, unit: 'NANOS' as const },
  },
  { name: 'has_label', type: 'BOOLEAN' as const, repetition_type: 'OPTIONAL' as const },
  text('image_0_uid'),
  text('image_0_url'),
  text('image_1_uid'),
  text('image_1_url'),
  { name: 'jpg_0', type: 'BYTE_ARRAY' as const, repetition_type: 'OPTIONAL' as const },
  { name: 'jpg_1', type: 'BYTE_ARRAY' as const, repetition_type: 'OPTIONAL' as const },
  { name: 'label_0', type: 'DOUBLE' as const, repetition_type: 'OPTIONAL' as const },
  { name: 'label_1', type: 'DOUBLE' as const, repetition_type: 'OPTIONAL' as const },
  text('model_0'),
  text('model_1'),
  int64('ranking_id'),
  int64('user_id'),
  int64('num_example_per_prompt'),
  int64('__index_level_0__'),
];

const columnNames = pickapicSchema.slice(1).map((element) => element.name) as (keyof PickapicRow)[];

/** Writes rows as one parquet shard with the upstream schema (row groups of 8, so reads cross groups). */
export function writePickapicParquet(rows: PickapicRow[]): Uint8Array {
  const columnData = columnNames.map((name) => ({ name, data: rows.map((row) => row[name]) }));
  return new Uint8Array(parquetWriteBuffer({ columnData, schema: pickapicSchema, rowGroupSize: 8 }));
}

/** A small solid-colour JPEG, as the generated images would be (only smaller). */
export async function solidJpeg(red: number, green: number, blue: number): Promise<Uint8Array> {
  const buffer = await sharp({ create: { width: 16, height: 16, channels: 3, background: { r: red, g: green, b: blue } } }).jpeg({ quality: 95 }).toBuffer();
  return new Uint8Array(buffer);
}

/** Fields of a row a test cares about; the rest get plausible values. */
export interface RowSpec {
  rankingId: number;
  userId: number;
  labels: [number, number];
  images: [Uint8Array, Uint8Array];
  hasLabel?: boolean;
}

/** A full row from the fields a test cares about. */
export function pickapicRow(spec: RowSpec): PickapicRow {
  const uid = (side: number) => `img-${spec.rankingId}-${side}`;
  return {
    are_different: true,
    best_image_uid: spec.labels[0] === 1 ? uid(0) : spec.labels[1] === 1 ? uid(1) : '',
    caption: `a watercolor fox number ${spec.rankingId} in the snow`,
    created_at: 1_677_000_000_000_000_000n + BigInt(spec.rankingId),
    has_label: spec.hasLabel ?? true,
    image_0_uid: uid(0),
    image_0_url: `https://images.pickapic.io/${uid(0)}.png`,
    image_1_uid: uid(1),
    image_1_url: `https://images.pickapic.io/${uid(1)}.png`,
    jpg_0: spec.images[0],
    jpg_1: spec.images[1],
    label_0: spec.labels[0],
    label_1: spec.labels[1],
    model_0: 'stabilityai/stable-diffusion-2-1',
    model_1: 'CompVis/stable-diffusion-v1-4',
    ranking_id: BigInt(spec.rankingId),
    user_id: BigInt(spec.userId),
    num_example_per_prompt: 1n,
    __index_level_0__: BigInt(spec.rankingId),
  };
}
