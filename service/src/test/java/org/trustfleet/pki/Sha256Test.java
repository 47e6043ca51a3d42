package org.trustfleet.pki;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Locale;
import org.junit.jupiter.api.Test;

/** The one rule for reading certificate ids. */
class Sha256Test {
    static final String ID = TestPki.root("Sha256 Test Root").sha256();

    @Test
    void eitherCaseReadsAsTheLowercaseId() {
        assertThat(Sha256.parse(ID)).contains(ID);
        assertThat(Sha256.parse(ID.toUpperCase(Locale.ROOT))).contains(ID);
        assertThat(Sha256.parse(ID.substring(0, 32) + ID.substring(32).toUpperCase(Locale.ROOT))).contains(ID);
    }

    @Test
    void anythingElseIsNotAnId() {
        for (String bad : new String[] {null, "", ID.substring(1), ID + "0", " " + ID, ID + "\n",
                ID.substring(0, 63) + "g", String.join(":", ID.split("(?<=\\G..)"))}) {
            assertThat(Sha256.parse(bad)).as(String.valueOf(bad)).isEmpty();
            assertThat(Sha256.isId(bad)).isFalse();
        }
    }
}
