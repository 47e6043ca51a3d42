package org.trustfleet.scan;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.trustfleet.pki.ServerFix;

/**
 * A server fix as a tenant-wide report shows it: the chain to send, which levels it fixes, and which it cannot fix
 * and why (levels sharing a reason named once). Each level's verdicts stay on the endpoint's scan: repeated for every
 * level of every failing endpoint they were four fifths of a 1,000-endpoint drift report.
 *
 * @param chain            SHA-256 fingerprints of the certificates to configure on the server, leaf first, without the
 *                         self-signed root
 * @param changesPresented whether this differs from what the server sends today: false means the server already
 *                         sends the best chain
 * @param levelsFixed      API levels that reject the chain as presented and accept {@code chain}, ascending
 * @param levelsNotFixed   API levels that reject even {@code chain}, ascending
 * @param notFixedBecause  {@code levelsNotFixed} grouped by the validator's reason, in the order of their lowest level
 */
public record ServerFixSummary(List<String> chain, boolean changesPresented, List<Integer> levelsFixed,
        List<Integer> levelsNotFixed, List<NotFixed> notFixedBecause) {

    public ServerFixSummary {
        chain = List.copyOf(chain);
        levelsFixed = List.copyOf(levelsFixed);
        levelsNotFixed = List.copyOf(levelsNotFixed);
        notFixedBecause = List.copyOf(notFixedBecause);
    }

    /**
     * The API levels that reject the proposed chain for one reason.
     *
     * @param failure   the validator's reason ("NO_PATH: ..."); null only for a scan stored without one
     * @param apiLevels the levels, ascending
     */
    public record NotFixed(String failure, List<Integer> apiLevels) {
        public NotFixed {
            apiLevels = List.copyOf(apiLevels);
        }
    }

    /** The summary of a scan's server fix. */
    public static ServerFixSummary of(ServerFixAdvice advice) {
        List<Integer> fixed = new ArrayList<>();
        Map<String, List<Integer>> byReason = new LinkedHashMap<>();
        List<ServerFixAdvice.Level> levels = advice.perApiLevel().stream()
                .sorted(Comparator.comparingInt(ServerFixAdvice.Level::apiLevel)).toList();
        for (ServerFixAdvice.Level level : levels) {
            if (ServerFix.fixes(level.trusted(), level.trustedAsPresented())) {
                fixed.add(level.apiLevel());
            }
            if (advice.levelsNotFixed().contains(level.apiLevel())) {
                byReason.computeIfAbsent(level.failure(), k -> new ArrayList<>()).add(level.apiLevel());
            }
        }
        List<NotFixed> because = byReason.entrySet().stream().map(e -> new NotFixed(e.getKey(), e.getValue()))
                .toList();
        return new ServerFixSummary(advice.chain(), advice.changesPresented(), fixed,
                advice.levelsNotFixed().stream().sorted().toList(), because);
    }
}
