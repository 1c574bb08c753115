/**
 * The {@code masksearch} script language: a mask expression as a script (script fields, sorts,
 * aggregations, {@code script_score}, the {@code script} query).
 */
package dev.masksearch.opensearch.script;
