package org.trustfleet.scan;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The same endpoint probed with and without SNI, because old Android clients send no SNI and an endpoint that
 * depends on it works only for some devices.
 *
 * @param withSni    probe with {@link SniMode#AUTO}
 * @param withoutSni probe with {@link SniMode#DISABLED}; the same object as {@code withSni} when no SNI name exists
 */
public record ProbePair(ProbeResult withSni, ProbeResult withoutSni) {

    public ProbePair {
        Objects.requireNonNull(withSni, "withSni");
        Objects.requireNonNull(withoutSni, "withoutSni");
    }

    /** {@code true} when SNI was actually sent in the first probe (false for IP literals without serverName). */
    public boolean sniAvailable() {
        return withSni.sniSent() != null;
    }

    /** Both succeeded and presented different chains (compared by DER, in order). */
    public boolean chainsDiffer() {
        if (!withSni.isOk() || !withoutSni.isOk()) {
            return false;
        }
        List<byte[]> a = withSni.chainDer();
        List<byte[]> b = withoutSni.chainDer();
        if (a.size() != b.size()) {
            return true;
        }
        for (int i = 0; i < a.size(); i++) {
            if (!Arrays.equals(a.get(i), b.get(i))) {
                return true;
            }
        }
        return false;
    }

    /** The caller's SNI_REQUIRED condition: SNI works, and without SNI the handshake fails or the chain differs. */
    public boolean sniRequired() {
        return sniAvailable() && withSni.isOk() && (!withoutSni.isOk() || chainsDiffer());
    }
}
