/**
 * Layer 1 of the engine: masks and their encodings. A {@link dev.masksearch.mask.Mask} is a height
 * x width grid of values in [0, 1] stored as float32, float16, uint8 or uint16 codes ({@link
 * dev.masksearch.mask.MaskDType}); the wire and doc-value form is {@link
 * dev.masksearch.mask.MaskBytes}; PNG and NumPy files decode through {@code PngMasks} and {@code
 * NpyMasks}, checked against {@link dev.masksearch.mask.MaskLimits} before any pixel is allocated.
 * A region of interest is a {@link dev.masksearch.mask.Roi} (a pixel box, end exclusive); a value
 * range is a {@link dev.masksearch.mask.ValueRange} {@code [lv, uv)}. Depends on nothing else of
 * the engine.
 */
package dev.masksearch.mask;
