package dev.masksearch.qa.data;

import dev.masksearch.mask.PngMasks;
import dev.masksearch.mask.Roi;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;

/**
 * Writes the first images of a {@link SyntheticDataset} (224 x 224, UINT8) for looking at:
 * {@code NNNNN_saliency.png} and {@code NNNNN_human.png} (8-bit grayscale) and an {@code index.csv} of their
 * metadata, then prints per-regime statistics.
 *
 * <p>Usage: {@code WriteSample <outDir> <count> [seed]} (seed 1 when omitted).
 */
public final class WriteSample {
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
    try (PrintWriter csv = new PrintWriter(Files.newBufferedWriter(dir.resolve("index.csv"), StandardCharsets.UTF_8))) {
      csv.println("id,bbox_x1,bbox_y1,bbox_x2,bbox_y2,label,predicted,regime");
      for (int i = 0; i < count; i++) {
        SyntheticImage image = dataset.image(i);
        String stem = String.format(Locale.ROOT, "%05d", i);
        Files.write(dir.resolve(stem + "_saliency.png"), PngMasks.encode(image.saliency()));
        Files.write(dir.resolve(stem + "_human.png"), PngMasks.encode(image.human()));
        Roi b = image.box();
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
    System.out.printf(Locale.ROOT, "wrote %d images to %s%n", count, dir);
    System.out.println("means per regime: n, >=0.85 (image), >=0.85 (box), [0.2,0.6) (image), max, IoU(>0.8), accuracy");
    sums.forEach((regime, s) -> System.out.printf(Locale.ROOT, "%-10s %5d  %.4f  %.4f  %.3f  %.3f  %.3f  %.2f%n",
        regime.apiName(), (long) s[0], s[1] / s[0], s[2] / s[0], s[3] / s[0], s[4] / s[0], s[5] / s[0], s[6] / s[0]));
  }
}
