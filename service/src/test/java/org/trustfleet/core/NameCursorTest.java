package org.trustfleet.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.UUID;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The name cursor reads back exactly what it wrote, whatever the name holds, and refuses anything else as 400. */
class NameCursorTest {

    @ParameterizedTest
    @ValueSource(strings = {"m10", "a.b.c", "Zürich STS", "名前", "emoji \uD83D\uDE00 4 bytes", " leading and trailing "})
    void roundTrips(String name) {
        NameCursor cursor = new NameCursor(name, UUID.randomUUID());
        String encoded = cursor.encode();
        assertThat(encoded).matches("[A-Za-z0-9_-]+"); // goes into a URL as it is
        assertThat(NameCursor.parse(encoded)).contains(cursor);
    }

    @org.junit.jupiter.api.Test
    void theLongestNameRoundTrips() {
        NameCursor cursor = new NameCursor("\u00e9".repeat(200), UUID.randomUUID()); // 400 bytes of UTF-8
        assertThat(cursor.encode()).hasSizeLessThanOrEqualTo(1200); // openapi.yaml: maxLength of 'after'
        assertThat(NameCursor.parse(cursor.encode())).contains(cursor);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " "})
    void absentIsTheFirstPage(String value) {
        assertThat(NameCursor.parse(value)).isEmpty();
        assertThat(NameCursor.parse(null)).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"not a cursor", "not-a-cursor", "AAAA", "%%%"})
    void garbageIsAValidationError(String value) {
        assertInvalid(value);
    }

    @ParameterizedTest
    @ValueSource(strings = {"3f2504e0-4f89-11d3-9a0c-0305e82c3301", "3f2504e0-4f89-11d3-9a0c-0305e82c3301x",
            "3F2504E0-4F89-11D3-9A0C-0305E82C3301.name", "3f2504e0-4f89-11d3-9a0c-0305e82c3301.a\u0000b",
            "0-0-0-0-0.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"})
    void decodedButNotMadeByTheServiceIsAValidationError(String text) {
        assertInvalid(Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.UTF_8)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"/w", "wOA"}) // 0xFF, 0xC0 0xE0...: not UTF-8
    void bytesThatAreNotUtf8AreAValidationError(String value) {
        assertInvalid(value);
    }

    private static void assertInvalid(String value) {
        assertThatThrownBy(() -> NameCursor.parse(value)).isInstanceOfSatisfying(TrustfleetException.class,
                e -> assertThat(e.kind() + ": " + e.getMessage())
                        .isEqualTo("VALIDATION: 'after' must be the cursor of a previous page (from its Link header)"));
    }
}
