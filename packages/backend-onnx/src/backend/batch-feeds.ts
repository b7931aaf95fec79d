import { Random, type ComparisonBatchV1, type LossSettings, type Matrix, type ModelDefinition, type ScoreRequestV1 } from '@pal/core';
import { SegmentInputs, type MaskInput } from '../model/objective-graph.js';
import { distinctRows, remapIndices } from './distinct-rows.js';

/** One input tensor as plain data: float32 or int64 values and their dimensions. */
export type Feed = { type: 'float32'; data: Float32Array; dims: number[] } | { type: 'int64'; data: BigInt64Array; dims: number[] };

/** Named inputs of one session run, plus the row counts the masks need. */
export interface BatchFeeds {
  feeds: Record<string, Feed>;
  /** Number of rows of each symbolic dimension (items, prompts, rows, batchUsers, comparisons). */
  counts: Record<string, number>;
  /**
   * For dimensions whose rows were compacted: the batch's original row count and the original row kept
   * as each fed row, so dropout masks are drawn as the reference engine draws them for the whole batch.
   */
  sources: Record<string, { rows: number; kept: Int32Array }>;
}

/** Wraps a matrix as a float32 feed without copying. */
export function matrixFeed(matrix: Matrix): Feed {
  return { type: 'float32', data: matrix.data, dims: [matrix.rows, matrix.cols] };
}

/** An int64 feed from int32 indices. */
export function indexFeed(indices: ArrayLike<number>): Feed {
  const data = new BigInt64Array(indices.length);
  for (let position = 0; position < indices.length; position++) data[position] = BigInt(indices[position]!);
  return { type: 'int64', data, dims: [indices.length] };
}

/** A float32 column [n, 1]. */
function columnFeed(values: Float32Array): Feed {
  return { type: 'float32', data: values, dims: [values.length, 1] };
}

/**
 * Inputs of the objective graphs for one batch. Prompts and items are reduced to their distinct referenced
 * rows (each runs through its MLP once), PAL-A's (item, prompt) pairs and users are deduplicated, and the
 * weights become shares w_j / sum w so the graph's loss is core's weighted mean.
 */
export function objectiveFeeds(
  definition: ModelDefinition,
  loss: LossSettings,
  batch: ComparisonBatchV1,
  gradients?: { numUsers: number },
): BatchFeeds {
  const count = batch.label.length;
  const prompts = distinctRows(batch.prompts, [batch.promptIndex]);
  const items = distinctRows(batch.items, [batch.leftIndex, batch.rightIndex]);
  const promptIndex = prompts.unchanged ? batch.promptIndex : remapIndices(batch.promptIndex, prompts.remap);
  const leftIndex = items.unchanged ? batch.leftIndex : remapIndices(batch.leftIndex, items.remap);
  const rightIndex = items.unchanged ? batch.rightIndex : remapIndices(batch.rightIndex, items.remap);
  let totalWeight = 0;
  for (let row = 0; row < count; row++) totalWeight += batch.weight[row]!;
  const share = new Float32Array(count);
  const sign = new Float32Array(count);
  for (let row = 0; row < count; row++) {
    share[row] = batch.weight[row]! / totalWeight;
    sign[row] = batch.label[row] === 1 ? 1 : -1;
  }
  const feeds: Record<string, Feed> = { sign: columnFeed(sign), share: columnFeed(share) };
  const counts: Record<string, number> = { comparisons: count, items: items.matrix.rows, prompts: prompts.matrix.rows };
  const sources: BatchFeeds['sources'] = {
    items: { rows: batch.items.rows, kept: items.kept },
    prompts: { rows: batch.prompts.rows, kept: prompts.kept },
  };
  if (definition.kind === 'pal-b') {
    feeds.items = matrixFeed(items.matrix);
    feeds.prompts = matrixFeed(prompts.matrix);
    feeds.promptIndex = indexFeed(promptIndex);
    feeds.leftIndex = indexFeed(leftIndex);
    feeds.rightIndex = indexFeed(rightIndex);
    feeds.user = indexFeed(batch.user);
    if (gradients) {
      addSegmentFeeds(feeds, 'leftIndex', leftIndex, items.matrix.rows);
      addSegmentFeeds(feeds, 'rightIndex', rightIndex, items.matrix.rows);
      addSegmentFeeds(feeds, 'promptIndex', promptIndex, prompts.matrix.rows);
      addSegmentFeeds(feeds, 'user', batch.user, gradients.numUsers);
    }
    if (loss.bound && loss.bound.weight > 0) {
      const promptUse = new Float32Array(prompts.matrix.rows);
      for (const prompt of promptIndex) promptUse[prompt]! += 1;
      for (let prompt = 0; prompt < promptUse.length; prompt++) promptUse[prompt] = (loss.bound.weight * promptUse[prompt]!) / count;
      feeds.promptUse = columnFeed(promptUse);
    }
    return { feeds, counts, sources };
  }
  const rows = palARows(definition, items.matrix, prompts.matrix, promptIndex, [leftIndex, rightIndex], feeds, counts);
  feeds.first = indexFeed(rows[0]!);
  feeds.second = indexFeed(rows[1]!);
  const users = palAUsers(batch.user, feeds, counts);
  if (gradients) {
    addSegmentFeeds(feeds, 'first', rows[0]!, counts.rows!);
    addSegmentFeeds(feeds, 'second', rows[1]!, counts.rows!);
    addSegmentFeeds(feeds, 'userSlot', users.userSlot, users.batchUsers.length);
    addSegmentFeeds(feeds, 'batchUsers', users.batchUsers, gradients.numUsers);
  }
  return { feeds, counts, sources };
}

