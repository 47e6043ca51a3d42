package org.trustfleet.policy;

import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.trustfleet.pki.StoreIndex;

/**
 * The device stores a group's requirements are computed for, from the platform's states and the stores the group's
 * devices reported (pure: the engine's input, table-tested). A level without an observed store keeps the platform's
 * states whatever the source.
 */
public final class StoreSelection {
    private StoreSelection() {}

    /**
     * @param observed per API level, the stores the group's devices reported there ({@link StoreIndex.State} with
     *                 {@code observed} true), each holding the certificates of its ids that are known
     */
    public static StoreIndex select(StoreIndex platform, StoreSource source, Map<Integer, List<StoreIndex.State>> observed) {
        if (source == StoreSource.BUNDLED || observed.isEmpty()) {
            return platform;
        }
        Map<Integer, List<StoreIndex.State>> states = new TreeMap<>(platform.allStates());
        observed.forEach((level, stores) -> {
            if (stores.isEmpty()) {
                return;
            }
            List<StoreIndex.State> chosen = new ArrayList<>();
            if (source == StoreSource.BOTH) {
                chosen.addAll(states.getOrDefault(level, List.of()));
            }
            chosen.addAll(stores);
            states.put(level, List.copyOf(chosen));
        });
        // every platform certificate stays a candidate to deliver, also where an observed store replaced the level
        List<X509Certificate> platformCertificates = platform.union();
        return StoreIndex.ofStates(states, platformCertificates);
    }
}
