package org.trustfleet.core;

import java.sql.Timestamp;
import java.time.Instant;
import java.time.OffsetDateTime;

/**
 * Values of native-query result columns, whose Java type depends on the JDBC driver and Hibernate version: one place
 * that knows every form a {@code timestamptz} arrives in.
 */
public final class NativeColumns {
    private NativeColumns() {
    }

    /** A {@code timestamptz} column as an instant; null stays null. */
    public static Instant instant(Object value) {
        return switch (value) {
            case null -> null;
            case Instant i -> i;
            case Timestamp t -> t.toInstant();
            case OffsetDateTime o -> o.toInstant();
            default -> throw new IllegalStateException("unexpected timestamp type " + value.getClass());
        };
    }
}
