package org.trustfleet.console;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.runtime.configuration.DurationConverter;
import io.quarkus.runtime.configuration.MemorySize;
import io.quarkus.runtime.configuration.MemorySizeConverter;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;
import jakarta.ws.rs.core.NewCookie;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.trustfleet.core.TrustfleetConfig;

/** The session cookie's flags, the CSRF token's binding to its session, and the server-drawn expiry chart. */
class ConsoleCookiesTest {

    @Test
    void theCookieIsSecureOverTlsOrWhenConfiguredAndAlwaysHttpOnlyAndStrict() {
        ConsoleAccess plain = new ConsoleAccess(null, config("false"));
        ConsoleAccess forced = new ConsoleAccess(null, config("true"));
        record Case(ConsoleAccess access, boolean overTls, boolean secure) {}
        for (Case c : List.of(new Case(plain, false, false), new Case(plain, true, true),
                new Case(forced, false, true), new Case(forced, true, true))) {
            NewCookie cookie = c.access().cookie(ConsoleAccess.SESSION_COOKIE, "tfs_x", c.overTls());
            assertThat(cookie.isSecure()).as(c.toString()).isEqualTo(c.secure());
            assertThat(cookie.isHttpOnly()).isTrue();
            assertThat(cookie.getSameSite()).isEqualTo(NewCookie.SameSite.STRICT);
            assertThat(cookie.getPath()).isEqualTo("/console");
        }
        assertThat(plain.expired(ConsoleAccess.SESSION_COOKIE, false).getMaxAge()).isZero();
    }

    @Test
    void aCsrfTokenBelongsToOneSession() {
        String token = ConsoleSessions.csrfToken("tfs_one");
        assertThat(token).isEqualTo(ConsoleSessions.csrfToken("tfs_one")).isNotEqualTo(ConsoleSessions
                .csrfToken("tfs_two"));
        ConsoleSessions.requireCsrf("tfs_one", token);
        for (String wrong : new String[] {null, "", ConsoleSessions.csrfToken("tfs_two"), token + "x"}) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> ConsoleSessions.requireCsrf("tfs_one", wrong))
                    .hasMessageContaining("CSRF");
        }
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ConsoleSessions.requireCsrf(null, token))
                .hasMessageContaining("CSRF");
    }

    @Test
    void theExpiryChartCountsCertificatesPerWeekAndWritesNoText() {
        Instant now = Instant.parse("2026-01-01T00:00:00Z");
        List<Views.Expiring> expiring = List.of(
                new Views.Expiring("a", "<script>x</script>", now.minus(Duration.ofDays(2)), 0),
                new Views.Expiring("b", "b", now.plus(Duration.ofDays(3)), 3),
                new Views.Expiring("c", "c", now.plus(Duration.ofDays(10)), 10),
                new Views.Expiring("d", "d", now.plus(Duration.ofDays(90)), 90));
        String svg = SvgCharts.expiryChart(expiring, now);
        assertThat(svg).contains("<title>week 1: 2</title>").contains("<title>week 2: 1</title>")
                .contains("<title>week 5: 1</title>").contains("<title>week 3: 0</title>")
                .doesNotContain("script").doesNotContain("<script");
    }

    private static TrustfleetConfig config(String secureCookies) {
        return new SmallRyeConfigBuilder().withMapping(TrustfleetConfig.class)
                .withConverter(Duration.class, 100, new DurationConverter())
                .withConverter(MemorySize.class, 100, new MemorySizeConverter())
                .withSources(new PropertiesConfigSource(Map.of("trustfleet.console.secure-cookies", secureCookies),
                        "console-test", 500))
                .build().getConfigMapping(TrustfleetConfig.class);
    }
}
