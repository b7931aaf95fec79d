import type { GraphBuilder } from '../graph/graph-builder.js';
import { onnxModelType } from './onnx-proto.js';

/**
 * Default opset of the standard domain: 17 reads on every ONNX Runtime of the last years, so exported
 * reward models use it. Training graphs run only on the bundled runtime and use `TRAINING_OPSET_VERSION`.
 */
export const OPSET_VERSION = 17;

/** Opset of the graphs this backend runs itself (20 brings the fused Gelu op). */
export const TRAINING_OPSET_VERSION = 20;

/** The ONNX IR version that goes with an opset (IR 8 up to opset 18, 9 for 19-20, 10 above). */
export function irVersionFor(opset: number): number {
  return opset <= 18 ? 8 : opset <= 20 ? 9 : 10;
}

/** What goes around a graph in a model file. */
export interface EncodeModelOptions {
  /** Opset of the standard ONNX domain. */
  opset?: number;
  /** Extra operator domains, e.g. `{ 'com.microsoft': 1 }` for ONNX Runtime contrib ops. */
  extraOpsets?: Record<string, number>;
  docString?: string;
  /** Key-value metadata stored in the model (ModelProto.metadata_props). */
  metadata?: Record<string, string>;
}

/** Serialises a graph into the bytes of an `.onnx` model file through protobufjs. */
export function encodeModel(graph: GraphBuilder, options: EncodeModelOptions = {}): Uint8Array {
  const type = onnxModelType();
  const opset = options.opset ?? OPSET_VERSION;
  const opsetImport = [{ domain: '', version: opset }];
  for (const [domain, version] of Object.entries(options.extraOpsets ?? {})) opsetImport.push({ domain, version });
  const message = type.fromObject({
    irVersion: irVersionFor(opset),
    producerName: '@pal/backend-onnx',
    producerVersion: '0.1.0',
    docString: options.docString ?? '',
    graph: graph.toProto(),
    opsetImport,
    metadataProps: Object.entries(options.metadata ?? {}).map(([key, value]) => ({ key, value })),
  });
  return type.encode(message).finish();
}

/** Reads the metadata (ModelProto.metadata_props) of an encoded model, e.g. to check an exported file. */
export function decodeModelMetadata(bytes: Uint8Array): Record<string, string> {
  const decoded = onnxModelType().decode(bytes) as unknown as { metadataProps?: { key: string; value: string }[] };
  return Object.fromEntries((decoded.metadataProps ?? []).map((entry) => [entry.key, entry.value]));
}
