package org.trustfleet.scan;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.time.Clock;
import java.time.Instant;
import java.util.Date;
import java.util.Set;
import java.util.UUID;
import org.quartz.JobBuilder;
import org.quartz.JobDetail;
import org.quartz.JobKey;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.SimpleScheduleBuilder;
import org.quartz.Trigger;
import org.quartz.TriggerBuilder;
import org.quartz.TriggerKey;
import org.trustfleet.core.ErrorKind;
import org.trustfleet.core.TrustfleetConfig;
import org.trustfleet.core.TrustfleetException;

/**
 * Keeps one Quartz job per endpoint in the clustered JDBC job store, so that each scheduled scan runs once across
 * all replicas and a dead replica's scans are recovered by the others. Called inside the endpoint's transaction
 * (the job store joins it), so an endpoint and its schedule are written together or not at all.
 *
 * <p>The trigger's priority says how the endpoint answered its last scheduled scan ({@link Responsiveness}). Quartz
 * fires the triggers due at the same instant in priority order, so when a whole fleet is due at once (the first sweep
 * after an outage, many endpoints created together) the silent endpoints start first, within their own limit
 * ({@link ScanLimits#silentScan}), and their timeouts overlap the rest of the sweep. Started last, in arbitrary
 * order, the last of them would end the sweep one handshake timeout after everything else. At other times the
 * priority changes nothing: triggers due at different instants fire in time order.
 */
@ApplicationScoped
public class ScanScheduler {
    static final String GROUP = "endpoint-scans";
    static final String ENDPOINT_ID = "endpointId";
    /** Quartz's default: an endpoint that answered, or one never scanned. */
    static final int ANSWERED_PRIORITY = Trigger.DEFAULT_PRIORITY;
    static final int SILENT_PRIORITY = Trigger.DEFAULT_PRIORITY + 1;

    private final Scheduler quartz;
    private final TrustfleetConfig config;
    private final Clock clock;

    public ScanScheduler(Scheduler quartz, TrustfleetConfig config, Clock clock) {
        this.quartz = quartz;
        this.config = config;
        this.clock = clock;
    }

    /**
     * Creates or replaces the endpoint's schedule. {@code sameTarget}: the endpoint is still probed at the same
     * address, name and protocol (an update of its name or interval), so what its last scheduled scan showed of its
     * responsiveness still holds and is kept; a new endpoint, or one now probed elsewhere, starts as answered.
     */
    public void schedule(UUID endpointId, int intervalMinutes, boolean sameTarget) {
        long intervalMillis = config.scanner().intervalUnit().toMillis() * intervalMinutes;
        JobDetail job = JobBuilder.newJob(ScanJob.class).withIdentity(key(endpointId))
                .usingJobData(ENDPOINT_ID, endpointId.toString())
                .requestRecovery(true)
                .build();
        Trigger trigger = TriggerBuilder.newTrigger().withIdentity(triggerKey(endpointId)).forJob(job)
                .withPriority(sameTarget ? priority(endpointId) : ANSWERED_PRIORITY)
                .startAt(Date.from(Instant.now(clock).plus(config.scanner().firstScanDelay())))
                .withSchedule(SimpleScheduleBuilder.simpleSchedule().withIntervalInMilliseconds(intervalMillis)
                        // a firing that could not start within the misfire threshold (a fleet due at once, a
                        // replica that was down) runs as soon as a worker is free: a late scan, never a skipped one
                        .repeatForever().withMisfireHandlingInstructionNowWithExistingCount())
                .build();
        try {
            quartz.scheduleJob(job, Set.of(trigger), true);
        } catch (SchedulerException e) {
            throw new TrustfleetException(ErrorKind.UNAVAILABLE, "the scan schedule could not be stored", e);
        }
    }

    /** The endpoint's trigger's priority, or the answered one when it has none. */
    private int priority(UUID endpointId) {
        try {
            Trigger current = quartz.getTrigger(triggerKey(endpointId));
            return current == null ? ANSWERED_PRIORITY : current.getPriority();
        } catch (SchedulerException e) {
            throw new TrustfleetException(ErrorKind.UNAVAILABLE, "the scan schedule could not be read", e);
        }
    }

    /** What a firing of {@code trigger} expects of its endpoint, from the trigger's priority. */
    static Responsiveness expected(Trigger trigger) {
        return trigger.getPriority() >= SILENT_PRIORITY ? Responsiveness.SILENT : Responsiveness.ANSWERED;
    }

    /**
     * Records how the endpoint answered its last scheduled scan in its trigger's priority, keeping the trigger's next
     * firing and interval. Called by the endpoint's job while it runs, only when the answer changed; a trigger that
     * is gone (endpoint deleted) or already says so is left alone.
     */
    @Transactional
    public void expect(UUID endpointId, Responsiveness responsiveness) {
        int priority = responsiveness == Responsiveness.SILENT ? SILENT_PRIORITY : ANSWERED_PRIORITY;
        TriggerKey key = triggerKey(endpointId);
        try {
            Trigger current = quartz.getTrigger(key);
            if (current == null || current.getPriority() == priority || current.getNextFireTime() == null) {
                return;
            }
            // the same schedule from its next firing on; the job's next firings see the new priority
            quartz.rescheduleJob(key, current.getTriggerBuilder().withPriority(priority)
                    .startAt(current.getNextFireTime()).build());
        } catch (SchedulerException e) {
            throw new TrustfleetException(ErrorKind.UNAVAILABLE, "the scan schedule could not be updated", e);
        }
    }

    public void unschedule(UUID endpointId) {
        try {
            quartz.deleteJob(key(endpointId));
        } catch (SchedulerException e) {
            throw new TrustfleetException(ErrorKind.UNAVAILABLE, "the scan schedule could not be removed", e);
        }
    }

    private static JobKey key(UUID endpointId) {
        return JobKey.jobKey(endpointId.toString(), GROUP);
    }

    private static TriggerKey triggerKey(UUID endpointId) {
        return TriggerKey.triggerKey(endpointId.toString(), GROUP);
    }
}
