package dev.l2c.testing;

import dev.l2c.data.FashionMnist;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/** The committed trained Fashion-MNIST ResNet (a test resource) and the data set's presence. */
public final class Fmnist {
    private Fmnist() {}

    /** The trained reference model, {@code l2c zoo train fmnist-resnet} (README, zoo section). */
    public static Path model() {
        return model("fmnist-resnet");
    }

    /** The committed fixture of the zoo model {@code name}, {@code l2c zoo train NAME} (README, zoo section). */
    public static Path model(String name) {
        URL url = Fmnist.class.getResource("/models/" + name + ".onnx");
        if (url == null) throw new IllegalStateException("test resource models/" + name + ".onnx is missing");
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Skips the calling test where the Debian package dataset-fashion-mnist is not installed. */
    public static void assumeData() {
        Assumptions.assumeTrue(Files.isRegularFile(FashionMnist.DEFAULT_DIR.resolve("t10k-labels-idx1-ubyte.gz")),
                "dataset-fashion-mnist not installed (scripts/ensure-tools.sh installs it)");
    }
}