/** Inputs of the score graph for one request. */
export function scoreFeeds(definition: ModelDefinition, request: ScoreRequestV1): BatchFeeds {
  const prompts = distinctRows(request.prompts, [request.promptIndex]);
  const items = distinctRows(request.items, [request.itemIndex]);
  const promptIndex = prompts.unchanged ? request.promptIndex : remapIndices(request.promptIndex, prompts.remap);
  const itemIndex = items.unchanged ? request.itemIndex : remapIndices(request.itemIndex, items.remap);
  const feeds: Record<string, Feed> = {};
  const counts: Record<string, number> = { comparisons: request.user.length, items: items.matrix.rows, prompts: prompts.matrix.rows };
  if (definition.kind === 'pal-b') {
    feeds.items = matrixFeed(items.matrix);
    feeds.prompts = matrixFeed(prompts.matrix);
    feeds.itemIndex = indexFeed(itemIndex);
    feeds.promptIndex = indexFeed(promptIndex);
    feeds.user = indexFeed(request.user);
    return { feeds, counts, sources: {} };
  }
  const [first] = palARows(definition, items.matrix, prompts.matrix, promptIndex, [itemIndex], feeds, counts);
  feeds.first = indexFeed(first!);
  palAUsers(request.user, feeds, counts);
  return { feeds, counts, sources: {} };
}

/**
 * PAL-A input rows: the items themselves when the model reads no prompt, otherwise one row per distinct
 * (item, prompt) pair. Returns, for each item index array, the input row of each position.
 */
function palARows(
  definition: ModelDefinition & { kind: 'pal-a' },
  items: Matrix,
  prompts: Matrix,
  promptIndex: Int32Array,
  itemIndexArrays: Int32Array[],
  feeds: Record<string, Feed>,
  counts: Record<string, number>,
): Int32Array[] {
  feeds.items = matrixFeed(items);
  if (definition.promptDim === 0) {
    counts.rows = items.rows;
    return itemIndexArrays;
  }
  feeds.prompts = matrixFeed(prompts);
  const pairRow = new Map<number, number>();
  const pairItem: number[] = [];
  const pairPrompt: number[] = [];
  const result = itemIndexArrays.map((itemIndex) => {
    const rows = new Int32Array(itemIndex.length);
    for (let position = 0; position < itemIndex.length; position++) {
      const key = promptIndex[position]! * items.rows + itemIndex[position]!;
      let row = pairRow.get(key);
      if (row === undefined) {
        row = pairItem.length;
        pairRow.set(key, row);
        pairItem.push(itemIndex[position]!);
        pairPrompt.push(promptIndex[position]!);
      }
      rows[position] = row;
    }
    return rows;
  });
  feeds.pairItem = indexFeed(pairItem);
  feeds.pairPrompt = indexFeed(pairPrompt);
  counts.rows = pairItem.length;
  return result;
}

