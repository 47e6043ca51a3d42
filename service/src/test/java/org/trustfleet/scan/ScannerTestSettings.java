package org.trustfleet.scan;

import io.quarkus.runtime.configuration.DurationConverter;
import io.quarkus.runtime.configuration.MemorySize;
import io.quarkus.runtime.configuration.MemorySizeConverter;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.time.Duration;
import java.util.Map;
import org.trustfleet.core.TrustfleetConfig;

/**
 * Scanner settings for plain JUnit tests, read through the real {@code trustfleet.*} config mapping, so a test
 * states only what it changes and the defaults come from the one place production reads them.
 */
final class ScannerTestSettings {

    private ScannerTestSettings() {
    }

    /**
     * @param properties {@code trustfleet.scanner.*} keys without that prefix (e.g. {@code aia-timeout}) and their
     *                   values as they would be written in application.properties
     */
    static ScannerSettings with(Map<String, String> properties) {
        return ScannerSettings.of(config(properties).scanner());
    }

    /** The whole mapping with the given {@code trustfleet.scanner.*} overrides. */
    static TrustfleetConfig config(Map<String, String> scannerProperties) {
        Map<String, String> prefixed = new java.util.HashMap<>();
        scannerProperties.forEach((k, v) -> prefixed.put("trustfleet.scanner." + k, v));
        SmallRyeConfig config = new SmallRyeConfigBuilder()
                .withMapping(TrustfleetConfig.class)
                .withConverter(Duration.class, 100, new DurationConverter())
                .withConverter(MemorySize.class, 100, new MemorySizeConverter())
                .withSources(new PropertiesConfigSource(prefixed, "scanner-test", 500))
                .build();
        return config.getConfigMapping(TrustfleetConfig.class);
    }
}
