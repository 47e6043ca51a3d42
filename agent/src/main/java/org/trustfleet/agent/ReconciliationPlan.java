package org.trustfleet.agent;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * What one sync must do to the CA store, decided by a pure function of what the payload lists, what the agent owns
 * and what the store holds, so the reconciliation rules are tested as a table and the I/O only carries them out.
 *
 * <p>Rules: a listed certificate that is absent is installed; one already present is kept (whoever put it there);
 * one whose slot holds something else is rewritten when the agent owns it, else reported as a conflict and left
 * alone. An owned certificate the payload no longer lists is removed. Foreign certificates are never touched.
 */
public final class ReconciliationPlan {

    private final List<String> install;
    private final List<String> keep;
    private final List<String> remove;
    private final List<String> conflicts;
    private final List<String> journal;
    private final List<String> stillOwned;

    private ReconciliationPlan(List<String> install, List<String> keep, Set<String> remove, List<String> conflicts,
            Set<String> journal, Set<String> stillOwned) {
        this.install = freeze(install);
        this.keep = freeze(keep);
        this.remove = freeze(remove);
        this.conflicts = freeze(conflicts);
        this.journal = freeze(journal);
        this.stillOwned = freeze(stillOwned);
    }

    private static List<String> freeze(java.util.Collection<String> c) {
        return Collections.unmodifiableList(new ArrayList<String>(c));
    }

    /** Listed certificates to install, in payload order. */
    public List<String> install() { return install; }
    /** Listed certificates already present, in payload order. */
    public List<String> keep() { return keep; }
    /** Owned certificates no longer listed, sorted. */
    public List<String> remove() { return remove; }
    /** Listed certificates whose slot holds something the agent does not own, in payload order. */
    public List<String> conflicts() { return conflicts; }
    /**
     * The owned set to save before touching the store (owned plus {@code install}), sorted: if the process dies
     * mid-way, the next run still knows the certificates it may have installed are its own.
     */
    public List<String> journal() { return journal; }
    /** Owned certificates that stay owned without any write ({@code keep} that the agent owns), sorted. */
    public List<String> stillOwned() { return stillOwned; }

    /**
     * @param listed the SHA-256s the accepted payload lists, in payload order
     * @param owned  the SHA-256s this agent installed and still owns (from its state)
     * @param found  what the store holds for each listed SHA-256; a missing entry means {@code ABSENT}
     */
    public static ReconciliationPlan of(List<String> listed, Set<String> owned, Map<String, CaStore.Presence> found) {
        Set<String> wanted = new LinkedHashSet<String>(listed);
        List<String> install = new ArrayList<String>();
        List<String> keep = new ArrayList<String>();
        List<String> conflicts = new ArrayList<String>();
        for (String sha : wanted) {
            CaStore.Presence p = found.get(sha);
            switch (p == null ? CaStore.Presence.ABSENT : p) {
                case ABSENT:
                    install.add(sha);
                    break;
                case PRESENT:
                    keep.add(sha);
                    break;
                default: // CONFLICT: our own slot was damaged and is rewritten; someone else's is left alone
                    (owned.contains(sha) ? install : conflicts).add(sha);
                    break;
            }
        }
        Set<String> remove = new TreeSet<String>(owned);
        remove.removeAll(wanted);
        Set<String> journal = new TreeSet<String>(owned);
        journal.addAll(install);
        Set<String> stillOwned = new TreeSet<String>(keep);
        stillOwned.retainAll(owned);
        return new ReconciliationPlan(install, keep, remove, conflicts, journal, stillOwned);
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof ReconciliationPlan)) {
            return false;
        }
        ReconciliationPlan p = (ReconciliationPlan) o;
        return install.equals(p.install) && keep.equals(p.keep) && remove.equals(p.remove)
                && conflicts.equals(p.conflicts) && journal.equals(p.journal) && stillOwned.equals(p.stillOwned);
    }

    @Override
    public int hashCode() {
        return install.hashCode() * 31 + remove.hashCode();
    }

    @Override
    public String toString() {
        return "ReconciliationPlan[install=" + install + ", keep=" + keep + ", remove=" + remove + ", conflicts="
                + conflicts + ", journal=" + journal + ", stillOwned=" + stillOwned + "]";
    }
}
