import type { GraphBuilder } from '../graph/graph-builder.js';
import { onnxModelType } from './onnx-proto.js';

/** ONNX IR version written into models (IR 8 pairs with opsets up to 18, which every current runtime reads). */
export const IR_VERSION = 8;

/** Default opset of the standard domain for every graph this package emits. */
export const OPSET_VERSION = 17;

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
  const opsetImport = [{ domain: '', version: options.opset ?? OPSET_VERSION }];
  for (const [domain, version] of Object.entries(options.extraOpsets ?? {})) opsetImport.push({ domain, version });
  const message = type.fromObject({
    irVersion: IR_VERSION,
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
