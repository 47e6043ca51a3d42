package org.trustfleet.cli;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;
import org.trustfleet.agent.ReferenceAgent;
import org.trustfleet.agent.jvm.JvmAgents;

/**
 * The demo's simulated devices: one reference agent per device, in this process, each with its own state and CA
 * directory, syncing on an interval as a device-policy controller would.
 */
final class DemoDevices implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(DemoDevices.class);

    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(task -> {
        Thread thread = new Thread(task, "demo-agents");
        thread.setDaemon(true);
        return thread;
    });

    /**
     * Enrolls a device of {@code apiLevel} with {@code enrollmentToken} and syncs it now and then every
     * {@code interval}. Its state and CA store live under {@code dir}.
     */
    void enroll(String baseUrl, String enrollmentToken, String hardwareId, int apiLevel, Path dir,
            Duration interval) {
        ReferenceAgent agent = JvmAgents.create(dir.resolve("state"), dir.resolve("ca"));
        agent.enroll(baseUrl, enrollmentToken, hardwareId, apiLevel);
        timer.scheduleWithFixedDelay(() -> sync(agent, hardwareId), 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    private static void sync(ReferenceAgent agent, String hardwareId) {
        try {
            agent.sync();
        } catch (RuntimeException e) {
            // the next round retries, as a device would; a stopping service answers nothing for a moment
            LOG.debugf("demo device %s: sync failed: %s", hardwareId, e.getMessage());
        }
    }

    @Override
    public void close() throws InterruptedException {
        timer.shutdownNow();
        timer.awaitTermination(5, TimeUnit.SECONDS);
    }
}
