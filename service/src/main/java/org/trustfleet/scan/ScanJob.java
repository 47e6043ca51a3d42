package org.trustfleet.scan;

import jakarta.enterprise.context.Dependent;
import java.util.UUID;
import org.quartz.DisallowConcurrentExecution;
import org.quartz.Job;
import org.quartz.JobExecutionContext;
import org.quartz.SchedulerException;

/**
 * One scheduled scan of one endpoint, run by whichever replica's Quartz acquired the trigger. One firing of an
 * endpoint at a time across the cluster: a scan that outlasts its interval (short intervals on an overloaded
 * cluster) blocks the next firing instead of doubling the load.
 */
@Dependent
@DisallowConcurrentExecution
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
