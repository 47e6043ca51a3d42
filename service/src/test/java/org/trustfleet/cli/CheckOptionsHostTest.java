package org.trustfleet.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code check HOST[:PORT]} and {@code --server-name} follow the service's one host rule (pki's HostName). */
class CheckOptionsHostTest {

    @ParameterizedTest(name = "{0} → {1}:{2}")
    @CsvSource({
            "sts.contoso.com, sts.contoso.com, 443",
            "STS.Contoso.com.:8443, sts.contoso.com, 8443",
            "[::1]:443, ::1, 443",
            "[2001:DB8::1], 2001:db8::1, 443",
            "2001:db8::1, 2001:db8::1, 443",
            "127.0.0.1:9443, 127.0.0.1, 9443",
            "bücher.example, xn--bcher-kva.example, 443"})
    void endpointsAreReadAsTheServiceStoresThem(String endpoint, String host, int port) throws Exception {
        CheckOptions options = CheckOptions.parse(endpoint);
        assertThat(options.host()).isEqualTo(host);
        assertThat(options.port()).isEqualTo(port);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"0177.0.0.1", "127.1", "0x7f000001", "user@sts.contoso.com", "sts.contoso.com/path",
            "<script>", "fe80::1%eth0", "127.0.0.1.:443"})
    void anythingElseIsABadHost(String endpoint) {
        assertThatThrownBy(() -> CheckOptions.parse(endpoint)).isInstanceOf(CheckOptions.UsageException.class)
                .hasMessageContaining("is not a valid host name");
    }

    @ParameterizedTest(name = "--server-name {0}")
    @ValueSource(strings = {"http://x.invalid/", "x.invalid:443", "0177.0.0.1", "a b"})
    void theServerNameFollowsTheSameRule(String serverName) {
        assertThatThrownBy(() -> CheckOptions.parse("sts.contoso.com", "--server-name", serverName))
                .isInstanceOf(CheckOptions.UsageException.class).hasMessageContaining("is not a valid host name");
    }

    @ParameterizedTest(name = "--server-name {0}")
    @CsvSource({"STS.Contoso.com., sts.contoso.com", "192.0.2.1, 192.0.2.1"})
    void theServerNameIsStoredCanonically(String serverName, String stored) throws Exception {
        assertThat(CheckOptions.parse("sts.contoso.com", "--server-name", serverName).serverName()).isEqualTo(stored);
    }
}
