/**
 * The harness that runs the real OpenSearch distribution with the plugin (for the acceptance suites
 * and the benchmarks), and PostgreSQL for the PostGIS alternative.
 */
package dev.masksearch.qa.cluster;
