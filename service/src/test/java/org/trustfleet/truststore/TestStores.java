package org.trustfleet.truststore;

import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.trustfleet.pki.Sha256;

/** Store snapshots built in memory for plain tests of the scan's evaluation (no database, no service). */
public final class TestStores {

    private TestStores() {
    }

    /** One operator store per API level, named {@code test-api-NN}. */
    public static StoreSnapshot snapshot(Map<Integer, List<X509Certificate>> byLevel) {
        List<PlatformStore> stores = new ArrayList<>();
        byLevel.forEach((level, certificates) -> {
            Set<String> shas = certificates.stream().map(Sha256::of).collect(Collectors.toSet());
            stores.add(new PlatformStore("test-api-" + level, "android", level, PlatformStore.StoreSource.OPERATOR,
                    "", List.copyOf(certificates), shas));
        });
        return new StoreSnapshot(List.of(), stores, 1);
    }
}
