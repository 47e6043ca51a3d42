package org.trustfleet.policy;

import java.util.Comparator;
import java.util.List;
import java.util.UUID;

/** The words of the engine's advice, in one place, each sentence once per cause. */
final class AdviceText {

    /** From this API level apps trust installed CAs only when they opt in (network_security_config). */
    static final int USER_CA_OPT_IN_LEVEL = 24;

    private AdviceText() {
    }

    static Advice noStoreForRange(int min, int max) {
        return new Advice(null, AdviceCode.NO_STORE_FOR_RANGE, null, "no platform store is known for API " + min + ".."
                + max + ": nothing can be computed");
    }

    static Advice includeRefused(String sha256, String why) {
        return new Advice(null, AdviceCode.INCLUDE_REFUSED, sha256, "include refused: " + why);
    }

    /**
     * One line for the group, however many endpoints or includes the delivered certificates serve: the cause is the
     * same (Android 7's opt-in rule), so is the remedy.
     */
    static Advice userCaOptIn(ManagementMode mode) {
        String scope = mode.workProfileScope()
                ? " In a work profile only work-profile apps see installed CAs." : "";
        return new Advice(null, AdviceCode.USER_CA_OPT_IN, null, "from API " + USER_CA_OPT_IN_LEVEL
                + " apps trust the delivered certificates only if they opt in to user/admin-installed CAs through"
                + " network_security_config, otherwise the certificates have no effect." + scope);
    }

    static Advice workProfileScope() {
        return new Advice(null, AdviceCode.WORK_PROFILE_SCOPE, null, "installed CA certificates are visible to"
                + " work-profile apps only; personal apps keep failing");
    }

    static Advice sendIntermediate(UUID endpointId, String sha256, String subject) {
        return new Advice(endpointId, AdviceCode.SEND_INTERMEDIATE, sha256, "the server does not send intermediate '"
                + subject + "'; configuring the server to send it is the server-side fix, installing it on devices is"
                + " a workaround. This endpoint's entry in serverFixes gives the whole chain to send (it may add a"
                + " cross-signed root that older Android versions need) and the levels no server chain fixes");
    }

    /** Advice in its stable order: code, then group-wide first, then certificate, then text; duplicates once. */
    static List<Advice> sorted(List<Advice> advice) {
        return advice.stream().distinct().sorted(Comparator.comparing(Advice::code)
                .thenComparing(Advice::endpointId, Comparator.nullsFirst(Comparator.naturalOrder()))
                .thenComparing(a -> a.sha256OrNull() == null ? "" : a.sha256OrNull())
                .thenComparing(Advice::detail)).toList();
    }
}
