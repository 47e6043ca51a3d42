package org.trustfleet.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Writes a fuzz test's seed inputs, generated in code from the test PKI, into its Jazzer inputs directory on the test
 * class path ({@code target/test-classes/<package>/<Class>Inputs/<method>/}) before the test runs. Jazzer replays
 * that directory in every build (regression mode) and starts fuzzing from it (fuzz mode), so no generated key or
 * signed blob is committed, and committed findings ({@code src/test/resources/.../<Class>Inputs/<method>/}) are
 * replayed beside the seeds.
 */
public final class FuzzSeeds {
    private FuzzSeeds() {}

    /** Writes each seed as one file named by its key; call from {@code @BeforeAll}. */
    public static void write(Class<?> fuzzTest, String method, Map<String, byte[]> seeds) {
        try {
            Path classes = Path.of(fuzzTest.getProtectionDomain().getCodeSource().getLocation().toURI());
            Path dir = classes.resolve(fuzzTest.getPackageName().replace('.', '/'))
                    .resolve(fuzzTest.getSimpleName() + "Inputs").resolve(method);
            Files.createDirectories(dir);
            for (Map.Entry<String, byte[]> seed : seeds.entrySet()) {
                Files.write(dir.resolve("seed-" + seed.getKey()), seed.getValue());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
