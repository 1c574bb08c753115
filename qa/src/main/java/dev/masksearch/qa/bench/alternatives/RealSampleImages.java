package dev.masksearch.qa.bench.alternatives;

import dev.masksearch.mask.Mask;
import dev.masksearch.mask.MaskDType;
import dev.masksearch.mask.PngMasks;
import dev.masksearch.qa.load.Dataset;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The real sample ({@code ../shared/data/real-sample}) as benchmark images: the model's mask
 * ({@code isnet}, ISNet foreground probability) as the "saliency" and the artist's alpha channel
 * ({@code alpha}, human-made) as the "human" mask, with the CSV's object box; only rows that have
 * both masks and a box (950 of 988). Masks are 8-bit PNGs of each image's own size, up to 512 px a
 * side.
 */
final class RealSampleImages {
  static final String MODEL = "isnet";
  static final String HUMAN = "alpha";
  static final int MAX_SIDE = 512;

  private final Path dir;
  private final List<Map<String, String>> rows;

  RealSampleImages(Path dir) throws IOException {
    this.dir = dir;
    this.rows =
        Dataset.read(dir).rows().stream()
            .map(Dataset.Row::values)
            .filter(
                r ->
                    List.of(r.getOrDefault("masks", "").split("\\|"))
                            .containsAll(List.of(MODEL, HUMAN))
                        && !r.getOrDefault("bbox_x1", "").isBlank())
            .toList();
  }

  int count() {
    return rows.size();
  }

  BenchImage image(int i) {
    Map<String, String> row = rows.get(i);
    Mask model = decode(row.get("id"), MODEL);
    Mask human = decode(row.get("id"), HUMAN);
    if (model.width() != human.width() || model.height() != human.height()) {
      throw new IllegalArgumentException(row.get("id") + ": the masks differ in size");
    }
    int[] box = {
      integer(row, "bbox_x1"),
      integer(row, "bbox_y1"),
      integer(row, "bbox_x2"),
      integer(row, "bbox_y2")
    };
    return new BenchImage(model.width(), model.height(), model.rawBytes(), human.rawBytes(), box);
  }

  private Mask decode(String id, String kind) {
    try {
      Mask mask =
          PngMasks.decode(
              Files.readAllBytes(dir.resolve("masks").resolve(kind).resolve(id + ".png")));
      if (mask.dtype() != MaskDType.UINT8) {
        throw new IllegalArgumentException(
            kind + "/" + id + ".png is " + mask.dtype() + ", not 8-bit");
      }
      return mask;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static int integer(Map<String, String> row, String column) {
    return Integer.parseInt(row.get(column).strip());
  }
}
