package org.trustfleet.payload;

import java.util.Arrays;
import java.util.Optional;

/** The payload-definition formats MDM consoles and admins consume (see DOMAIN.md, "What consoles consume"). */
public enum ExportFormat {
    /** Google Android Management API: a Policy fragment whose openNetworkConfiguration lists Authority certificates. */
    AMAPI_ONC("amapi-onc"),
    /** Microsoft Intune (Graph beta): one trusted-certificate profile per certificate. */
    INTUNE_GRAPH("intune-graph"),
    /** PEM bundle. */
    PEM("pem"),
    /** One DER certificate ({@code .cer}). */
    DER("der"),
    /** Certs-only PKCS#7 (as EST /cacerts). */
    PKCS7("pkcs7");

    private final String wireName;

    ExportFormat(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    public static Optional<ExportFormat> fromWire(String value) {
        return Arrays.stream(values()).filter(f -> f.wireName.equals(value)).findFirst();
    }
}
