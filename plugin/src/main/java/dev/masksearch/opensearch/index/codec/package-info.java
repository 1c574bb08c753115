/**
 * The {@code masksearch} index codec: the engine's {@code MaskCodec} under OpenSearch's codec
 * names.
 */
package dev.masksearch.opensearch.index.codec;
