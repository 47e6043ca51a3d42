package org.trustfleet.pki;

import java.security.cert.X509Certificate;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The chain a server should send so that the most Android versions accept it, with each level's verdict on it: the
 * server-side fix, which (unlike installing certificates on devices) helps every device at once. Computed by
 * {@link ServerChainAdvisor}.
 *
 * @param chain            the certificates to configure on the server, in the order to send them: leaf first, each
 *                         followed by its issuer, never a self-signed root (a device must already hold the root;
 *                         sending it only costs bytes)
 * @param chainSha256      fingerprints of {@code chain}, same order
 * @param perLevel         for every selected API level: whether a stock device of that level (platform store only,
 *                         nothing installed) accepts {@code chain}, next to whether it accepts the chain as presented
 * @param levelsNotFixed   the selected API levels that still reject {@code chain}: no chain the server could send
 *                         makes them accept (a device-side install or a new certificate is needed), ascending
 * @param changesPresented whether {@code chain} differs from what the server sends today, ignoring a self-signed root
 *                         the server appends: when false the server is already configured as well as it can be
 */
public record ServerFix(List<X509Certificate> chain, List<String> chainSha256, SortedMap<Integer, LevelVerdict> perLevel,
        List<Integer> levelsNotFixed, boolean changesPresented) {

    public ServerFix {
        chain = List.copyOf(chain);
        chainSha256 = List.copyOf(chainSha256);
        perLevel = java.util.Collections.unmodifiableSortedMap(new TreeMap<>(perLevel));
        levelsNotFixed = List.copyOf(levelsNotFixed);
    }

    /**
     * One API level's verdicts.
     *
     * @param trusted            a stock device of this level accepts the proposed chain
     * @param trustedAsPresented it accepts the chain the server sends today
     * @param reasonOrNull       when the proposed chain is rejected: the validator's reason ("NO_PATH: ..."), else null
     */
    public record LevelVerdict(boolean trusted, boolean trustedAsPresented, String reasonOrNull) {
    }

    /**
     * Whether a level's verdicts on the proposed chain ({@code trusted}) and on the presented one say the fix helps
     * it: the one rule for "levels fixed", whether the verdicts were just computed or read back from a stored scan.
     */
    public static boolean fixes(boolean trusted, boolean trustedAsPresented) {
        return trusted && !trustedAsPresented;
    }

    /** The selected levels that reject the chain as presented but accept the proposed one. */
    public List<Integer> levelsFixed() {
        return perLevel.entrySet().stream()
                .filter(e -> fixes(e.getValue().trusted(), e.getValue().trustedAsPresented()))
                .map(java.util.Map.Entry::getKey).toList();
    }
}
