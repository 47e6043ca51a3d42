package org.trustfleet.scan;

import jakarta.enterprise.context.Dependent;
import java.util.UUID;
import org.jboss.logging.Logger;
import org.quartz.DisallowConcurrentExecution;
import org.quartz.Job;
import org.quartz.JobExecutionContext;
import org.quartz.SchedulerException;

/**
 * One scheduled scan of one endpoint, run by whichever replica's Quartz acquired the trigger. One firing of an
 * endpoint at a time across the cluster: a scan that outlasts its interval (short intervals on an overloaded
 * cluster) blocks the next firing instead of doubling the load. When the endpoint turned silent or answered again,
 * the job records it on its trigger ({@link ScanScheduler#expect}) for the next firings.
 */
@Dependent
@DisallowConcurrentExecution
public class ScanJob implements Job {
    private static final Logger LOG = Logger.getLogger(ScanJob.class);
    private final ScanService scans;
    private final ScanScheduler scheduler;

    public ScanJob(ScanService scans, ScanScheduler scheduler) {
        this.scans = scans;
        this.scheduler = scheduler;
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
            Responsiveness expected = ScanScheduler.expected(context.getTrigger());
            scans.scanScheduled(endpointId, context.getScheduledFireTime().toInstant(), instance, expected)
                    .filter(answered -> answered != expected)
                    .ifPresent(answered -> expect(endpointId, answered));
        } finally {
            // Quartz's bookkeeping of this firing follows; wait for a turn without holding a connection
            VirtualThreadPool.awaitBookkeepingTurn();
        }
    }

    private void expect(UUID endpointId, Responsiveness answered) {
        try {
            scheduler.expect(endpointId, answered);
        } catch (RuntimeException e) {
            // the scan is stored; only the order of the endpoint's next firings among others due with it is stale
            LOG.warnf(e, "The schedule of endpoint %s could not record that it is now %s", endpointId, answered);
        }
    }
}
