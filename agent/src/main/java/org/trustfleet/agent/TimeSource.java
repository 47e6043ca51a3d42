package org.trustfleet.agent;

/**
 * The agent's clock, in milliseconds since the epoch: an interface instead of {@code java.time.Clock}, which Android
 * only has from API 26. On the JVM a {@code Clock} adapts as {@code clock::millis}.
 */
public interface TimeSource {

    /** The system clock. */
    TimeSource SYSTEM = System::currentTimeMillis;

    /** Now, in milliseconds since 1970-01-01T00:00:00Z. */
    long currentTimeMillis();
}
