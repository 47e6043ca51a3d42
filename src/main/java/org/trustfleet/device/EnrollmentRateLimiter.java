package org.trustfleet.device;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Counts failed enrollment attempts per client address in a sliding one-minute window. An address with
 * {@code maxFailures} failures in the last minute is blocked until the oldest of them is a minute old.
 *
 * <p>In memory and per process: N replicas allow up to N times the limit. The map is bounded: when it holds more
 * than {@link #MAX_ADDRESSES} addresses, those with no failure in the window are dropped.
 */
public final class EnrollmentRateLimiter {
    static final Duration WINDOW = Duration.ofMinutes(1);
    static final int MAX_ADDRESSES = 100_000;

    private final Clock clock;
    private final int maxFailures;
    private final Map<String, ArrayDeque<Instant>> failures = new ConcurrentHashMap<>();

    public EnrollmentRateLimiter(Clock clock, int maxFailures) {
        if (maxFailures < 1) {
            throw new IllegalArgumentException("maxFailures must be at least 1");
        }
        this.clock = clock;
        this.maxFailures = maxFailures;
    }

    /** How long the address must wait, or empty when it may try now. */
    public Optional<Duration> blockedFor(String address) {
        ArrayDeque<Instant> q = failures.get(address);
        if (q == null) {
            return Optional.empty();
        }
        Instant now = clock.instant();
        synchronized (q) {
            prune(q, now);
            if (q.size() < maxFailures) {
                return Optional.empty();
            }
            return Optional.of(Duration.between(now, q.peekFirst().plus(WINDOW)));
        }
    }

    /** Records one failed attempt of the address. */
    public void recordFailure(String address) {
        Instant now = clock.instant();
        if (failures.size() > MAX_ADDRESSES) {
            sweep(now);
        }
        ArrayDeque<Instant> q = failures.computeIfAbsent(address, a -> new ArrayDeque<>());
        synchronized (q) {
            prune(q, now);
            q.addLast(now);
            while (q.size() > maxFailures) {
                q.removeFirst();
            }
        }
    }

    private void sweep(Instant now) {
        for (Iterator<Map.Entry<String, ArrayDeque<Instant>>> it = failures.entrySet().iterator(); it.hasNext();) {
            ArrayDeque<Instant> q = it.next().getValue();
            synchronized (q) {
                prune(q, now);
                if (q.isEmpty()) {
                    it.remove();
                }
            }
        }
    }

    private static void prune(ArrayDeque<Instant> q, Instant now) {
        Instant cutoff = now.minus(WINDOW);
        while (!q.isEmpty() && !q.peekFirst().isAfter(cutoff)) {
            q.removeFirst();
        }
    }
}
