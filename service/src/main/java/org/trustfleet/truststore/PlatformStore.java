package org.trustfleet.truststore;

import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Set;

/**
 * One platform's system CA store at one API level: what a stock device of that level trusts out of the box.
 *
 * @param source whether it ships with Trustfleet or an operator added or replaced it
 * @param provenance where the bundled data comes from (empty for operator stores)
 */
public record PlatformStore(String name, String platform, int apiLevel, StoreSource source, String provenance,
        List<X509Certificate> certificates, Set<String> sha256s) {

    /** Where a store comes from. */
    public enum StoreSource { BUNDLED, OPERATOR }
}
