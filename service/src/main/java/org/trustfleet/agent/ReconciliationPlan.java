package org.trustfleet.agent;

import java.util.ArrayList;
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
 * one whose file holds something else is rewritten when the agent owns that file, else reported as a conflict and
 * left alone. An owned certificate the payload no longer lists is removed. Foreign certificates are never touched.
 *
 * @param install    listed certificates to write, in payload order
 * @param keep       listed certificates already present, in payload order
 * @param remove     owned certificates no longer listed, sorted
 * @param conflicts  listed certificates whose file is occupied by something the agent does not own, in payload order
 * @param journal    the owned set to save before touching the store (owned plus {@code install}), sorted: if the
 *                   process dies mid-way, the next run still knows the files it may have written are its own
 * @param stillOwned owned certificates that stay owned without any write ({@code keep} that the agent owns), sorted
 */
public record ReconciliationPlan(List<String> install, List<String> keep, List<String> remove, List<String> conflicts,
        List<String> journal, List<String> stillOwned) {

    public ReconciliationPlan {
        install = List.copyOf(install);
        keep = List.copyOf(keep);
        remove = List.copyOf(remove);
        conflicts = List.copyOf(conflicts);
        journal = List.copyOf(journal);
        stillOwned = List.copyOf(stillOwned);
    }

    /**
     * @param listed the SHA-256s the accepted payload lists, in payload order
     * @param owned  the SHA-256s this agent installed and still owns (from its state)
     * @param found  what the store holds for each listed SHA-256; a missing entry means {@code ABSENT}
     */
    public static ReconciliationPlan of(List<String> listed, Set<String> owned, Map<String, LocalCaStore.Presence> found) {
        Set<String> wanted = new LinkedHashSet<>(listed);
        List<String> install = new ArrayList<>();
        List<String> keep = new ArrayList<>();
        List<String> conflicts = new ArrayList<>();
        for (String sha : wanted) {
            switch (found.getOrDefault(sha, LocalCaStore.Presence.ABSENT)) {
                case ABSENT -> install.add(sha);
                case PRESENT -> keep.add(sha);
                case CONFLICT -> (owned.contains(sha) ? install : conflicts).add(sha); // our own file was damaged
            }
        }
        Set<String> remove = new TreeSet<>(owned);
        remove.removeAll(wanted);
        Set<String> journal = new TreeSet<>(owned);
        journal.addAll(install);
        Set<String> stillOwned = new TreeSet<>(keep);
        stillOwned.retainAll(owned);
        return new ReconciliationPlan(install, keep, List.copyOf(remove), conflicts, List.copyOf(journal),
                List.copyOf(stillOwned));
    }
}
