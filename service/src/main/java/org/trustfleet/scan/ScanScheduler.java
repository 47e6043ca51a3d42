package org.trustfleet.scan;

import jakarta.enterprise.context.ApplicationScoped;
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
import org.trustfleet.core.ErrorKind;
import org.trustfleet.core.TrustfleetConfig;
import org.trustfleet.core.TrustfleetException;

/**
 * Keeps one Quartz job per endpoint in the clustered JDBC job store, so that each scheduled scan runs once across
 * all replicas and a dead replica's scans are recovered by the others. Called inside the endpoint's transaction
 * (the job store joins it), so an endpoint and its schedule are written together or not at all.
 */
@ApplicationScoped
public class ScanScheduler {
    static final String GROUP = "endpoint-scans";
    static final String ENDPOINT_ID = "endpointId";

    private final Scheduler quartz;
    private final TrustfleetConfig config;
    private final Clock clock;

    public ScanScheduler(Scheduler quartz, TrustfleetConfig config, Clock clock) {
        this.quartz = quartz;
        this.config = config;
        this.clock = clock;
    }

    /** Creates or replaces the endpoint's schedule. */
    public void schedule(UUID endpointId, int intervalMinutes) {
        long intervalMillis = config.scanner().intervalUnit().toMillis() * intervalMinutes;
        JobDetail job = JobBuilder.newJob(ScanJob.class).withIdentity(key(endpointId))
                .usingJobData(ENDPOINT_ID, endpointId.toString())
                .requestRecovery(true)
                .build();
        Trigger trigger = TriggerBuilder.newTrigger().withIdentity(endpointId.toString(), GROUP).forJob(job)
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
}
