package org.trustfleet.policy;

import java.util.List;

/**
 * The verdict for one endpoint on one API level (levels with identical relevant stores share one instance).
 *
 * @param fixes          for {@link Verdict#FIXABLE}: every single-certificate fix, most preferred first
 * @param unresolvedCode for {@link Verdict#UNRESOLVED}: why
 * @param sha256OrNull   for unresolved: the certificate concerned, if any (e.g. the expired intermediate)
 */
public record LevelOutcome(Verdict verdict, List<Fix> fixes, UnresolvedCode unresolvedCode, String detail,
        String sha256OrNull) {

    static final LevelOutcome TRUSTED = new LevelOutcome(Verdict.TRUSTED, List.of(), null, "trusted", null);

    public LevelOutcome {
        fixes = List.copyOf(fixes);
    }

    static LevelOutcome fixable(List<Fix> fixes) {
        return new LevelOutcome(Verdict.FIXABLE, fixes, null, null, null);
    }

    static LevelOutcome unresolved(UnresolvedCode code, String detail, String sha) {
        return new LevelOutcome(Verdict.UNRESOLVED, List.of(), code, detail, sha);
    }
}
