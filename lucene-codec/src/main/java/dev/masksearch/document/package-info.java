/**
 * Index-time fields: {@link dev.masksearch.document.MaskField} (a mask, its CHI parameters as field
 * attributes) and {@link dev.masksearch.document.BoxField} (a region per document).
 */
package dev.masksearch.document;
