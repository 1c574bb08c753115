/** REST handlers: the web UI's files and the per-node stats, each running a transport action. */
package dev.masksearch.opensearch.rest;
