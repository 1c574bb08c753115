package dev.masksearch.qa.bench.alternatives;

import java.util.Map;

/**
 * Sizes and ingest figures (per index, and {@link Alternatives#POSTGIS_TABLE} for PostGIS's table).
 */
public record Ingest(
    int images,
    long rawMaskBytes,
    Map<String, Long> storeBytes,
    long compressedMaskBytes,
    long chiBytes,
    Map<String, Double> imagesPerSecond,
    Map<String, Double> mergeSeconds,
    Map<String, Long> pluginFiles,
    Map<String, Long> plainFiles) {}
