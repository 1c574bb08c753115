package dev.masksearch.qa.bench.jmh;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.masksearch.chi.Chi;
import dev.masksearch.chi.ChiParams;
import dev.masksearch.mask.Mask;
import dev.masksearch.mask.MaskLimits;
import dev.masksearch.mask.PngMasks;
import dev.masksearch.mask.RleMasks;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Where one instance mask's ingest goes, over the real sample's {@code coco/instances.json} (1,353
 * instance masks, 85,432 pixels on average): decoding COCO's RLE string, decoding a PNG of the same
 * mask (the other way in), and building its CHI from the pixels. One operation is one mask (average
 * time). Tells whether building the CHI straight from the runs would pay.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xmx2g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class InstanceMaskBenchmark {
  /** The annotations of the real sample's file: one invocation handles them all. */
  static final int MASKS = 1353;

  private List<int[]> sizes;
  private List<String> counts;
  private List<byte[]> pngs;
  private List<Mask> masks;

  @Setup
  public void setUp() throws IOException {
    Path file =
        Path.of(
            System.getProperty("masksearch.realSample", "../../shared/data/real-sample"),
            "coco/instances.json");
    JsonNode coco = new ObjectMapper().readTree(file.toFile());
    sizes = new ArrayList<>();
    counts = new ArrayList<>();
    pngs = new ArrayList<>();
    masks = new ArrayList<>();
    for (JsonNode a : coco.get("annotations")) {
      JsonNode rle = a.get("segmentation");
      int[] size = {rle.get("size").get(0).asInt(), rle.get("size").get(1).asInt()};
      Mask mask = RleMasks.decode(size[0], size[1], rle.get("counts").asText(), MaskLimits.FORMAT);
      sizes.add(size);
      counts.add(rle.get("counts").asText());
      pngs.add(PngMasks.encode(mask));
      masks.add(mask);
    }
    if (masks.size() != MASKS) {
      throw new IllegalStateException(file + " has " + masks.size() + " masks, not " + MASKS);
    }
  }

  @Benchmark
  @OperationsPerInvocation(MASKS)
  public void decodeRle(Blackhole bh) {
    for (int i = 0; i < counts.size(); i++) {
      bh.consume(
          RleMasks.decode(sizes.get(i)[0], sizes.get(i)[1], counts.get(i), MaskLimits.FORMAT));
    }
  }

  @Benchmark
  @OperationsPerInvocation(MASKS)
  public void decodePng(Blackhole bh) {
    for (byte[] png : pngs) {
      bh.consume(PngMasks.decode(png));
    }
  }

  @Benchmark
  @OperationsPerInvocation(MASKS)
  public void buildChi(Blackhole bh) {
    for (Mask mask : masks) {
      bh.consume(Chi.build(mask, ChiParams.DEFAULT));
    }
  }
}
