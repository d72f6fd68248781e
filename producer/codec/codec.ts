/**
 * How records become Kafka message values and back. The Kafka path (producer
 * and processor) only ever talks to this interface, so the JSON codec here
 * and an Avro codec with a schema registry (Confluent wire format: magic byte
 * + schema id, subjects by topic name) are interchangeable.
 *
 * Both directions work on batches and are async: an Avro codec registers or
 * looks up schemas over HTTP, and a batch amortises that (and the promise)
 * over many records.
 */

/** What decoding one message value gave: a plain record, or why there is none. */
export type DecodeOutcome = { readonly value: unknown; readonly error?: undefined } | { readonly error: string };

export interface Codec {
  /** "json", "avro" …, for logs and metrics labels. */
  readonly format: string;
  /**
   * Message values for `records`, in order, for topic `topic` (the topic
   * picks the schema/subject). Throws when a record cannot be encoded at all
   * (e.g. the registry refuses the schema): that is a producer bug or an
   * incompatible contract, never one bad row.
   */
  encode(topic: string, records: readonly object[]): Promise<Buffer[]>;
  /**
   * One outcome per value, in order. Never rejects because of one value:
   * an empty, truncated or foreign payload is an `{ error }` naming why.
   */
  decode(topic: string, values: readonly (Buffer | null)[]): Promise<DecodeOutcome[]>;
}
