package org.trustfleet.payload;

import java.util.Locale;

/** Role of a certificate inside a payload; serialized as the lowercase JSON strings {@code "root"} and {@code "intermediate"}. */
public enum CertificateRole {
    ROOT("root"),
    INTERMEDIATE("intermediate");

    private final String json;

    CertificateRole(String json) {
        this.json = json;
    }

    /** The JSON spelling. */
    public String json() {
        return json;
    }

    /** Parses the JSON spelling (exact, lowercase). */
    public static CertificateRole fromJson(String value) {
        for (CertificateRole r : values()) {
            if (r.json.equals(value)) {
                return r;
            }
        }
        throw new IllegalArgumentException("unknown certificate role: " + (value == null ? "null"
                : value.length() > 40 ? value.substring(0, 40) + "..." : value.toLowerCase(Locale.ROOT)));
    }
}
