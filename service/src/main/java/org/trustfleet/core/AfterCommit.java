package org.trustfleet.core;

import jakarta.transaction.Status;
import jakarta.transaction.Synchronization;
import jakarta.transaction.TransactionSynchronizationRegistry;

/**
 * Runs an action once the current JTA transaction has committed, never after a rollback: what a replica keeps in
 * memory (a remembered row, a cache invalidation) must not get ahead of what the database holds.
 */
public final class AfterCommit {
    private AfterCommit() {
    }

    /**
     * Registers {@code action} to run after the active transaction commits; with no active transaction it runs at
     * once (there is nothing to wait for).
     */
    public static void run(TransactionSynchronizationRegistry transactions, Runnable action) {
        if (transactions.getTransactionStatus() != Status.STATUS_ACTIVE) {
            action.run();
            return;
        }
        transactions.registerInterposedSynchronization(new Synchronization() {
            @Override
            public void beforeCompletion() {
                // nothing to flush: the caller's rows are already written
            }

            @Override
            public void afterCompletion(int status) {
                if (status == Status.STATUS_COMMITTED) {
                    action.run();
                }
            }
        });
    }
}
