package org.trustfleet.cli;

import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.SortedMap;
import org.trustfleet.pki.Finding;
import org.trustfleet.pki.FixFinder;
import org.trustfleet.pki.ServerFix;
import org.trustfleet.scan.ChainEvaluation;
import org.trustfleet.scan.ProbeResult;

/**
 * Everything one {@code check} found, in one value that both the text and the JSON report read, so the two cannot
 * tell different stories.
 *
 * @param options     the command line
 * @param checkedAt   the instant the chain was judged at ({@code --at}, else now)
 * @param probe       the probe whose chain was judged, empty in the offline form
 * @param presented   the chain as the server sent it (or as the file holds it, leaf first)
 * @param evaluation  the scan's evaluation of it (completion, findings, per-level verdicts of every level)
 * @param findings    the evaluation's findings plus SNI_REQUIRED when the probes show it
 * @param levels      the selected levels' answers from {@link FixFinder}
 * @param storeNames  the store standing for each selected level
 * @param serverFix   the chain the server should send, verified per selected level ({@code ServerChainAdvisor})
 */
record CheckRun(CheckOptions options, Instant checkedAt, Optional<ProbeResult> probe,
        List<X509Certificate> presented, ChainEvaluation evaluation, List<Finding> findings,
        SortedMap<Integer, FixFinder.LevelFixes> levels, SortedMap<Integer, String> storeNames,
        Optional<ServerFix> serverFix) {

    /** Every selected level accepts the chain as presented. */
    boolean allAccept() {
        return levels.values().stream().allMatch(l -> l.kind() == FixFinder.Kind.TRUSTED);
    }

}
