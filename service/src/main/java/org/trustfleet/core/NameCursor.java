package org.trustfleet.core;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;
import java.util.UUID;

/**
 * The position in a list ordered by name (a tenant's endpoints, its device groups): the name and id of the last row a
 * page showed. Pages continue with rows strictly after it in {@code (name, id)} order (the database's collation, the
 * same that orders the list), so rows inserted while a client pages never shift or repeat what it has not seen yet,
 * and no page costs an OFFSET scan. Clients treat the encoded form as opaque: base64url of {@code <uuid>.<name>}
 * (UTF-8).
 */
public record NameCursor(String name, UUID id) {
    private static final int UUID_LENGTH = 36;

    /** The cursor as it goes into {@code ?after=}. */
    public String encode() {
        return Base64.getUrlEncoder().withoutPadding()
                .encodeToString((id + "." + name).getBytes(StandardCharsets.UTF_8));
    }

    /** Reads {@code ?after=}: absent or blank is the first page; anything else not made by {@link #encode} is 400. */
    public static Optional<NameCursor> parse(String value) {
        if (value == null || value.isBlank()) {
            return Optional.empty();
        }
        try {
            byte[] bytes = Base64.getUrlDecoder().decode(value.strip());
            String text = StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(bytes)).toString();
            // a NUL cannot be in a stored name, and PostgreSQL refuses it in a parameter
            if (text.length() <= UUID_LENGTH || text.charAt(UUID_LENGTH) != '.' || text.indexOf(0) >= 0) {
                throw invalid();
            }
            String idText = text.substring(0, UUID_LENGTH);
            UUID id = UUID.fromString(idText);
            if (!id.toString().equals(idText)) {
                throw invalid();
            }
            return Optional.of(new NameCursor(text.substring(UUID_LENGTH + 1), id));
        } catch (IllegalArgumentException | java.nio.charset.CharacterCodingException e) {
            throw invalid();
        }
    }

    private static TrustfleetException invalid() {
        return TrustfleetException.validation("'after' must be the cursor of a previous page (from its Link header)");
    }
}
