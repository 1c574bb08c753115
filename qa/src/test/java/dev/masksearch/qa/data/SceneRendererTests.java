package dev.masksearch.qa.data;

import dev.masksearch.mask.MaskDType;
import dev.masksearch.mask.Roi;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.CRC32;
import javax.imageio.ImageIO;
import org.apache.lucene.tests.util.LuceneTestCase;

public class SceneRendererTests extends LuceneTestCase {

  public void testSceneHasTheMaskSizeAndEncodingsDecode() throws IOException {
    int width = 32 + random().nextInt(270);
    int height = 32 + random().nextInt(270);
    MaskDType dtype = MaskDType.values()[random().nextInt(MaskDType.values().length)];
    SyntheticDataset dataset = new SyntheticDataset(random().nextLong(), width, height, dtype);
    for (int k = 0; k < 5; k++) {
      SyntheticImage image = dataset.image(random().nextInt(1_000_000));
      SceneRenderer.Scene scene = dataset.render(image);
      BufferedImage picture = scene.image();
      assertEquals(image.saliency().width(), picture.getWidth());
      assertEquals(image.saliency().height(), picture.getHeight());
      assertTrue(scene.distractors() >= 0 && scene.distractors() <= 2);
      assertNotNull(
          SceneRenderer.Background.valueOf(scene.background().toUpperCase(java.util.Locale.ROOT)));

      BufferedImage fromJpeg = ImageIO.read(new ByteArrayInputStream(SceneRenderer.jpeg(picture)));
      assertEquals(width, fromJpeg.getWidth());
      assertEquals(height, fromJpeg.getHeight());
      BufferedImage fromPng = ImageIO.read(new ByteArrayInputStream(SceneRenderer.png(picture)));
      assertEquals(width, fromPng.getWidth());
      assertEquals(height, fromPng.getHeight());
      for (int y = 0; y < height; y++) {
        for (int x = 0; x < width; x++) {
          assertEquals(picture.getRGB(x, y), fromPng.getRGB(x, y)); // PNG is lossless
        }
      }
    }
  }

  public void testDefaultScenesEncodeToSmallJpegs() {
    SyntheticDataset dataset = new SyntheticDataset(random().nextLong());
    int n = 60;
    long total = 0;
    int max = 0;
    for (int k = 0; k < n; k++) {
      int size =
          SceneRenderer.jpeg(dataset.render(dataset.image(random().nextInt(1_000_000))).image())
              .length;
      total += size;
      max = Math.max(max, size);
    }
    // The sample index holds 5,000 pictures: about 15 KB each at most.
    assertTrue("mean JPEG size " + total / n, total / n <= 12_000);
    assertTrue("largest JPEG size " + max, max <= 16_000);
  }

  public void testSameSeedAndIndexGiveIdenticalScenes() {
    long seed = random().nextLong();
    SyntheticDataset a = new SyntheticDataset(seed);
    SyntheticDataset b = new SyntheticDataset(seed);
    int[] indices = random().ints(8, 0, 1_000_000).toArray();
    byte[][] first = new byte[indices.length][];
    for (int k = 0; k < indices.length; k++) {
      SyntheticImage image = a.image(indices[k]);
      first[k] = SceneRenderer.png(a.render(image).image());
      assertArrayEquals(first[k], SceneRenderer.png(a.render(image).image())); // twice in a row
    }
    // Another instance, in reverse order: a picture must not depend on what was rendered before it.
    for (int k = indices.length - 1; k >= 0; k--) {
      SyntheticImage image = b.image(indices[k]);
      assertArrayEquals(first[k], SceneRenderer.png(b.render(image).image()));
      byte[] jpeg = SceneRenderer.jpeg(b.render(image).image());
      assertArrayEquals(jpeg, SceneRenderer.jpeg(a.render(a.image(indices[k])).image()));
    }
    assertFalse(Arrays.equals(pixels(a, 0), pixels(a, 1)));
    assertFalse(Arrays.equals(pixels(a, 0), pixels(new SyntheticDataset(seed + 1), 0)));
  }

