package org.trustfleet.scan;

import jakarta.enterprise.context.Dependent;
import java.util.UUID;
import org.quartz.Job;
import org.quartz.JobExecutionContext;
import org.quartz.SchedulerException;

/**
 * One scheduled scan of one endpoint, run by whichever replica's Quartz acquired the trigger.
 *
 * <p>Not {@code @DisallowConcurrentExecution}: that costs the clustered store several more statements per firing
 * under its cluster-wide lock (blocking and unblocking the job's triggers, checking for a blocked state), the lock
 * every firing and every job completion of every replica goes through, and it guards only against a scan outlasting
 * its interval (at least a minute; a scan is bounded by its timeouts). Two firings of one endpoint never overlap on
 * one replica ({@link ScanService#scanScheduled}).
 */
@Dependent
public class ScanJob implements Job {
    private final ScanService scans;

    public ScanJob(ScanService scans) {
        this.scans = scans;
    }

    @Override
    public void execute(JobExecutionContext context) {
        UUID endpointId = UUID.fromString(context.getMergedJobDataMap().getString(ScanScheduler.ENDPOINT_ID));
        String instance;
        try {
            instance = context.getScheduler().getSchedulerInstanceId();
        } catch (SchedulerException e) {
            instance = "unknown";
        }
        try {
            scans.scanScheduled(endpointId, context.getScheduledFireTime().toInstant(), instance);
        } finally {
            // Quartz's bookkeeping of this firing follows; wait for a turn without holding a connection
            VirtualThreadPool.awaitBookkeepingTurn();
        }
    }
}
