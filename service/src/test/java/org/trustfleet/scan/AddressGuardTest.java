package org.trustfleet.scan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Table-driven checks of the address policy over literals (no DNS) plus resolution behaviour with a fake resolver. */
class AddressGuardTest {

    private static final Duration LOOKUP = Duration.ofSeconds(2);

    private static final Map<String, String[]> FAKE_DNS = Map.of(
            "public.example", new String[] {"93.184.216.34"},
            "internal.example", new String[] {"10.1.2.3"},
            "mixed.example", new String[] {"192.168.1.10", "93.184.216.34"},
            "rebind.example", new String[] {"127.0.0.1", "::1"});

    private static final AddressGuard.HostResolver FAKE = host -> {
        String[] literals = FAKE_DNS.get(host);
        if (literals == null) {
            throw new UnknownHostException(host);
        }
        InetAddress[] out = new InetAddress[literals.length];
        for (int i = 0; i < literals.length; i++) {
            out[i] = InetAddress.getByName(literals[i]);
        }
        return out;
    };

    private final AddressGuard production = new AddressGuard(false, FAKE, LOOKUP);
    private final AddressGuard onPremises = new AddressGuard(true, FAKE, LOOKUP);

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
            // IPv4
            "0.0.0.0, UNSPECIFIED",
            "0.1.2.3, RESERVED",
            "10.0.0.1, PRIVATE",
            "10.255.255.255, PRIVATE",
            "100.63.255.255, PUBLIC",
            "100.64.0.1, SHARED_CGNAT",
            "100.127.255.254, SHARED_CGNAT",
            "100.128.0.1, PUBLIC",
            "127.0.0.1, LOOPBACK",
            "127.255.255.254, LOOPBACK",
            "169.254.169.254, LINK_LOCAL",
            "172.15.255.255, PUBLIC",
            "172.16.0.1, PRIVATE",
            "172.31.255.255, PRIVATE",
            "172.32.0.1, PUBLIC",
            "192.0.0.8, RESERVED",
            "192.0.2.1, RESERVED",
            "192.168.0.1, PRIVATE",
            "198.18.0.1, RESERVED",
            "198.51.100.7, RESERVED",
            "203.0.113.9, RESERVED",
            "224.0.0.1, MULTICAST",
            "239.255.255.250, MULTICAST",
            "240.0.0.1, RESERVED",
            "255.255.255.255, BROADCAST",
            "1.1.1.1, PUBLIC",
            "8.8.8.8, PUBLIC",
            "93.184.216.34, PUBLIC",
            // IPv6 native
            "::, UNSPECIFIED",
            "::1, LOOPBACK",
            "fc00::1, PRIVATE",
            "fd12:3456:789a::1, PRIVATE",
            "fe80::1, LINK_LOCAL",
            "febf::1, LINK_LOCAL",
            "fec0::1, PRIVATE",
            "ff02::1, MULTICAST",
            "2001:db8::1, RESERVED",
            "100::1, RESERVED",
            "2606:4700:4700::1111, PUBLIC",
            "2a00:1450:4001:82a::200e, PUBLIC",
            // IPv4-mapped (the JDK turns these into Inet4Address), IPv4-compatible, NAT64, 6to4, Teredo
            "::ffff:127.0.0.1, LOOPBACK",
            "::ffff:10.0.0.1, PRIVATE",
            "::ffff:169.254.169.254, LINK_LOCAL",
            "::ffff:8.8.8.8, PUBLIC",
            "::127.0.0.1, LOOPBACK",
            "::10.0.0.1, PRIVATE",
            "::8.8.8.8, PUBLIC",
            "64:ff9b::7f00:1, LOOPBACK",
            "64:ff9b::10.0.0.1, PRIVATE",
            "64:ff9b::192.168.1.1, PRIVATE",
            "64:ff9b::8.8.8.8, PUBLIC",
            "64:ff9b:1::1, RESERVED",
            "2002:7f00:1::1, LOOPBACK",
            "2002:c0a8:101::1, PRIVATE",
            "2002:0808:0808::1, PUBLIC",
            "2001:0:4136:e378:8000:63bf:f5ff:fffe, PRIVATE",
    })
    void classifiesLiterals(String literal, AddressClass expected) throws Exception {
        InetAddress address = InetAddress.getByName(literal);
        assertThat(AddressGuard.classify(address)).isEqualTo(expected);

        boolean allowedInProduction = expected == AddressClass.PUBLIC;
        assertThat(production.isAllowed(address)).as("production allows %s", literal).isEqualTo(allowedInProduction);
        assertThat(production.refusal(address).isPresent()).isEqualTo(!allowedInProduction);

        boolean allowedOnPremises = !expected.isNeverContactable();
        assertThat(onPremises.isAllowed(address)).as("on-premises allows %s", literal).isEqualTo(allowedOnPremises);
    }

    @ParameterizedTest(name = "Inet6Address {0}")
    @CsvSource({
            "0000:0000:0000:0000:0000:ffff:7f00:0001, LOOPBACK",
            "0000:0000:0000:0000:0000:ffff:0a00:0001, PRIVATE",
            "0000:0000:0000:0000:0000:ffff:a9fe:a9fe, LINK_LOCAL",
            "0000:0000:0000:0000:0000:ffff:0808:0808, PUBLIC",
    })
    void classifiesIpv4MappedKeptAsInet6Address(String hex, AddressClass expected) throws Exception {
        // Inet6Address.getByAddress keeps the mapped form as IPv6, unlike InetAddress.getByName.
        byte[] bytes = new byte[16];
        String[] groups = hex.split(":");
        for (int i = 0; i < 8; i++) {
            int v = Integer.parseInt(groups[i], 16);
            bytes[2 * i] = (byte) (v >> 8);
            bytes[2 * i + 1] = (byte) v;
        }
        InetAddress address = Inet6Address.getByAddress(null, bytes, -1);
        assertThat(address).isInstanceOf(Inet6Address.class);
        assertThat(AddressGuard.classify(address)).isEqualTo(expected);
        assertThat(production.isAllowed(address)).isEqualTo(expected == AddressClass.PUBLIC);
    }

    @Test
    void refusalExplainsEmbeddedForm() throws Exception {
        InetAddress nat64 = InetAddress.getByName("64:ff9b::a00:1");
        assertThat(production.refusal(nat64)).hasValueSatisfying(s -> assertThat(s)
                .contains("private").contains("NAT64").contains("10.0.0.1"));
    }

    @Test
    void resolvesPublicName() throws Exception {
        assertThat(production.resolve("public.example")).extracting(InetAddress::getHostAddress)
                .containsExactly("93.184.216.34");
    }

    @Test
    void mixedAnswerKeepsOnlyAllowedAddresses() throws Exception {
        assertThat(production.resolve("mixed.example")).extracting(InetAddress::getHostAddress)
                .containsExactly("93.184.216.34");
        assertThat(onPremises.resolve("mixed.example")).hasSize(2);
    }

    @Test
    void nameResolvingToPrivateIsBlocked() {
        assertThatThrownBy(() -> production.resolve("internal.example"))
                .isInstanceOfSatisfying(AddressGuardException.class, e -> {
                    assertThat(e.reason()).isEqualTo(AddressGuardException.Reason.BLOCKED_ADDRESS);
                    assertThat(e.detail()).contains("internal.example").contains("10.1.2.3").contains("private");
                    assertThat(e.refusedAddress()).isPresent();
                });
        assertThatThrownBy(() -> production.resolve("rebind.example"))
                .isInstanceOfSatisfying(AddressGuardException.class,
                        e -> assertThat(e.reason()).isEqualTo(AddressGuardException.Reason.BLOCKED_ADDRESS));
    }

    @Test
    void literalsAreCheckedWithoutDns() throws Exception {
        AtomicInteger lookups = new AtomicInteger();
        AddressGuard counting = new AddressGuard(false, host -> {
            lookups.incrementAndGet();
            return InetAddress.getAllByName(host);
        }, LOOKUP);
        assertThatThrownBy(() -> counting.resolve("[::1]"))
                .isInstanceOfSatisfying(AddressGuardException.class,
                        e -> assertThat(e.reason()).isEqualTo(AddressGuardException.Reason.BLOCKED_ADDRESS));
        assertThat(counting.resolve("8.8.8.8")).extracting(InetAddress::getHostAddress).containsExactly("8.8.8.8");
        // The resolver seam is still called for literals, but the JDK parses them without any DNS query.
        assertThat(lookups.get()).isEqualTo(2);
    }

    @Test
    void unknownNameIsDnsFailure() {
        assertThatThrownBy(() -> production.resolve("nope.example"))
                .isInstanceOfSatisfying(AddressGuardException.class, e -> {
                    assertThat(e.reason()).isEqualTo(AddressGuardException.Reason.DNS_FAILURE);
                    assertThat(e.detail()).isEqualTo("Host nope.example could not be resolved.");
                });
    }

    @Test
    void invalidTldNeverReachesTheResolver() {
        AtomicInteger lookups = new AtomicInteger();
        AddressGuard counting = new AddressGuard(true, host -> {
            lookups.incrementAndGet();
            throw new UnknownHostException(host);
        }, LOOKUP);
        assertThatThrownBy(() -> counting.resolve("adfs.contoso.invalid"))
                .isInstanceOfSatisfying(AddressGuardException.class,
                        e -> assertThat(e.reason()).isEqualTo(AddressGuardException.Reason.DNS_FAILURE));
        assertThat(lookups.get()).isZero();
    }

    @Test
    void malformedHostNamesAreDnsFailures() {
        for (String bad : List.of("", " ", "exa mple.com", "a..b", "-lead.example", "x\u0000y", "host/path")) {
            assertThatThrownBy(() -> production.resolve(bad)).as("'%s'", bad)
                    .isInstanceOfSatisfying(AddressGuardException.class,
                            e -> assertThat(e.reason()).isEqualTo(AddressGuardException.Reason.DNS_FAILURE));
        }
    }

    @Test
    void slowResolverIsBoundedByLookupTimeout() {
        AddressGuard slow = new AddressGuard(true, host -> {
            try {
                Thread.sleep(120_000); // a resolver that hangs for minutes
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            throw new UnknownHostException(host);
        }, Duration.ofMillis(200));
        long start = System.nanoTime();
        assertThatThrownBy(() -> slow.resolve("slow.example"))
                .isInstanceOfSatisfying(AddressGuardException.class, e -> {
                    assertThat(e.reason()).isEqualTo(AddressGuardException.Reason.DNS_FAILURE);
                    assertThat(e.detail()).contains("did not answer within 200 ms");
                });
        // bounded by the 200 ms limit, not by the resolver (the rest is slack for a loaded machine)
        assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(60_000L);
    }

    @Test
    void ipLiteralDetection() {
        assertThat(AddressGuard.isIpLiteral("127.0.0.1")).isTrue();
        assertThat(AddressGuard.isIpLiteral("::1")).isTrue();
        assertThat(AddressGuard.isIpLiteral("[2001:db8::1]")).isTrue();
        assertThat(AddressGuard.isIpLiteral("sts.contoso.com")).isFalse();
        assertThat(AddressGuard.isIpLiteral("1.2.3.example")).isFalse();
    }
}
