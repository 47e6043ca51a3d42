package org.trustfleet.export;

/**
 * The one caveat every console export carries: an MDM installs CA certificates into the user/admin store, which
 * apps targeting API 24 or later ignore unless they opt in. Written once so that the JSON descriptions, the zip
 * README and the documentation say the same thing.
 */
public final class UserStoreCaveat {
    /** One sentence for description fields. */
    public static final String SENTENCE = "Installed by an MDM, these certificates land in the user/admin CA store,"
            + " which apps targeting Android API 24 or later ignore unless their network_security_config trusts"
            + " user certificates; fixing a missing intermediate on the server (send the whole chain) needs no"
            + " device change at all.";

    /** The network_security_config an app ships (res/xml/network_security_config.xml) to trust MDM-installed CAs. */
    public static final String NETWORK_SECURITY_CONFIG = """
            <?xml version="1.0" encoding="utf-8"?>
            <network-security-config>
                <base-config>
                    <trust-anchors>
                        <certificates src="system" />
                        <certificates src="user" />
                    </trust-anchors>
                </base-config>
            </network-security-config>
            """;

    private UserStoreCaveat() {}
}
