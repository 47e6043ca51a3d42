package org.trustfleet.scan;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * What an endpoint speaks before TLS: nothing (TLS from the first byte, including implicit TLS on 465, 993 and 995)
 * or a mail protocol's plain-text STARTTLS dialogue (SMTP submission on 587/25, IMAP on 143, POP3 on 110), after
 * which the server presents the chain Android mail apps judge. The wire names are what the API and {@code check}
 * accept and what the database stores.
 */
public enum StartTlsProtocol {
    /** TLS from the first byte. */
    TLS("tls", "TLS"),
    /** SMTP: 220 greeting, EHLO, STARTTLS advertised, STARTTLS, 220 (RFC 3207). */
    SMTP("smtp-starttls", "SMTP"),
    /** IMAP: untagged OK greeting, {@code a1 STARTTLS}, {@code a1 OK} (RFC 3501 6.2.1). */
    IMAP("imap-starttls", "IMAP"),
    /** POP3: +OK greeting, STLS, +OK (RFC 2595 4). */
    POP3("pop3-starttls", "POP3");

    /** Wire names in declaration order, for messages and the validation pattern. */
    public static final String WIRE_PATTERN = "tls|smtp-starttls|imap-starttls|pop3-starttls";

    private final String wireName;
    private final String label;

    StartTlsProtocol(String wireName, String label) {
        this.wireName = wireName;
        this.label = label;
    }

    /** The name in the API, the CLI and the database. */
    public String wireName() {
        return wireName;
    }

    /** The protocol's usual name, for sentences. */
    public String label() {
        return label;
    }

    /** The protocol with this wire name (case-insensitive); empty when unknown. */
    public static Optional<StartTlsProtocol> fromWire(String name) {
        if (name == null) {
            return Optional.empty();
        }
        String n = name.strip().toLowerCase(Locale.ROOT);
        return Arrays.stream(values()).filter(p -> p.wireName.equals(n)).findFirst();
    }

    /** The protocol with this wire name, {@link #TLS} when null or blank; throws for an unknown name. */
    public static StartTlsProtocol fromWireOrTls(String name) {
        if (name == null || name.isBlank()) {
            return TLS;
        }
        return fromWire(name).orElseThrow(() -> new IllegalArgumentException("unknown protocol"));
    }
}
