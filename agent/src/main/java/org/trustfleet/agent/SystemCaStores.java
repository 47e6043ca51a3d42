package org.trustfleet.agent;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.TreeSet;

/** Reads the SHA-256 set of a platform CA store, the system part only where the platform marks it. */
public final class SystemCaStores {

    /** Android's alias prefix for the certificates the OS image (or the Conscrypt module) ships. */
    public static final String ANDROID_SYSTEM_PREFIX = "system:";

    private SystemCaStores() {
    }

    /**
     * The {@code system:} entries of Android's {@code AndroidCAStore} (user-added CAs are {@code user:}, and
     * ones the system store removed are not listed at all).
     */
    public static List<String> androidSystemStore() throws IOException {
        try {
            KeyStore ks = KeyStore.getInstance("AndroidCAStore");
            ks.load(null, null);
            return sha256Of(ks, ANDROID_SYSTEM_PREFIX);
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot read AndroidCAStore: " + e.getMessage(), e);
        }
    }

    /** Every certificate entry of {@code ks} whose alias starts with {@code aliasPrefix} (empty: all), sorted. */
    public static List<String> sha256Of(KeyStore ks, String aliasPrefix) throws GeneralSecurityException {
        TreeSet<String> out = new TreeSet<String>();
        Enumeration<String> aliases = ks.aliases();
        while (aliases.hasMoreElements()) {
            String alias = aliases.nextElement();
            if (!alias.startsWith(aliasPrefix)) {
                continue;
            }
            Certificate c = ks.getCertificate(alias);
            if (c instanceof X509Certificate) {
                out.add(Certs.sha256((X509Certificate) c));
            }
        }
        return new ArrayList<String>(out);
    }
}
