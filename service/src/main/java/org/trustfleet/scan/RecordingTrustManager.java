package org.trustfleet.scan;

import java.net.Socket;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Trust manager that accepts every server and only remembers the presented chain: the probe must capture broken
 * chains verbatim, and validation is done later (Android semantics, per API level) by the pki package.
 *
 * <p>It extends {@link X509ExtendedTrustManager} on purpose: the JDK wraps plain {@code X509TrustManager}s with
 * hostname and algorithm-constraint checks that would abort the handshake before the chain is recorded.
 */
final class RecordingTrustManager extends X509ExtendedTrustManager {

    private volatile List<X509Certificate> chain = List.of();

    List<X509Certificate> chain() {
        return chain;
    }

    private void record(X509Certificate[] presented) {
        chain = presented == null ? List.of() : List.of(presented.clone());
    }

    @Override
    public void checkServerTrusted(X509Certificate[] presented, String authType, Socket socket) {
        record(presented);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] presented, String authType, SSLEngine engine) {
        record(presented);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] presented, String authType) {
        record(presented);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] presented, String authType, Socket socket) {
        // The probe is always the client; nothing to decide here.
    }

    @Override
    public void checkClientTrusted(X509Certificate[] presented, String authType, SSLEngine engine) {
    }

    @Override
    public void checkClientTrusted(X509Certificate[] presented, String authType) {
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[0];
    }
}
