package org.trustfleet.testing;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.Map;

/**
 * The scanner's address guard as shipped ({@code trustfleet.scanner.allow-private-addresses=false}); the suite's
 * default allows private addresses because its test servers live on loopback. One profile class for every test of
 * the guard (scan targets, AIA fetches, webhook targets), so that Quarkus builds and starts the application once for
 * all of them rather than once per test class.
 */
public class ProductionAddressGuard implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("trustfleet.scanner.allow-private-addresses", "false");
    }
}
