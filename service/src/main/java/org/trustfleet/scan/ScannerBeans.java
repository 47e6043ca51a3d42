package org.trustfleet.scan;

import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.util.Optional;
import org.trustfleet.core.TrustfleetConfig;

/**
 * Builds the scanner's network parts from configuration: one address guard for the probe, which the AIA fetcher
 * narrows to its own rule ({@link AddressGuard#forAia}).
 */
@ApplicationScoped
public class ScannerBeans {

    @Produces
    @Singleton
    ScannerSettings settings(TrustfleetConfig config) {
        return ScannerSettings.of(config.scanner());
    }

    @Produces
    @Singleton
    AddressGuard guard(ScannerSettings settings) {
        return new AddressGuard(settings);
    }

    @Produces
    @Singleton
    TlsProbe probe(ScannerSettings settings, AddressGuard guard) {
        return new TlsProbe(settings, guard);
    }

    @Produces
    @Singleton
    ChainJudge evaluator(ScannerSettings settings, AddressGuard guard, TrustfleetConfig config, Vertx vertx) {
        return new ChainJudge(Optional.of(new AiaFetcher(settings, guard, vertx)),
                (int) config.scanner().expiresSoon().toDays());
    }
}
