package org.trustfleet.agent;

import java.io.IOException;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * The port between the agent and the device's CA store: Android's {@code DevicePolicyManager} (the android binding's
 * {@code DevicePolicyManagerCaStore}) or, for the reference agent on the JVM, a directory of PEM files. The agent
 * decides what to install and remove ({@link ReconciliationPlan}); a store only carries it out.
 */
public interface CaStore {

    /** What the store holds for one certificate id. */
    enum Presence {
        /** Not installed. */
        ABSENT,
        /** Installed. */
        PRESENT,
        /** Its slot holds something else (only stores with named slots, such as a directory, can say this). */
        CONFLICT
    }

    /** Like {@code DevicePolicyManager.hasCaCertInstalled}, by lowercase hex SHA-256 of the DER. */
    Presence presence(String sha256);

    /** Like {@code installCaCert}; an already present certificate is left as it is. */
    void install(X509Certificate certificate) throws IOException;

    /** Like {@code uninstallCaCert}; only ever called for certificates this agent installed. */
    void uninstall(String sha256) throws IOException;

    /** Every CA certificate the store holds now (the agent's and anyone else's), for building a trust view. */
    List<X509Certificate> certificates() throws IOException;

    /** How a failure names the slot of {@code sha256} (a file name, or the id itself). */
    String describe(String sha256);
}
