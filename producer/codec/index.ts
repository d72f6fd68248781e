/** Message codecs for the Kafka path: the interface, the JSON codec, the record shapes and batch decoding. */
export type { Codec, DecodeOutcome } from './codec.js';
export { jsonCodec } from './json.js';
export * from './records.js';
export { decodeFeatureBatch, decodeTargetBatch, type DecodedBatch, type DecodeOptions, type InvalidMessage, type RawMessage } from './decode-batch.js';
