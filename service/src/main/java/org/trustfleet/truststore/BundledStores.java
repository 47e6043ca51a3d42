package org.trustfleet.truststore;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.trustfleet.pki.CertificateParser;
import org.trustfleet.pki.Sha256;

/**
 * The Android system stores shipped with Trustfleet (resources under {@code truststore/android}, built from AOSP's
 * public history; see the README there for provenance).
 */
public final class BundledStores {
    private static final String ROOT = "truststore/android/";

    private BundledStores() {}

    /** Every bundled store, in the order of {@code stores.tsv}. */
    public static List<PlatformStore> load() {
        Map<String, X509Certificate> certificates = new HashMap<>();
        List<PlatformStore> stores = new ArrayList<>();
        List<String> lines = read(ROOT + "stores.tsv").lines().skip(1).filter(l -> !l.isBlank()).toList();
        for (String line : lines) {
            String[] columns = line.split("\t");
            String name = columns[0];
            int apiLevel = Integer.parseInt(columns[1]);
            String provenance = columns.length > 4 ? columns[4] : "";
            Set<String> ids = new LinkedHashSet<>(read(ROOT + "stores/" + name + ".txt").lines()
                    .map(String::strip).filter(s -> !s.isEmpty()).toList());
            List<X509Certificate> members = new ArrayList<>();
            for (String sha256 : ids) {
                X509Certificate certificate = certificates.computeIfAbsent(sha256, BundledStores::certificate);
                members.add(certificate);
            }
            stores.add(new PlatformStore(name, "android", apiLevel, PlatformStore.StoreSource.BUNDLED, provenance,
                    List.copyOf(members), Set.copyOf(ids)));
        }
        return List.copyOf(stores);
    }

    /** The API levels the bundled stores cover, read from {@code stores.tsv} without parsing any certificate. */
    public static java.util.SortedSet<Integer> apiLevels() {
        java.util.SortedSet<Integer> levels = new java.util.TreeSet<>();
        read(ROOT + "stores.tsv").lines().skip(1).filter(l -> !l.isBlank())
                .forEach(line -> levels.add(Integer.parseInt(line.split("\t")[1])));
        return levels;
    }

    private static X509Certificate certificate(String sha256) {
        X509Certificate certificate = CertificateParser.parseBundled(bytes(ROOT + "certs/" + sha256 + ".pem"));
        if (!Sha256.of(certificate).equals(sha256)) {
            throw new IllegalStateException("bundled certificate " + sha256 + " does not match its name");
        }
        return certificate;
    }

    private static String read(String resource) {
        return new String(bytes(resource), StandardCharsets.UTF_8);
    }

    private static byte[] bytes(String resource) {
        try (InputStream in = BundledStores.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing bundled resource " + resource);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
