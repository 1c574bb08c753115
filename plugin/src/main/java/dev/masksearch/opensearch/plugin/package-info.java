/**
 * The plugin class: what MaskSearch registers with OpenSearch (mappers, queries, sorts, codec,
 * script engine, breaker, settings, REST handlers, actions).
 */
package dev.masksearch.opensearch.plugin;
