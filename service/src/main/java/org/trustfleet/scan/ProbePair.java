package org.trustfleet.scan;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.trustfleet.pki.Finding;
import org.trustfleet.pki.FindingCode;

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

    /**
     * The probe whose chain is judged: the SNI probe, unless only the probe without SNI succeeded (an endpoint that
     * answers only without SNI is still reachable: judge what it sends).
     */
    public ProbeResult primary() {
        return withSni.isOk() || !withoutSni.isOk() ? withSni : withoutSni;
    }

    /** The SNI_REQUIRED finding when {@link #sniRequired()}, in the words scans and the {@code check} command show. */
    public Optional<Finding> sniFinding() {
        if (!sniRequired()) {
            return Optional.empty();
        }
        return Optional.of(Finding.of(FindingCode.SNI_REQUIRED, withoutSni.isOk()
                ? "without SNI the server presents a different chain; clients that send no SNI "
                        + "(some older Office apps) see that one"
                : "the server answers only when the client sends SNI (" + withoutSni.errorDetail()
                        + "); clients that send none fail"));
    }
}
