package org.trustfleet.policy;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.TransactionPhase;
import java.util.List;
import java.util.UUID;
import java.util.function.Supplier;
import io.quarkus.narayana.jta.QuarkusTransaction;
import org.jboss.logging.Logger;
import org.trustfleet.scan.EndpointService;
import org.trustfleet.scan.ObservationChanged;
import org.trustfleet.truststore.AnchorService;
import org.trustfleet.truststore.TrustStoreService;

/**
 * Recomputes requirements after the change that makes them stale has committed, and only for the groups it
 * affects: a scan → the groups that must reach that endpoint; a group change → that group; a tenant's anchors or
 * endpoints → that tenant's groups; a platform store → every group, through the {@link RecomputeSweep} queue (tens
 * of thousands of groups, computed in the background and in parallel); a device's observed store → its group, when
 * that group computes for observed stores. A deleted endpoint has already left the groups
 * that named it (foreign key, {@code device_group_endpoint}) when its change is observed, so they are recomputed
 * without it; one that named only deleted endpoints then covers none and says so.
 */
@ApplicationScoped
public class RecomputeTriggers {
    private static final Logger LOG = Logger.getLogger(RecomputeTriggers.class);

    private final RequirementsService requirements;
    private final DeviceGroupService groups;
    private final RecomputeSweep sweep;

    public RecomputeTriggers(RequirementsService requirements, DeviceGroupService groups, RecomputeSweep sweep) {
        this.requirements = requirements;
        this.groups = groups;
        this.sweep = sweep;
    }

    void onScan(@Observes(during = TransactionPhase.AFTER_SUCCESS) ObservationChanged event) {
        recompute(() -> groups.idsCovering(event.tenantId(), event.endpointId()));
    }

    void onGroup(@Observes(during = TransactionPhase.AFTER_SUCCESS) DeviceGroupService.GroupChanged event) {
        recompute(() -> List.of(event.groupId()));
    }

    void onAnchors(@Observes(during = TransactionPhase.AFTER_SUCCESS) AnchorService.AnchorsChanged event) {
        recompute(() -> groups.idsOfTenant(event.tenantId()));
    }

    void onEndpoints(@Observes(during = TransactionPhase.AFTER_SUCCESS) EndpointService.EndpointsChanged event) {
        recompute(() -> groups.idsOfTenant(event.tenantId()));
    }

    void onObservedStores(@Observes(during = TransactionPhase.AFTER_SUCCESS) ObservedStoresChanged event) {
        recompute(() -> groups.storeSourceOf(event.groupId()).filter(s -> s != StoreSource.BUNDLED)
                .map(s -> List.of(event.groupId())).orElse(List.of()));
    }

    /**
     * Every group becomes pending in the store change's own transaction, while it runs: committed together or not at
     * all. Not at BEFORE_COMPLETION: by then the ORM session has handed its connection back, and the one this
     * statement took was still open when the transaction committed (the pool closed it, with a warning).
     */
    void markStores(@Observes TrustStoreService.TrustStoresChanged event) {
        sweep.requestAll();
    }

    void onStores(@Observes(during = TransactionPhase.AFTER_SUCCESS) TrustStoreService.TrustStoresChanged event) {
        sweep.wake();
    }

    /** Looks up the affected groups in a fresh transaction (the triggering one has just completed). */
    private void recompute(Supplier<List<UUID>> affected) {
        List<UUID> groupIds;
        try {
            groupIds = QuarkusTransaction.requiringNew().call(affected::get);
        } catch (RuntimeException e) {
            LOG.error("Finding the groups to recompute failed", e);
            return;
        }
        for (UUID groupId : groupIds) {
            try {
                requirements.recompute(groupId);
            } catch (RuntimeException e) {
                // the change itself is committed; the next trigger or read recomputes this group
                LOG.errorf(e, "Recomputing requirements of group %s failed", groupId);
            }
        }
    }
}
