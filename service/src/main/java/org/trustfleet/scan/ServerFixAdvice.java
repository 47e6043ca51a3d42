package org.trustfleet.scan;

import java.util.List;
import java.util.Map;
import org.trustfleet.pki.ServerFix;

/**
 * The API view of {@link ServerFix}: the chain the server should send (by fingerprint), so that the most Android
 * versions accept it without installing anything, with each level's verdict on it next to today's. Shown in scan
 * results and chain checks; the drift report shows its {@link ServerFixSummary}.
 *
 * @param chain            SHA-256 fingerprints of the certificates to configure on the server, leaf first, in the
 *                         order to send them, without the self-signed root (it may include a cross-signed root)
 * @param changesPresented whether this differs from what the server sends today (a self-signed root it appends is
 *                         ignored): false means the server already sends the best chain
 * @param perApiLevel      for every API level: does a stock device accept {@code chain}, and the chain as presented
 * @param levelsNotFixed   API levels that reject even {@code chain}: only a device-side install (or a new server
 *                         certificate) can help them, ascending
 */
public record ServerFixAdvice(List<String> chain, boolean changesPresented, List<Level> perApiLevel,
        List<Integer> levelsNotFixed) {

    public ServerFixAdvice {
        chain = List.copyOf(chain);
        perApiLevel = List.copyOf(perApiLevel);
        levelsNotFixed = List.copyOf(levelsNotFixed);
    }

    /**
     * One API level's verdicts.
     *
     * @param trusted            a stock device of this level accepts the proposed chain
     * @param trustedAsPresented it accepts the chain the server sends today
     * @param failure            why it rejects the proposed chain; null when trusted
     */
    public record Level(int apiLevel, boolean trusted, boolean trustedAsPresented, String failure) {}

    /** The API view of a computed fix. */
    public static ServerFixAdvice of(ServerFix fix) {
        List<Level> levels = fix.perLevel().entrySet().stream().map(ServerFixAdvice::level).toList();
        return new ServerFixAdvice(fix.chainSha256(), fix.changesPresented(), levels, fix.levelsNotFixed());
    }

    private static Level level(Map.Entry<Integer, ServerFix.LevelVerdict> e) {
        ServerFix.LevelVerdict v = e.getValue();
        return new Level(e.getKey(), v.trusted(), v.trustedAsPresented(), v.reasonOrNull());
    }
}
