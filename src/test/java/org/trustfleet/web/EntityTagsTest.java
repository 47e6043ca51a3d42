package org.trustfleet.web;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** If-None-Match evaluation per RFC 9110 (weak comparison, lists, *). */
class EntityTagsTest {
    @Test
    void matchesListsWeakTagsAndStar() {
        String tag = "ab12";
        assertThat(EntityTags.noneMatchFails(null, tag)).isFalse();
        assertThat(EntityTags.noneMatchFails("\"ab12\"", tag)).isTrue();
        assertThat(EntityTags.noneMatchFails("W/\"ab12\"", tag)).isTrue();
        assertThat(EntityTags.noneMatchFails("\"x\", W/\"y\",\"ab12\"", tag)).isTrue();
        assertThat(EntityTags.noneMatchFails(" * ", tag)).isTrue();
        assertThat(EntityTags.noneMatchFails("\"ab1\"", tag)).isFalse();
        assertThat(EntityTags.noneMatchFails("\"ab123\"", tag)).isFalse();
        assertThat(EntityTags.noneMatchFails("ab12", tag)).as("unquoted is malformed").isFalse();
        assertThat(EntityTags.noneMatchFails("\"ab12", tag)).isFalse();
        assertThat(EntityTags.noneMatchFails("", tag)).isFalse();
    }
}
