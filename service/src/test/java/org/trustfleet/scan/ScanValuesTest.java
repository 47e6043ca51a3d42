package org.trustfleet.scan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Defaults and invariants of the small value types the service will map to configuration and API fields. */
class ScanValuesTest {

    @Test
    void settingsDefaultsAreTheProductionValues() {
        ScannerSettings d = ScannerTestSettings.with(Map.of());
        assertThat(d.connectTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(d.handshakeTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(d.allowPrivateAddresses()).isFalse();
        assertThat(d.aiaMaxBytes()).isEqualTo(65_536);
        assertThat(d.aiaTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(d.aiaMaxHops()).isEqualTo(4);
        assertThat(d.aia()).isEqualTo(new ScannerSettings.AiaLimits(Duration.ofSeconds(10), 6, 2, false));
        assertThat(ScannerTestSettings.with(Map.of("allow-private-addresses", "true")).allowPrivateAddresses())
                .isTrue();
    }

    @Test
    void settingsRejectNonsense() {
        Duration s = Duration.ofSeconds(1);
        ScannerSettings.AiaLimits aia = new ScannerSettings.AiaLimits(s, 1, 1, false);
        assertThatThrownBy(() -> new ScannerSettings(Duration.ZERO, s, false, 1, s, 0, aia))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ScannerSettings(s, s, false, 0, s, 0, aia))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ScannerSettings(s, s, false, 1, s, -1, aia))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ScannerSettings.AiaLimits(Duration.ZERO, 1, 1, false))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ScannerTestSettings.with(Map.of("aia.max-fetches-per-scan", "0")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ScannerTestSettings.with(Map.of("aia.max-fetches-per-hop", "0")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ScannerTestSettings.with(Map.of("aia-max-bytes", "0")))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void targetSniNameRules() {
        assertThat(ProbeTarget.of("sts.contoso.com", 443).sniName()).contains("sts.contoso.com");
        assertThat(ProbeTarget.of("STS.Contoso.com.", 443).sniName()).contains("sts.contoso.com");
        assertThat(ProbeTarget.of("203.0.113.5", 443).sniName()).isEmpty();
        assertThat(ProbeTarget.of("2001:db8::5", 443).sniName()).isEmpty();
        assertThat(ProbeTarget.of("203.0.113.5", 443, "adfs.contoso.com").sniName()).contains("adfs.contoso.com");
        assertThat(ProbeTarget.of("lb.contoso.com", 443, "adfs.contoso.com").sniName()).contains("adfs.contoso.com");
        assertThat(ProbeTarget.of("203.0.113.5", 443, " ").serverName()).isNull();
        assertThatThrownBy(() -> ProbeTarget.of("x.test", 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ProbeTarget.of("x.test", 65_536)).isInstanceOf(IllegalArgumentException.class);
    }
}
