package org.trustfleet.web;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** If-None-Match evaluation per RFC 9110 (weak comparison, lists, *). */
class EntityTagsTest {
    @Test
    void matchesListsWeakTagsAndStar() {
        String tag = "ab12";
        assertThat(EntityTags.matchesCurrent(null, tag)).isFalse();
        assertThat(EntityTags.matchesCurrent("\"ab12\"", tag)).isTrue();
        assertThat(EntityTags.matchesCurrent("W/\"ab12\"", tag)).isTrue();
        assertThat(EntityTags.matchesCurrent("\"x\", W/\"y\",\"ab12\"", tag)).isTrue();
        assertThat(EntityTags.matchesCurrent(" * ", tag)).isTrue();
        assertThat(EntityTags.matchesCurrent("\"ab1\"", tag)).isFalse();
        assertThat(EntityTags.matchesCurrent("\"ab123\"", tag)).isFalse();
        assertThat(EntityTags.matchesCurrent("ab12", tag)).as("unquoted is malformed").isFalse();
        assertThat(EntityTags.matchesCurrent("\"ab12", tag)).isFalse();
        assertThat(EntityTags.matchesCurrent("", tag)).isFalse();
    }
}
