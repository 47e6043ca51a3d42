package org.trustfleet.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The Android API 24 check is part of this module's build (animal-sniffer, process-classes, before any test runs):
 * removing it or pointing it at another level must be a deliberate change that fails here first.
 */
class AndroidApiCheckTest {

    @Test
    void buildChecksTheLibraryAgainstAndroidApi24() throws Exception {
        String pom = Files.readString(Path.of("pom.xml"), StandardCharsets.UTF_8);
        assertThat(pom).contains("<artifactId>animal-sniffer-maven-plugin</artifactId>")
                .contains("<artifactId>android-api-level-24</artifactId>")
                .contains("<phase>process-classes</phase>").contains("<goal>check</goal>")
                // org.json and the framework jar are checked against Android's API, not taken as they are
                .contains("<exclude>org.json:json</exclude>")
                .contains("<exclude>org.robolectric:android-all-instrumented</exclude>");
        assertThat(pom).doesNotContain("<skip>true</skip>");
    }
}
