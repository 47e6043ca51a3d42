package org.trustfleet.pki;

import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;
import org.conscrypt.OkHostnameVerifier;
import org.conscrypt.TrustManagerImpl;

/**
 * Asks Android's own trust manager (Conscrypt's TrustManagerImpl, from conscrypt-openjdk-uber) whether it accepts a
 * chain, so validator tests compare against the real implementation instead of our reading of it.
 *
 * <p>A fresh TrustManagerImpl is built per call: the real one caches intermediates of earlier successful chains
 * ("intermediateIndex"), which would make the outcome depend on test order. Its checkServerTrusted(chain, authType,
 * host) variant uses the host only for pinning and CT, never for name matching, so host names are compared
 * separately against Conscrypt's OkHostnameVerifier.
 */
public final class ConscryptOracle {

    private ConscryptOracle() {
    }

    /** Whether a device whose anchors are {@code anchors} accepts {@code presented} for {@code host} (null: any). */
    public static boolean accepts(List<X509Certificate> presented, Collection<X509Certificate> anchors, String host) {
        return reject(presented, anchors) == null && (host == null || hostnameMatches(presented.get(0), host));
    }

    /** Null when Conscrypt accepts, otherwise its exception message. */
    public static String reject(List<X509Certificate> presented, Collection<X509Certificate> anchors) {
        try {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            int i = 0;
            for (X509Certificate a : anchors) {
                ks.setCertificateEntry("anchor" + i++, a);
            }
            TrustManagerImpl tm = new TrustManagerImpl(ks);
            X509Certificate[] chain = presented.toArray(X509Certificate[]::new);
            String authType = "RSA".equals(chain[0].getPublicKey().getAlgorithm()) ? "ECDHE_RSA" : "ECDHE_ECDSA";
            tm.checkServerTrusted(chain, authType);
            return null;
        } catch (CertificateException e) {
            return String.valueOf(e.getMessage());
        } catch (Exception e) {
            throw new IllegalStateException("oracle setup failed", e);
        }
    }

    /** Conscrypt's (Android's) host name verdict for a leaf. */
    public static boolean hostnameMatches(X509Certificate leaf, String host) {
        return OkHostnameVerifier.INSTANCE.verify(new X509Certificate[] {leaf}, host, null);
    }
}
