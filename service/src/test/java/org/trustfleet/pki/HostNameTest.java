package org.trustfleet.pki;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The one host rule, spelling by spelling: what is accepted and how it is stored, and what is refused and why. */
class HostNameTest {

    static Stream<Arguments> accepted() {
        return Stream.of(
                Arguments.of("sts.contoso.com", "sts.contoso.com", HostName.Kind.DNS),
                Arguments.of("STS.Contoso.COM", "sts.contoso.com", HostName.Kind.DNS),
                Arguments.of("sts.contoso.com.", "sts.contoso.com", HostName.Kind.DNS),
                Arguments.of("localhost.", "localhost", HostName.Kind.DNS),
                Arguments.of("intranet", "intranet", HostName.Kind.DNS),
                Arguments.of("_sip.example.test", "_sip.example.test", HostName.Kind.DNS),
                Arguments.of("bücher.example", "xn--bcher-kva.example", HostName.Kind.DNS),
                Arguments.of("BÜCHER.example", "xn--bcher-kva.example", HostName.Kind.DNS),
                Arguments.of("a1.0x7f.example", "a1.0x7f.example", HostName.Kind.DNS),
                Arguments.of("x.invalid", "x.invalid", HostName.Kind.DNS),
                Arguments.of("127.0.0.1", "127.0.0.1", HostName.Kind.IPV4),
                Arguments.of("192.0.2.10", "192.0.2.10", HostName.Kind.IPV4),
                Arguments.of("0.0.0.0", "0.0.0.0", HostName.Kind.IPV4),
                Arguments.of("255.255.255.255", "255.255.255.255", HostName.Kind.IPV4),
                Arguments.of("１２７.０.０.１", "127.0.0.1", HostName.Kind.IPV4),
                Arguments.of("::1", "::1", HostName.Kind.IPV6),
                Arguments.of("[::1]", "::1", HostName.Kind.IPV6),
                Arguments.of("[2001:DB8::1]", "2001:db8::1", HostName.Kind.IPV6),
                Arguments.of("::ffff:127.0.0.1", "::ffff:127.0.0.1", HostName.Kind.IPV6),
                Arguments.of("fe80::1", "fe80::1", HostName.Kind.IPV6));
    }

    @ParameterizedTest(name = "{0} → {1}")
    @MethodSource("accepted")
    void acceptedSpellingsAreStoredCanonically(String raw, String stored, HostName.Kind kind) {
        assertThat(HostName.parse(raw)).isEqualTo(new HostName.Parsed(stored, kind));
    }

    static Stream<Arguments> refused() {
        return Stream.of(
                Arguments.of("http://127.0.0.1/", "without scheme, user, path or query"),
                Arguments.of("https://sts.contoso.com", "without scheme, user, path or query"),
                Arguments.of("user:pw@host", "without scheme, user, path or query"),
                Arguments.of("sts.contoso.com/x", "without scheme, user, path or query"),
                Arguments.of("http://x.invalid/", "without scheme, user, path or query"),
                Arguments.of("sts.contoso.com:443", "must not include a port"),
                Arguments.of("127.0.0.1:443", "must not include a port"),
                Arguments.of("[::1]:443", "must not include a port"),
                Arguments.of("<script>:1", "must not include a port"),
                Arguments.of("<script>", "a label may hold only"),
                Arguments.of("sts.contoso.com\r\nX-Injected: 1", "spaces or control characters"),
                Arguments.of("sts\u0000.contoso.com", "spaces or control characters"),
                Arguments.of("sts contoso.com", "spaces or control characters"),
                Arguments.of(" sts.contoso.com", "spaces or control characters"),
                Arguments.of("", "it is empty"),
                Arguments.of(".", "it is empty"),
                Arguments.of("sts..contoso.com", "empty label"),
                Arguments.of(".contoso.com", "empty label"),
                Arguments.of("-sts.contoso.com", "a label may hold only"),
                Arguments.of("a".repeat(64) + ".example", "longer than 63"),
                Arguments.of(("a".repeat(60) + ".").repeat(5) + "example", "longer than 253"),
                Arguments.of("0177.0.0.1", "four decimal numbers"),
                Arguments.of("127.000.000.001", "four decimal numbers"),
                Arguments.of("127.1", "four decimal numbers"),
                Arguments.of("2130706433", "four decimal numbers"),
                Arguments.of("0x7f000001", "four decimal numbers"),
                Arguments.of("0x7f.0.0.1", "four decimal numbers"),
                Arguments.of("127.0.0.1.", "four decimal numbers"),
                Arguments.of("256.0.0.1", "four decimal numbers"),
                Arguments.of("1.2.3.4.5", "four decimal numbers"),
                Arguments.of("example.123", "four decimal numbers"),
                Arguments.of("[::1", "closing ']'"),
                Arguments.of("[::1]x", "nothing may follow"),
                Arguments.of("[sts.contoso.com]", "not a valid IPv6 address"),
                Arguments.of("::1::2", "not a valid IPv6 address"),
                Arguments.of("1:2:3:4:5:6:7:8:9", "not a valid IPv6 address"),
                Arguments.of("::ffff:0177.0.0.1", "not a valid IPv6 address"),
                Arguments.of("fe80::1%eth0", "zone"),
                Arguments.of("[fe80::1%25eth0]", "zone"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refused")
    void everythingElseIsRefusedWithAReason(String raw, String reason) {
        assertThatThrownBy(() -> HostName.parse(raw)).isInstanceOf(HostName.InvalidHostException.class)
                .hasMessageStartingWith("is not a valid host name: ").hasMessageContaining(reason)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(raw.isEmpty() ? "\u0001" : raw));
    }
}
