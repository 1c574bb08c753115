/**
 * Transport actions behind the REST endpoints (the UI's files, per-node stats), so that the
 * security plugin can authorize them by name.
 */
package dev.masksearch.opensearch.action;
