package org.trustfleet.payload;

import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;

/** The payload-definition formats MDM consoles and admins consume (see DOMAIN.md, "What consoles consume"). */
public enum ExportFormat {
    /**
     * Google Android Management API: a Policy fragment whose openNetworkConfiguration lists Authority certificates.
     * Kept for existing users; patching a policy with it replaces the admin's whole ONC, so {@code onc} and the
     * amapi-policy merge are what to use.
     */
    AMAPI_ONC("amapi-onc"),
    /** A standalone ONC document ({@code .onc}, {@code application/x-onc}). */
    ONC("onc"),
    /** Microsoft Intune (Graph beta): one trusted-certificate profile body per certificate. */
    INTUNE_GRAPH("intune-graph"),
    /** Microsoft Intune: Graph JSON {@code $batch} bodies that create, assign and delete the tenant's profiles. */
    INTUNE_GRAPH_BATCH("intune-graph-batch"),
    /** PEM bundle. */
    PEM("pem"),
    /** One DER certificate ({@code .cer}). */
    DER("der"),
    /** Certs-only PKCS#7 DER ({@code .p7b}). */
    PKCS7("pkcs7"),
    /** RFC 7030 EST {@code /cacerts}: the certs-only PKCS#7 in base64. */
    EST("est"),
    /** A zip of {@code .cer} and {@code .pem} files with a README, for consoles that take uploads. */
    ZIP("zip");

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

    /** Every wire name, for messages. */
    public static String wireNames() {
        return Arrays.stream(values()).map(ExportFormat::wireName).collect(Collectors.joining(", "));
    }
}
