package org.trustfleet.scan;

import java.time.Duration;

/**
 * What one scan may still spend on AIA: one deadline and a number of network fetches, shared by every certificate the
 * scan completes, so that a certificate issuer who writes twenty slow caIssuers URLs (or a chain of twenty
 * certificates) cannot make a scan wait or connect more than this. Cache hits and URLs that are not fetched
 * (unsupported scheme, malformed) cost nothing.
 *
 * <p>Thread-safe; one budget belongs to one scan.
 */
public final class AiaBudget {
    private final long deadlineNanos;
    private final int maxFetches;
    private final int maxFetchesPerHop;
    private final Duration total;
    private int used;

    AiaBudget(ScannerSettings.AiaLimits limits) {
        this.total = limits.scanDeadline();
        this.deadlineNanos = System.nanoTime() + limits.scanDeadline().toNanos();
        this.maxFetches = limits.maxFetchesPerScan();
        this.maxFetchesPerHop = limits.maxFetchesPerHop();
    }

    /** Network fetches taken so far. */
    public synchronized int used() {
        return used;
    }

    /** The allowance of one hop (the issuer of one certificate): the scan's budget and the per-hop count. */
    Hop hop() {
        return new Hop();
    }

    /** Why nothing more may be fetched, or {@code null} while something may. */
    private synchronized String exhausted(int usedThisHop) {
        if (System.nanoTime() - deadlineNanos >= 0) {
            return "this scan's AIA time (" + total.toMillis() + " ms) is used up";
        }
        if (used >= maxFetches) {
            return "this scan already fetched " + maxFetches + " caIssuers URL(s), its limit";
        }
        if (usedThisHop >= maxFetchesPerHop) {
            return "the issuer of this certificate was already looked up at " + maxFetchesPerHop
                    + " caIssuers URL(s), the limit per certificate";
        }
        return null;
    }

    /** One hop's share of the budget. */
    final class Hop {
        private int usedThisHop;

        /**
         * Takes one network fetch; returns {@code null} when taken, else why not (a fixed sentence fragment).
         */
        String take() {
            synchronized (AiaBudget.this) {
                String why = exhausted(usedThisHop);
                if (why == null) {
                    used++;
                    usedThisHop++;
                }
                return why;
            }
        }

        /** The scan's AIA deadline, on the {@link System#nanoTime()} scale. */
        long deadlineNanos() {
            return deadlineNanos;
        }
    }
}
