package org.trustfleet.core;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.Optional;
import java.util.UUID;

/**
 * The position in a newest-first list (scans, enrollment tokens): the time and id of the last row a page showed.
 * Pages continue with rows strictly before it in {@code (time DESC, id DESC)} order, so rows inserted while a client
 * pages (always newer) neither shift nor repeat what it has not seen yet, and no page costs an OFFSET scan. An
 * oldest-first list (tenants) continues strictly after it in {@code (time, id)} order instead: new rows come last.
 * Clients treat the encoded form as opaque: base64url of {@code <epoch microseconds>.<uuid>} (PostgreSQL keeps
 * microseconds).
 */
public record TimeCursor(Instant at, UUID id) {

    public TimeCursor {
        at = at.truncatedTo(ChronoUnit.MICROS);
    }

    /** The cursor as it goes into {@code ?after=}. */
    public String encode() {
        long micros = ChronoUnit.MICROS.between(Instant.EPOCH, at);
        return Base64.getUrlEncoder().withoutPadding()
                .encodeToString((micros + "." + id).getBytes(StandardCharsets.US_ASCII));
    }

    /** Reads {@code ?after=}: absent or blank is the first page; anything else not made by {@link #encode} is 400. */
    public static Optional<TimeCursor> parse(String value) {
        if (value == null || value.isBlank()) {
            return Optional.empty();
        }
        try {
            String text = new String(Base64.getUrlDecoder().decode(value.strip()), StandardCharsets.US_ASCII);
            int dot = text.indexOf('.');
            if (dot < 1) {
                throw invalid();
            }
            long micros = Long.parseLong(text.substring(0, dot));
            UUID id = UUID.fromString(text.substring(dot + 1));
            if (!id.toString().equals(text.substring(dot + 1))) {
                throw invalid();
            }
            return Optional.of(new TimeCursor(Instant.EPOCH.plus(micros, ChronoUnit.MICROS), id));
        } catch (IllegalArgumentException | ArithmeticException | java.time.DateTimeException e) {
            throw invalid();
        }
    }

    private static TrustfleetException invalid() {
        return TrustfleetException.validation("'after' must be the cursor of a previous page (from its Link header)");
    }
}
