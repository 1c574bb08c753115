/**
 * Layer 5: mask expressions, arithmetic over CP terms of several masks, intersections, unions and
 * IoU ({@link dev.masksearch.expr.MaskExpression}); each is a {@link
 * dev.masksearch.search.ValueSource} whose bounds combine its terms' intervals, tightened by
 * derived-mask CHIs ({@link dev.masksearch.expr.DerivedChiCache}). Depends on every layer below.
 */
package dev.masksearch.expr;
