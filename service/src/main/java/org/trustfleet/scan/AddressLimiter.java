package org.trustfleet.scan;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;

/**
 * Politeness per target: at most a fixed number of probes at once against one IP address, however many endpoints
 * (ports, names) lead to it. Addresses with no probe under way hold no memory.
 */
final class AddressLimiter {

    /** A held slot; closing it gives the slot back. */
    interface Slot extends AutoCloseable {
        @Override
        void close();
    }

    private static final class Entry {
        final Semaphore permits;
        /** Probes holding or waiting for a permit; changed only inside the map's compute, so under its lock. */
        int users;

        Entry(int permits) {
            this.permits = new Semaphore(permits, true);
        }
    }

    private final int perAddress;
    private final Map<String, Entry> entries = new ConcurrentHashMap<>();

    AddressLimiter(int perAddress) {
        if (perAddress < 1) {
            throw new IllegalArgumentException("trustfleet.scanner.max-probes-per-address must be at least 1: "
                    + perAddress);
        }
        this.perAddress = perAddress;
    }

    /** Waits for a slot of this address (an IP address in text form, or a host name that did not resolve). */
    Slot acquire(String address) {
        Entry entry = entries.compute(address, (key, existing) -> {
            Entry e = existing == null ? new Entry(perAddress) : existing;
            e.users++;
            return e;
        });
        entry.permits.acquireUninterruptibly();
        return () -> {
            entry.permits.release();
            entries.computeIfPresent(address, (key, e) -> --e.users == 0 ? null : e);
        };
    }

    /** Addresses with a probe under way or waiting (for tests and metrics). */
    int addressesInUse() {
        return entries.size();
    }
}