  /**
   * The object is painted inside its box, touches all four sides of it, covers a good part of it,
   * and inside its outline is mostly of its label's colour. Found by rendering the scene again
   * without the object: exactly the object's pixels change.
   */
  public void testObjectFillsItsBoxInItsLabelsColour() {
    int side = random().nextBoolean() ? SyntheticDataset.DEFAULT_SIDE : 96 + random().nextInt(200);
    SyntheticDataset dataset =
        new SyntheticDataset(random().nextLong(), side, side, MaskDType.UINT8);
    for (int k = 0; k < 40; k++) {
      SyntheticImage image = dataset.image(random().nextInt(1_000_000));
      int[] with = pixels(dataset.render(image, true).image());
      int[] without = pixels(dataset.render(image, false).image());
      Roi box = image.box();
      String where = image.id() + " " + image.label() + " " + box;
      int minX = side;
      int minY = side;
      int maxX = -1;
      int maxY = -1;
      int changed = 0;
      int[] nearest = new int[SyntheticDataset.LABELS.size()];
      for (int y = 0; y < side; y++) {
        for (int x = 0; x < side; x++) {
          int rgb = with[y * side + x];
          if (rgb == without[y * side + x]) {
            continue;
          }
          boolean inBox = x >= box.x1() && x < box.x2() && y >= box.y1() && y < box.y2();
          assertTrue(where + ": object pixel outside the box at " + x + "," + y, inBox);
          changed++;
          minX = Math.min(minX, x);
          maxX = Math.max(maxX, x);
          minY = Math.min(minY, y);
          maxY = Math.max(maxY, y);
          if (interior(with, without, side, x, y)) {
            nearest[nearestLabel(rgb)]++;
          }
        }
      }
      long area = box.area();
      assertTrue(where + ": object covers " + changed + " of " + area, changed >= 0.3 * area);
      int tolerance = 1;
      assertTrue(where + ": left " + minX, minX <= box.x1() + tolerance);
      assertTrue(where + ": top " + minY, minY <= box.y1() + tolerance);
      assertTrue(where + ": right " + maxX, maxX >= box.x2() - 1 - tolerance);
      assertTrue(where + ": bottom " + maxY, maxY >= box.y2() - 1 - tolerance);
      int label = SyntheticDataset.LABELS.indexOf(image.label());
      for (int other = 0; other < nearest.length; other++) {
        assertTrue(
            where + ": colours " + Arrays.toString(nearest),
            other == label || nearest[other] < nearest[label]);
      }
    }
  }

  public void testBackgroundRegimeScenesHaveADistractor() {
    SyntheticDataset dataset = new SyntheticDataset(random().nextLong());
    int background = 0;
    int withDistractor = 0;
    for (int i = 0; background < 30; i++) {
      SyntheticImage image = dataset.image(i);
      if (Regime.fromApiName(image.regime()) == Regime.BACKGROUND) {
        background++;
        withDistractor += dataset.render(image).distractors() > 0 ? 1 : 0;
      }
    }
    assertEquals(background, withDistractor);
  }

  public void testRenderRejectsImagesOfAnotherFrame() {
    SyntheticDataset small = new SyntheticDataset(1, 64, 64, MaskDType.UINT8);
    SyntheticImage image = new SyntheticDataset(1).image(0);
    expectThrows(IllegalArgumentException.class, () -> small.render(image));
  }

  /**
   * Pictures came without touching the metadata and masks: a checksum of the sample index's first
   * 50 images (seed 42), recorded before scenes existed.
   */
  public void testMetadataAndMasksAreThoseOfBeforeScenes() {
    SyntheticDataset dataset = new SyntheticDataset(42);
    CRC32 crc = new CRC32();
    for (int i = 0; i < 50; i++) {
      SyntheticImage image = dataset.image(i);
      Roi b = image.box();
      crc.update(
          ByteBuffer.allocate(16)
              .putInt(b.x1())
              .putInt(b.y1())
              .putInt(b.x2())
              .putInt(b.y2())
              .flip());
      crc.update(
          (image.label() + "/" + image.predicted() + "/" + image.regime())
              .getBytes(StandardCharsets.UTF_8));
      crc.update(image.saliency().rawBytes());
      crc.update(image.human().rawBytes());
    }
    assertEquals(GOLDEN_CRC, crc.getValue());
  }

  private static final long GOLDEN_CRC = 655588141L;

  /**
   * Whether every pixel within 2 of (x, y) belongs to the object: the colour test skips the dark
   * outline and the antialiased rim, which dominate small objects.
   */
  private static boolean interior(int[] with, int[] without, int side, int x, int y) {
    for (int yy = y - 2; yy <= y + 2; yy++) {
      for (int xx = x - 2; xx <= x + 2; xx++) {
        if (xx < 0
            || yy < 0
            || xx >= side
            || yy >= side
            || with[yy * side + xx] == without[yy * side + xx]) {
          return false;
        }
      }
    }
    return true;
  }

  private static int nearestLabel(int rgb) {
    int r = (rgb >> 16) & 0xFF;
    int g = (rgb >> 8) & 0xFF;
    int b = rgb & 0xFF;
    int best = -1;
    long bestDistance = Long.MAX_VALUE;
    for (int k = 0; k < SyntheticDataset.LABELS.size(); k++) {
      Color c = SceneRenderer.labelColor(SyntheticDataset.LABELS.get(k));
      long dr = r - c.getRed();
      long dg = g - c.getGreen();
      long db = b - c.getBlue();
      long d = dr * dr + dg * dg + db * db;
      if (d < bestDistance) {
        bestDistance = d;
        best = k;
      }
    }
    return best;
  }

  private static int[] pixels(SyntheticDataset dataset, int i) {
    return pixels(dataset.render(dataset.image(i)).image());
  }

  private static int[] pixels(BufferedImage image) {
    return ((DataBufferInt) image.getRaster().getDataBuffer()).getData().clone();
  }
}
