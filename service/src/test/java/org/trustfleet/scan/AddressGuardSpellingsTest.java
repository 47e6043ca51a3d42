package org.trustfleet.scan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Hostile spellings of loopback, private, link-local, metadata and public addresses against the guard's resolution and
 * classification only: nothing is contacted, and the resolver answers only from literals and a fixed table (no DNS),
 * so even a regressed guard sends no packet.
 *
 * <p>Numeric spellings other than a canonical dotted quad (decimal {@code 2130706433}, hex {@code 0x7f000001}, octal
 * {@code 0177.0.0.1}, short {@code 127.1}) are refused without a look-up by every guard: Java reads some of them as
 * other addresses than the C library does ({@code 0177.0.0.1} is the public 177.0.0.1 to Java, loopback to
 * {@code inet_aton}).
 */
class AddressGuardSpellingsTest {

    /** Names the fake resolver knows; everything else that is not a literal is unknown. */
    private static final Map<String, String> NAMES = Map.of(
            "localhost", "127.0.0.1",
            "metadata.google.internal", "169.254.169.254");

    private final List<String> looked = new CopyOnWriteArrayList<>();

    private final AddressGuard.HostResolver resolver = host -> {
        looked.add(host);
        String known = NAMES.get(host);
        if (known != null) {
            return new InetAddress[] {InetAddress.getByName(known)};
        }
        if (!AddressGuard.isIpLiteral(host)) {
            throw new UnknownHostException(host); // never DNS
        }
        return InetAddress.getAllByName(host); // a literal: parsed by the JDK, no look-up
    };

    private final AddressGuard production = new AddressGuard(false, resolver, Duration.ofSeconds(1));
    private final AddressGuard onPremises = new AddressGuard(true, resolver, Duration.ofSeconds(1));

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
            // loopback
            "2130706433", "2130706433.", "0x7f000001", "0X7F000001", "0x7f.0x0.0x0.0x1", "0x7f.1", "0177.0.0.1",
            "0177.0.0.01", "017700000001", "127.1", "127.0.1", "127.000.000.001", "127.0.0.01", "0", "0x0",
            // link-local and cloud metadata
            "2852039166", "0xa9fea9fe", "0251.0376.0251.0376", "169.254.43518", "0xA9.0xFE.0xA9.0xFE", "169.254.169.254.1",
            // private
            "167772161", "012.0.0.1", "10.1", "0xc0a80001", "3232235521", "192.168.1", "0300.0250.0.1", "172.16.1",
            // public, still ambiguous: refused too, no reader's guess is taken
            "134744072", "08.8.8.8", "1.1", "0x08080808",
    })
    void ambiguousNumericSpellingsAreRefusedWithoutALookUp(String spelling) {
        for (AddressGuard guard : List.of(production, onPremises, onPremises.forAia(true))) {
            assertThatThrownBy(() -> guard.resolve(spelling)).as(spelling)
                    .isInstanceOfSatisfying(AddressGuardException.class, e -> {
                        assertThat(e.reason()).isEqualTo(AddressGuardException.Reason.BLOCKED_ADDRESS);
                        assertThat(e.detail()).contains("not a canonical IPv4 address");
                    });
        }
        assertThat(looked).as("resolver calls").isEmpty();
    }

    /**
     * Canonical spellings: resolved (literal parsing or the fixed table) and classified; production refuses all but
     * public addresses, the AIA guard loopback and link-local even on premises.
     */
    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
            "127.0.0.1, LOOPBACK",
            "127.0.0.1., LOOPBACK",
            "127.255.255.254, LOOPBACK",
            "localhost, LOOPBACK",
            "localhost., LOOPBACK",
            "LOCALHOST, LOOPBACK",
            "LocalHost., LOOPBACK",
            "::1, LOOPBACK",
            "[::1], LOOPBACK",
            "0:0:0:0:0:0:0:1, LOOPBACK",
            "::ffff:127.0.0.1, LOOPBACK",
            "[::ffff:127.0.0.1], LOOPBACK",
            "::ffff:7f00:1, LOOPBACK",
            "::127.0.0.1, LOOPBACK",
            "64:ff9b::7f00:1, LOOPBACK",
            "2002:7f00:1::1, LOOPBACK",
            "169.254.169.254, LINK_LOCAL",
            "169.254.169.254., LINK_LOCAL",
            "metadata.google.internal, LINK_LOCAL",
            "METADATA.google.internal., LINK_LOCAL",
            "::ffff:169.254.169.254, LINK_LOCAL",
            "::ffff:a9fe:a9fe, LINK_LOCAL",
            "[fe80::1], LINK_LOCAL",
            "fe80::a9fe:a9fe, LINK_LOCAL",
            "fd00:ec2::254, PRIVATE",
            "10.0.0.1, PRIVATE",
            "::ffff:10.0.0.1, PRIVATE",
            "::ffff:c0a8:1, PRIVATE",
            "172.31.255.255, PRIVATE",
            "100.100.100.200, SHARED_CGNAT",
            "0.0.0.0, UNSPECIFIED",
            "[::], UNSPECIFIED",
            "8.8.8.8, PUBLIC",
            "8.8.8.8., PUBLIC",
            "::ffff:8.8.8.8, PUBLIC",
            "[2606:4700:4700::1111], PUBLIC",
    })
    void canonicalSpellingsAreClassifiedByTheAddressTheyName(String spelling, AddressClass expected) {
        assertThat(allowed(production, spelling)).as("production guard").isEqualTo(expected == AddressClass.PUBLIC);
        assertThat(allowed(onPremises, spelling)).as("on-premises guard").isEqualTo(!expected.isNeverContactable());
        boolean localForAia = expected == AddressClass.LOOPBACK || expected == AddressClass.LINK_LOCAL;
        assertThat(allowed(onPremises.forAia(false), spelling)).as("AIA guard on premises")
                .isEqualTo(!expected.isNeverContactable() && !localForAia);
        assertThat(allowed(onPremises.forAia(true), spelling)).as("AIA guard on premises, opted in")
                .isEqualTo(!expected.isNeverContactable());
        if (expected != AddressClass.PUBLIC) {
            assertThatThrownBy(() -> production.resolve(spelling))
                    .isInstanceOfSatisfying(AddressGuardException.class,
                            e -> assertThat(e.refusedAddress()).hasValueSatisfying(
                                    a -> assertThat(AddressGuard.classify(a)).isEqualTo(expected)));
        }
    }

    private static boolean allowed(AddressGuard guard, String host) {
        try {
            return !guard.resolve(host).isEmpty();
        } catch (AddressGuardException e) {
            assertThat(e.reason()).as(host + ": " + e.detail()).isEqualTo(AddressGuardException.Reason.BLOCKED_ADDRESS);
            return false;
        }
    }
}
