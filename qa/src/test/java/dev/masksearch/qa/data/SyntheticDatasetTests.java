package dev.masksearch.qa.data;

import dev.masksearch.mask.Mask;
import dev.masksearch.mask.MaskDType;
import dev.masksearch.mask.Roi;
import dev.masksearch.mask.ValueRange;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;
import org.apache.lucene.tests.util.LuceneTestCase;

public class SyntheticDatasetTests extends LuceneTestCase {

  public void testSameSeedAndIndexGiveIdenticalImages() {
    long seed = random().nextLong();
    MaskDType dtype = RandomPicks.dtype(random());
    SyntheticDataset a =
        new SyntheticDataset(seed, 64 + random().nextInt(200), 64 + random().nextInt(200), dtype);
    SyntheticDataset b = new SyntheticDataset(seed, a.width(), a.height(), dtype);
    int[] indices = random().ints(20, 0, 1_000_000).toArray();
    SyntheticImage[] forward = new SyntheticImage[indices.length];
    for (int k = 0; k < indices.length; k++) {
      forward[k] = a.image(indices[k]);
    }
    // The other instance, in reverse order: an image must not depend on what was generated before
    // it.
    for (int k = indices.length - 1; k >= 0; k--) {
      SyntheticImage x = forward[k];
      SyntheticImage y = b.image(indices[k]);
      assertEquals(indices[k], y.id());
      assertEquals(x.box(), y.box());
      assertEquals(x.label(), y.label());
      assertEquals(x.predicted(), y.predicted());
      assertEquals(x.regime(), y.regime());
      assertArrayEquals(x.saliency().rawBytes(), y.saliency().rawBytes());
      assertArrayEquals(x.human().rawBytes(), y.human().rawBytes());
    }
    // Neighbouring indices and seeds differ.
    assertFalse(Arrays.equals(a.image(0).saliency().rawBytes(), a.image(1).saliency().rawBytes()));
    SyntheticDataset other = new SyntheticDataset(seed + 1, a.width(), a.height(), dtype);
    assertFalse(
        Arrays.equals(a.image(0).saliency().rawBytes(), other.image(0).saliency().rawBytes()));
  }

  public void testMasksAndBoxesAreWellFormed() {
    for (int round = 0; round < 5; round++) {
      int width = 1 + random().nextInt(random().nextBoolean() ? 8 : 300);
      int height = 1 + random().nextInt(random().nextBoolean() ? 8 : 300);
      MaskDType dtype = RandomPicks.dtype(random());
      SyntheticDataset dataset = new SyntheticDataset(random().nextLong(), width, height, dtype);
      for (int i = 0; i < 40; i++) {
        SyntheticImage image = dataset.image(i);
        Roi box = image.box();
        assertFalse(box.toString(), box.isEmpty());
        assertTrue(
            box.toString(),
            box.x1() >= 0 && box.y1() >= 0 && box.x2() <= width && box.y2() <= height);
        assertTrue(SyntheticDataset.LABELS.contains(image.label()));
        assertTrue(SyntheticDataset.LABELS.contains(image.predicted()));
        Regime regime = Regime.fromApiName(image.regime());
        for (Mask mask : new Mask[] {image.saliency(), image.human()}) {
          assertEquals(dtype, mask.dtype());
          assertEquals(width, mask.width());
          assertEquals(height, mask.height());
          for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
              double v = mask.value(y, x);
              assertTrue(
                  "value " + v + " at " + y + "," + x, v >= 0 && v <= 1); // false for NaN too
            }
          }
        }
        if (width * height > 1) { // a single pixel cannot show any structure
          double peak = MaskStats.max(image.saliency());
          if (regime == Regime.DIFFUSE) {
            assertTrue("diffuse peak " + peak, peak < 0.85);
          } else {
            assertEquals(1.0, peak, 0.0);
          }
          assertEquals(1.0, MaskStats.max(image.human()), 0.0);
        }
      }
    }
  }

  public void testRegimesBehaveAsClaimed() {
    SyntheticDataset dataset = new SyntheticDataset(random().nextLong());
    int n = 400;
    Map<Regime, double[]> sums = new EnumMap<>(Regime.class); // count, salient in box, mid, IoU
    int correct = 0;
    ValueRange salientInBox = MaskStats.SALIENT;
    for (int i = 0; i < n; i++) {
      SyntheticImage image = dataset.image(i);
      double[] s = sums.computeIfAbsent(Regime.fromApiName(image.regime()), r -> new double[4]);
      s[0]++;
      s[1] += MaskStats.fraction(image.saliency(), image.box(), salientInBox);
      s[2] += MaskStats.fraction(image.saliency(), MaskStats.MID);
      s[3] += MaskStats.iou(image.saliency(), image.human(), 0.8);
      correct += image.correct() ? 1 : 0;
    }
    for (Regime r : Regime.values()) {
      double share = sums.get(r)[0] / n;
      // 0.08 is more than 3 standard deviations of a share over 400 draws.
      assertEquals(r + " share", r.probability(), share, 0.08);
    }
    assertEquals("accuracy", 0.75, (double) correct / n, 0.08);
    double[] focused = mean(sums.get(Regime.FOCUSED));
    double[] background = mean(sums.get(Regime.BACKGROUND));
    double[] diffuse = mean(sums.get(Regime.DIFFUSE));

    // Focused maps put their salient core on the object; background maps keep it off.
    assertTrue("focused salient-in-box " + focused[1], focused[1] > 0.05);
    assertTrue("background salient-in-box " + background[1], background[1] < 0.005);
    assertEquals("diffuse salient-in-box", 0.0, diffuse[1], 0.0);

    // Diffuse maps are mostly mid-valued; peaked maps are not.
    assertTrue("diffuse mid " + diffuse[2], diffuse[2] > 0.6);
    assertTrue("focused mid " + focused[2], focused[2] < 0.3);
    assertTrue("background mid " + background[2], background[2] < 0.3);

    // The model agrees with human attention only when it is focused.
    assertTrue("focused IoU " + focused[3], focused[3] > 0.3);
    assertTrue("background IoU " + background[3], background[3] < 0.05);
    assertTrue("diffuse IoU " + diffuse[3], diffuse[3] < 0.05);
  }

  private static double[] mean(double[] sums) {
    double[] m = new double[sums.length];
    for (int k = 1; k < sums.length; k++) {
      m[k] = sums[k] / sums[0];
    }
    return m;
  }

  /** Random choices shared by the tests. */
  private static final class RandomPicks {
    static MaskDType dtype(java.util.Random random) {
      // UINT8 is the dataset's usual type, so it gets half the draws.
      return random.nextBoolean()
          ? MaskDType.UINT8
          : MaskDType.values()[random.nextInt(MaskDType.values().length)];
    }
  }
}
