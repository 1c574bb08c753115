package dev.masksearch.qa.data;

import dev.masksearch.mask.Mask;
import dev.masksearch.mask.Roi;

/**
 * One generated image's metadata and masks.
 *
 * @param id the image's index in its {@link SyntheticDataset}
 * @param box the object's bounding box, half-open, non-empty and inside the frame
 * @param label the ground-truth class, one of {@link SyntheticDataset#LABELS}
 * @param predicted the model's prediction: the label about 75% of the time, otherwise a plausible
 *     confusion
 * @param regime where the model looked, the {@link Regime#apiName()} of a {@link Regime}
 * @param saliency the model's saliency map (Grad-CAM-like), values in [0, 1]
 * @param human the human attention map, concentrated on the box, peak 1
 */
public record SyntheticImage(
    int id, Roi box, String label, String predicted, String regime, Mask saliency, Mask human) {

  /** Whether the prediction is right. */
  public boolean correct() {
    return label.equals(predicted);
  }
}
