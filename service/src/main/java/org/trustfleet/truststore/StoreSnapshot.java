package org.trustfleet.truststore;

import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.trustfleet.pki.Sha256;
import org.trustfleet.pki.StoreIndex;

/**
 * The platform stores in force at one moment: every store, the one store that names each API level (an operator's
 * store for that level, else the bundled store of its first release), every state of each level that is judged, and
 * the one indexed view of those ({@link #index()}) that scans and the policy engine judge chains with: a level's
 * store there is what all its states hold, so a root removed by a security update counts as untrusted on that level.
 */
public final class StoreSnapshot {
    private final List<PlatformStore> all;
    private final SortedMap<Integer, PlatformStore> effective;
    private final SortedMap<Integer, List<PlatformStore>> states;
    private final List<X509Certificate> union;
    private final long version;
    private final StoreIndex index;

    StoreSnapshot(List<PlatformStore> bundled, List<PlatformStore> operator, long version) {
        this.version = version;
        List<PlatformStore> stores = new ArrayList<>(bundled);
        stores.addAll(operator);
        this.all = List.copyOf(stores);
        SortedMap<Integer, PlatformStore> byLevel = new TreeMap<>();
        for (PlatformStore store : bundled) {
            PlatformStore current = byLevel.get(store.apiLevel());
            // the plain api-NN store is the level's first release; later patch states only stand in when alone
            if (current == null || store.name().equals("api-" + store.apiLevel())) {
                byLevel.put(store.apiLevel(), store);
            }
        }
        for (PlatformStore store : operator) {
            byLevel.put(store.apiLevel(), store);
        }
        this.effective = Collections.unmodifiableSortedMap(byLevel);
        Map<String, X509Certificate> roots = new LinkedHashMap<>();
        for (PlatformStore store : stores) {
            for (X509Certificate certificate : store.certificates()) {
                roots.putIfAbsent(Sha256.of(certificate), certificate);
            }
        }
        this.union = List.copyOf(roots.values());
        // every bundled state of a level is judged (first release first), unless an operator store replaces the level
        SortedMap<Integer, List<PlatformStore>> byLevelStates = new TreeMap<>();
        for (PlatformStore store : bundled) {
            List<PlatformStore> states = byLevelStates.computeIfAbsent(store.apiLevel(), k -> new ArrayList<>());
            if (store.name().equals("api-" + store.apiLevel())) {
                states.add(0, store);
            } else {
                states.add(store);
            }
        }
        for (PlatformStore store : operator) {
            byLevelStates.put(store.apiLevel(), new ArrayList<>(List.of(store)));
        }
        SortedMap<Integer, List<PlatformStore>> frozen = new TreeMap<>();
        SortedMap<Integer, List<StoreIndex.State>> indexStates = new TreeMap<>();
        byLevelStates.forEach((level, states) -> {
            frozen.put(level, List.copyOf(states));
            indexStates.put(level, states.stream()
                    .map(st -> new StoreIndex.State(st.name(), st.certificates())).toList());
        });
        this.states = Collections.unmodifiableSortedMap(frozen);
        this.index = StoreIndex.ofStates(indexStates);
    }

    /**
     * A snapshot outside the service (the {@code check} command): {@code bundled} stores stand for their level unless an
     * {@code operator} store of the same level replaces it, as in {@link TrustStoreService#snapshot()}.
     */
    public static StoreSnapshot of(List<PlatformStore> bundled, List<PlatformStore> operator) {
        return new StoreSnapshot(bundled, operator, 0);
    }

    /**
     * Every judged state of each API level, indexed for judging chains (built once per snapshot): a level's store there
     * is what all its states hold.
     */
    public StoreIndex index() {
        return index;
    }

    /** Every store, bundled first, including the patch states that do not stand for their level. */
    public List<PlatformStore> all() {
        return all;
    }

    /** API level → the store that stands for it, in ascending level order. */
    public SortedMap<Integer, PlatformStore> byApiLevel() {
        return effective;
    }

    /**
     * API level → every state of it that is judged, first release first: the bundled states (first release and
     * later security or mainline updates), or the operator's store alone when it replaces the level.
     */
    public SortedMap<Integer, List<PlatformStore>> statesByApiLevel() {
        return states;
    }

    /** Every certificate of every store: roots that some Android version trusts, candidates to install. */
    public List<X509Certificate> allStoreCertificates() {
        return union;
    }

    /** A new value (in this process) whenever the stores in force change, so that derived results are recomputed. */
    public long version() {
        return version;
    }
}
