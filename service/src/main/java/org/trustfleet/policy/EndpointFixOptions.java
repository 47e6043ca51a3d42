package org.trustfleet.policy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;

/**
 * One endpoint's fix options, group-independent: per API level, trusted, fixable (every single certificate that would
 * fix it, most preferred first) or unresolved, and the certificates the fixes name. Immutable and thread-safe.
 *
 * <p>It is a function of the observation, the stores, the tenant anchors, the shared candidate pool and the instant
 * it was computed at (candidates and the leaf are judged valid or not at that instant). A cache of it must key on all
 * of these, or drop entries when one changes; the pool matters only through certificates whose subject is in
 * {@link #openIssuers()}. {@code RequirementsService} keys the instant by its UTC day, so a certificate that expires
 * during a day is seen as expired by the first recompute of the next day at the latest.
 */
public final class EndpointFixOptions {

    /** Levels sharing one outcome instance, so stage 2 handles each distinct outcome once. */
    record Run(LevelOutcome outcome, int[] levels) {
    }

    private final UUID endpointId;
    private final SortedMap<Integer, LevelOutcome> levels;
    private final Map<String, KnownCertificate> certificates;
    private final Set<String> openIssuers;
    private final List<Run> runs;

    /**
     * @param openIssuers RFC 2253 issuer names above the leaf and the presented certificates reachable from it: only
     *                    certificates with one of these subjects can ever be a fix for this endpoint
     */
    public EndpointFixOptions(UUID endpointId, SortedMap<Integer, LevelOutcome> levels,
            Map<String, KnownCertificate> certificates, Set<String> openIssuers) {
        this.endpointId = Objects.requireNonNull(endpointId);
        this.levels = Collections.unmodifiableSortedMap(new TreeMap<>(levels));
        this.certificates = Collections.unmodifiableMap(new TreeMap<>(certificates));
        this.openIssuers = Collections.unmodifiableSet(new TreeSet<>(openIssuers));
        Map<LevelOutcome, List<Integer>> byOutcome = new IdentityHashMap<>();
        List<LevelOutcome> order = new ArrayList<>();
        this.levels.forEach((level, o) -> byOutcome.computeIfAbsent(o, k -> {
            order.add(k);
            return new ArrayList<>();
        }).add(level));
        List<Run> r = new ArrayList<>(order.size());
        for (LevelOutcome o : order) {
            r.add(new Run(o, byOutcome.get(o).stream().mapToInt(Integer::intValue).toArray()));
        }
        this.runs = List.copyOf(r);
    }

    public UUID endpointId() {
        return endpointId;
    }

    /** Outcome per API level, ascending. */
    public SortedMap<Integer, LevelOutcome> levels() {
        return levels;
    }

    /** Every certificate a fix names, by fingerprint, with role and subject precomputed. */
    public Map<String, KnownCertificate> certificates() {
        return certificates;
    }

    /** Issuer names (RFC 2253) a fix for this endpoint must carry as subject; the cache-invalidation key. */
    public Set<String> openIssuers() {
        return openIssuers;
    }

    /** The outcome on {@code apiLevel}, or null when no store of that level was analysed. */
    public LevelOutcome level(int apiLevel) {
        return levels.get(apiLevel);
    }

    List<Run> runs() {
        return runs;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof EndpointFixOptions a && endpointId.equals(a.endpointId) && levels.equals(a.levels)
                && certificates.equals(a.certificates) && openIssuers.equals(a.openIssuers);
    }

    @Override
    public int hashCode() {
        return Objects.hash(endpointId, levels, certificates, openIssuers);
    }

    @Override
    public String toString() {
        return "EndpointFixOptions[" + endpointId + ", " + levels + "]";
    }
}
