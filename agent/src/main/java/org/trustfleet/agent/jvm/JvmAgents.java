package org.trustfleet.agent.jvm;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.Enumeration;
import java.util.List;
import java.util.Locale;
import java.net.Socket;
import java.security.cert.CertificateException;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;
import org.trustfleet.agent.AgentException;
import org.trustfleet.agent.CaStore;
import org.trustfleet.agent.DeviceFacts;
import org.trustfleet.agent.EndpointVerifier;
import org.trustfleet.agent.FileAgentStateStore;
import org.trustfleet.agent.ObservationSource;
import org.trustfleet.agent.ReferenceAgent;
import org.trustfleet.agent.SystemCaStores;
import org.trustfleet.agent.TimeSource;

/**
 * The reference agent on the JVM: a state directory, a CA directory ({@link LocalCaStore}) and, for endpoint
 * verification and observations, a trust store standing in for the device's system store (the JDK's cacerts unless
 * one is given) plus the certificates of the CA directory, as Android trusts system and user/admin CAs together.
 */
@JvmOnly
public final class JvmAgents {

    private JvmAgents() {
    }

    /** An agent over {@code stateDir} and {@code caDir} (null for one that only enrolls), system clock. */
    public static ReferenceAgent create(Path stateDir, Path caDir) {
        return create(stateDir, caDir, TimeSource.SYSTEM);
    }

    public static ReferenceAgent create(Path stateDir, Path caDir, TimeSource clock) {
        return new ReferenceAgent(new FileAgentStateStore(stateDir.toFile()),
                caDir == null ? null : new LocalCaStore(caDir), clock);
    }

    /**
     * An agent that also verifies endpoints (connect/handshake timeout {@code timeoutMillis}) and posts observations,
     * judging with {@code systemStore} (null: the JDK's default trust store) plus the CA directory's certificates.
     */
    public static ReferenceAgent withChecks(Path stateDir, Path caDir, KeyStore systemStore, int apiLevel,
            int timeoutMillis) {
        LocalCaStore ca = new LocalCaStore(caDir);
        ReferenceAgent agent = new ReferenceAgent(new FileAgentStateStore(stateDir.toFile()), ca, TimeSource.SYSTEM);
        agent.verifyEndpointsWith(new EndpointVerifier(new CaStoreTrust(systemStore, ca), timeoutMillis),
                ReferenceAgent.DEFAULT_REVERIFY_MILLIS);
        agent.observeWith(observations(systemStore, apiLevel));
        return agent;
    }

    /** The JDK's default trust store (cacerts), or the one named by {@code javax.net.ssl.trustStore}. */
    public static KeyStore defaultTrustStore() {
        try {
            String configured = System.getProperty("javax.net.ssl.trustStore");
            Path file = configured != null ? java.nio.file.Paths.get(configured)
                    : java.nio.file.Paths.get(System.getProperty("java.home"), "lib", "security", "cacerts");
            String password = System.getProperty("javax.net.ssl.trustStorePassword");
            KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
            try (InputStream in = Files.newInputStream(file)) {
                ks.load(in, password == null ? null : password.toCharArray());
            }
            return ks;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot read the JVM trust store: " + e.getMessage(), e);
        }
    }

    /** Loads a trust store file (PKCS12 or JKS; password may be null); an unreadable one is an AgentException. */
    public static KeyStore loadTrustStore(Path file, String password) {
        try (InputStream in = Files.newInputStream(file)) {
            KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
            ks.load(in, password == null ? null : password.toCharArray());
            return ks;
        } catch (IOException | GeneralSecurityException e) {
            throw new AgentException("cannot read trust store " + file + ": " + e.getMessage(), e);
        }
    }

    /** Facts of this JVM in the device shape, and the trust store as the "system store". */
    public static ObservationSource observations(KeyStore systemStore, int apiLevel) {
        return new TrustStoreObservations(systemStore == null ? defaultTrustStore() : systemStore, apiLevel);
    }

    /** The JVM's facts and a trust store's certificates. */
    @JvmOnly
    static final class TrustStoreObservations implements ObservationSource {
        private final KeyStore store;
        private final int apiLevel;

        TrustStoreObservations(KeyStore store, int apiLevel) {
            this.store = store;
            this.apiLevel = apiLevel;
        }

        @Override
        public DeviceFacts facts() {
            return jvmFacts(apiLevel);
        }

        @Override
        public List<String> systemStoreSha256() throws IOException {
            try {
                return SystemCaStores.sha256Of(store, "");
            } catch (GeneralSecurityException e) {
                throw new IOException(e.getMessage(), e);
            }
        }
    }

    /** vendor, VM, Java version, the configured API level, the JDK release date, Conscrypt's version if present. */
    public static DeviceFacts jvmFacts(int apiLevel) {
        return new DeviceFacts(System.getProperty("java.vendor"), System.getProperty("java.vm.name"),
                System.getProperty("java.version"), apiLevel, System.getProperty("java.version.date"),
                conscryptVersion());
    }

    private static String conscryptVersion() {
        try {
            Object v = Class.forName("org.conscrypt.Conscrypt").getMethod("version").invoke(null);
            if (v == null) {
                return null;
            }
            Object major = v.getClass().getMethod("major").invoke(v);
            Object minor = v.getClass().getMethod("minor").invoke(v);
            Object patch = v.getClass().getMethod("patch").invoke(v);
            return String.format(Locale.ROOT, "conscrypt %s.%s.%s", major, minor, patch);
        } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
            return null;
        }
    }

    /**
     * A trust manager over the system store plus whatever the CA directory holds at the time of each check (the
     * agent installs certificates between syncs).
     */
    @JvmOnly
    static final class CaStoreTrust extends X509ExtendedTrustManager {
        private final KeyStore system;
        private final CaStore caStore;

        CaStoreTrust(KeyStore system, CaStore caStore) {
            this.system = system;
            this.caStore = caStore;
        }

        X509ExtendedTrustManager current() {
            try {
                KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
                ks.load(null, null);
                KeyStore base = system == null ? defaultTrustStore() : system;
                Enumeration<String> aliases = base.aliases();
                while (aliases.hasMoreElements()) {
                    String a = aliases.nextElement();
                    if (base.isCertificateEntry(a)) {
                        ks.setCertificateEntry("system:" + a, base.getCertificate(a));
                    }
                }
                int i = 0;
                for (X509Certificate c : caStore.certificates()) {
                    ks.setCertificateEntry("user:" + (i++), c);
                }
                return (X509ExtendedTrustManager) EndpointVerifier.fromKeyStore(ks);
            } catch (IOException | GeneralSecurityException e) {
                throw new IllegalStateException("cannot build the trust view: " + e.getMessage(), e);
            }
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            current().checkClientTrusted(chain, authType);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            current().checkClientTrusted(chain, authType, socket);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            current().checkClientTrusted(chain, authType, engine);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            current().checkServerTrusted(chain, authType);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            current().checkServerTrusted(chain, authType, socket);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            current().checkServerTrusted(chain, authType, engine);
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return current().getAcceptedIssuers();
        }
    }

}