/** PAL-A's distinct batch users (one ideal point each) and each position's slot among them. */
function palAUsers(users: Int32Array, feeds: Record<string, Feed>, counts: Record<string, number>): { batchUsers: Int32Array; userSlot: Int32Array } {
  const slots = new Map<number, number>();
  const userSlot = new Int32Array(users.length);
  for (let position = 0; position < users.length; position++) {
    let slot = slots.get(users[position]!);
    if (slot === undefined) {
      slot = slots.size;
      slots.set(users[position]!, slot);
    }
    userSlot[position] = slot;
  }
  const batchUsers = Int32Array.from(slots.keys());
  feeds.batchUsers = indexFeed(batchUsers);
  feeds.userSlot = indexFeed(userSlot);
  counts.batchUsers = slots.size;
  return { batchUsers, userSlot };
}

/**
 * The row segments of an index array over a table of `rows` rows (see `RowSegments`), so that the
 * gather's gradient is a race-free, deterministic sum: first readers, unread rows, and the readers of
 * repeated rows grouped by row (a counting sort).
 */
export function addSegmentFeeds(feeds: Record<string, Feed>, name: string, indices: Int32Array, rows: number): void {
  const counts = new Int32Array(rows);
  const first = new Int32Array(rows).fill(-1);
  for (let position = 0; position < indices.length; position++) {
    const row = indices[position]!;
    counts[row]! += 1;
    if (first[row] === -1) first[row] = position;
  }
  const empty: number[] = [];
  const repeatRows: number[] = [];
  const runStart = new Int32Array(rows);
  const repeatBounds: number[] = [0];
  for (let row = 0; row < rows; row++) {
    if (counts[row] === 0) {
      empty.push(row);
      first[row] = 0;
    } else if (counts[row]! > 1) {
      runStart[row] = repeatBounds[repeatBounds.length - 1]!;
      repeatRows.push(row);
      repeatBounds.push(runStart[row]! + counts[row]!);
    }
  }
  const repeat = new Int32Array(repeatBounds[repeatBounds.length - 1]!);
  const filled = new Int32Array(rows);
  for (let position = 0; position < indices.length; position++) {
    const row = indices[position]!;
    if (counts[row]! > 1) repeat[runStart[row]! + filled[row]!++] = position;
  }
  const int64 = (values: ArrayLike<number>): Feed => ({ type: 'int64', data: BigInt64Array.from(values as ArrayLike<number>, (value) => BigInt(value)), dims: [values.length] });
  feeds[SegmentInputs.first(name)] = int64(first);
  feeds[SegmentInputs.empty(name)] = int64(empty);
  feeds[SegmentInputs.repeat(name)] = int64(repeat);
  feeds[SegmentInputs.repeatRows(name)] = int64(repeatRows);
  // Bounds index the running sum over [0; repeat], whose entry k sums the first k listed readers.
  feeds[SegmentInputs.repeatBounds(name)] = int64(repeatBounds);
}

/**
 * Scaled dropout masks (0 or 1/(1-p) per element) for one training step, drawn from the step seed so a
 * run is reproducible. The graph's mask order is the reference engine's draw order (projector calls in
 * order, layer by layer, row-major), so on batches of distinct rows the masks equal the reference's.
 */
export function dropoutMaskFeeds(masks: MaskInput[], prepared: Pick<BatchFeeds, 'counts' | 'sources'>, seed: number): Record<string, Feed> {
  const random = new Random(seed);
  const feeds: Record<string, Feed> = {};
  for (const mask of masks) {
    const rows = prepared.counts[mask.rows]!;
    const source = prepared.sources[mask.rows];
    const drawnRows = source?.rows ?? rows;
    const keep = 1 - mask.rate;
    // uniform() < keep with uniform = u / 2^32 (core's Random) is u < ceil(keep 2^32): the reference's masks.
    const threshold = Math.ceil(keep * 4294967296);
    const scale = 1 / keep;
    const drawn = new Float32Array(drawnRows * mask.cols);
    for (let index = 0; index < drawn.length; index++) drawn[index] = random.nextUint32() < threshold ? scale : 0;
    let data = drawn;
    if (source && (source.kept.length !== drawnRows || source.kept.some((row, index) => row !== index))) {
      data = new Float32Array(rows * mask.cols);
      source.kept.forEach((row, index) => data.set(drawn.subarray(row * mask.cols, (row + 1) * mask.cols), index * mask.cols));
    }
    feeds[mask.name] = { type: 'float32', data, dims: [rows, mask.cols] };
  }
  return feeds;
}

