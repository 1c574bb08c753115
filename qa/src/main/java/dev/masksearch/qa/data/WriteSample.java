package dev.masksearch.qa.data;

import dev.masksearch.mask.Mask;
import dev.masksearch.mask.PngMasks;
import dev.masksearch.mask.Roi;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import javax.imageio.ImageIO;

/**
 * Writes the first images of a {@link SyntheticDataset} (224 x 224, UINT8) for looking at:
 * {@code NNNNN_saliency.png} and {@code NNNNN_human.png} (8-bit grayscale), an {@code index.csv} of their
 * metadata and {@code scenes.png}, the first 24 pictures on a grid. For the first {@value #SCENES} images also
 * {@code NNNNN_scene.jpg} (the picture as the sample index stores it) and {@code NNNNN_overlay.png}: the picture,
 * the picture under the saliency map and the picture under the human attention map side by side, with the object
 * box drawn on the last two. Then prints per-regime statistics and the JPEG sizes.
 *
 * <p>Usage: {@code WriteSample <outDir> <count> [seed]} (seed 1 when omitted).
 */
public final class WriteSample {
  /** Pictures are written for this many images at most. */
  static final int SCENES = 100;

  /** {@code scenes.png} shows the first pictures on a grid of this many columns and rows. */
  private static final int SHEET_COLUMNS = 6;

  private static final int SHEET_ROWS = 4;

  private WriteSample() {}

  public static void main(String[] args) throws IOException {
    if (args.length < 2 || args.length > 3) {
      System.err.println("usage: WriteSample <outDir> <count> [seed]");
      System.exit(2);
    }
    Path dir = Path.of(args[0]);
    int count = Integer.parseInt(args[1]);
    long seed = args.length == 3 ? Long.parseLong(args[2]) : 1;
    SyntheticDataset dataset = new SyntheticDataset(seed);
    Files.createDirectories(dir);
    Map<Regime, double[]> sums = new EnumMap<>(Regime.class);
    BufferedImage sheet = new BufferedImage(
        SHEET_COLUMNS * dataset.width(), SHEET_ROWS * dataset.height(), BufferedImage.TYPE_INT_RGB);
    long jpegBytes = 0;
    int jpegMax = 0;
    try (PrintWriter csv = new PrintWriter(Files.newBufferedWriter(dir.resolve("index.csv"), StandardCharsets.UTF_8))) {
      csv.println("id,bbox_x1,bbox_y1,bbox_x2,bbox_y2,label,predicted,regime");
      for (int i = 0; i < count; i++) {
        SyntheticImage image = dataset.image(i);
        String stem = String.format(Locale.ROOT, "%05d", i);
        Files.write(dir.resolve(stem + "_saliency.png"), PngMasks.encode(image.saliency()));
        Files.write(dir.resolve(stem + "_human.png"), PngMasks.encode(image.human()));
        Roi b = image.box();
        SceneRenderer.Scene scene = dataset.render(image);
        byte[] jpeg = SceneRenderer.jpeg(scene.image());
        jpegBytes += jpeg.length;
        jpegMax = Math.max(jpegMax, jpeg.length);
        if (i < SCENES) {
          Files.write(dir.resolve(stem + "_scene.jpg"), jpeg);
          ImageIO.write(overlay(scene.image(), image), "png", dir.resolve(stem + "_overlay.png").toFile());
        }
        if (i < SHEET_COLUMNS * SHEET_ROWS) {
          sheet.getGraphics().drawImage(
              scene.image(), (i % SHEET_COLUMNS) * dataset.width(), (i / SHEET_COLUMNS) * dataset.height(), null);
        }
        csv.printf(Locale.ROOT, "%d,%d,%d,%d,%d,%s,%s,%s%n",
            i, b.x1(), b.y1(), b.x2(), b.y2(), image.label(), image.predicted(), image.regime());
        double[] s = sums.computeIfAbsent(Regime.fromApiName(image.regime()), r -> new double[7]);
        s[0]++;
        s[1] += MaskStats.fraction(image.saliency(), MaskStats.SALIENT);
        s[2] += MaskStats.fraction(image.saliency(), b, MaskStats.SALIENT);
        s[3] += MaskStats.fraction(image.saliency(), MaskStats.MID);
        s[4] += MaskStats.max(image.saliency());
        s[5] += MaskStats.iou(image.saliency(), image.human(), 0.8);
        s[6] += image.correct() ? 1 : 0;
      }
    }
    ImageIO.write(sheet, "png", dir.resolve("scenes.png").toFile());
    System.out.printf(Locale.ROOT, "wrote %d images to %s%n", count, dir);
    System.out.println("means per regime: n, >=0.85 (image), >=0.85 (box), [0.2,0.6) (image), max, IoU(>0.8), accuracy");
    sums.forEach((regime, s) -> System.out.printf(Locale.ROOT, "%-10s %5d  %.4f  %.4f  %.3f  %.3f  %.3f  %.2f%n",
        regime.apiName(), (long) s[0], s[1] / s[0], s[2] / s[0], s[3] / s[0], s[4] / s[0], s[5] / s[0], s[6] / s[0]));
    System.out.printf(Locale.ROOT, "JPEG (quality %.2f): mean %,d bytes, max %,d bytes%n",
        SceneRenderer.JPEG_QUALITY, count == 0 ? 0 : jpegBytes / count, jpegMax);
  }

  /** Three panels: the picture; under the saliency map, with the box; under the human map, with the box. */
  static BufferedImage overlay(BufferedImage scene, SyntheticImage image) {
    int w = scene.getWidth();
    int h = scene.getHeight();
    BufferedImage out = new BufferedImage(3 * w, h, BufferedImage.TYPE_INT_RGB);
    Mask[] maps = {null, image.saliency(), image.human()};
    for (int panel = 0; panel < 3; panel++) {
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
          int rgb = scene.getRGB(x, y) & 0xFFFFFF;
          if (maps[panel] != null) {
            double v = maps[panel].value(y, x);
            rgb = SceneColors.mix(rgb, heat(v), 0.15 + 0.5 * v);
          }
          out.setRGB(panel * w + x, y, rgb);
        }
      }
    }
    Graphics2D g = out.createGraphics();
    Roi b = image.box();
    g.setColor(Color.GREEN);
    for (int panel = 1; panel < 3; panel++) {
      g.drawRect(panel * w + b.x1(), b.y1(), b.x2() - b.x1() - 1, b.y2() - b.y1() - 1);
    }
    g.setColor(Color.WHITE);
    g.drawString(image.label() + " -> " + image.predicted() + " (" + image.regime() + ")", 4, h - 6);
    g.dispose();
    return out;
  }

  /** A blue-green-yellow-red ramp. */
  private static int heat(double v) {
    int r = (int) (255 * Math.clamp(1.5 * v - 0.25, 0, 1));
    int g = (int) (255 * Math.clamp(1.5 - Math.abs(3 * v - 1.5), 0, 1));
    int bl = (int) (255 * Math.clamp(1 - 2 * v, 0, 1));
    return (r << 16) | (g << 8) | bl;
  }
}
