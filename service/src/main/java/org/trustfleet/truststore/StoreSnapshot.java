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
 * The platform stores in force at one moment: every store, and the one store that stands for each API level
 * (an operator's store for that level, else the bundled store of its first release), and the one indexed view of
 * those ({@link #index()}) that scans and the policy engine judge chains with.
 */
public final class StoreSnapshot {
    private final List<PlatformStore> all;
    private final SortedMap<Integer, PlatformStore> effective;
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
        SortedMap<Integer, List<X509Certificate>> effectiveCertificates = new TreeMap<>();
        effective.forEach((level, store) -> effectiveCertificates.put(level, store.certificates()));
        this.index = StoreIndex.of(effectiveCertificates);
    }

    /**
     * A snapshot outside the service (the {@code check} command): {@code bundled} stores stand for their level unless an
     * {@code operator} store of the same level replaces it, as in {@link TrustStoreService#snapshot()}.
     */
    public static StoreSnapshot of(List<PlatformStore> bundled, List<PlatformStore> operator) {
        return new StoreSnapshot(bundled, operator, 0);
    }

    /** The stores that stand for each API level, indexed for judging chains (built once per snapshot). */
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

    /** Every certificate of every store: roots that some Android version trusts, candidates to install. */
    public List<X509Certificate> allStoreCertificates() {
        return union;
    }

    /** A new value (in this process) whenever the stores in force change, so that derived results are recomputed. */
    public long version() {
        return version;
    }
}
