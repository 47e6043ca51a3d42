package org.trustfleet.testing;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Map;
import java.util.Set;

/**
 * The application with {@link ShiftedClock} in place of the system clock, for the tests that let days pass without
 * sleeping (devices, console sessions, alerts). One profile class for all of them, so that Quarkus builds and starts
 * the application once rather than once per test class; each setting below belongs to one of those tests and is
 * one no other of them depends on. The clock only moves forward and is shared by every test of the profile, so a
 * test reads times from it ({@code ShiftedClock.INSTANCE.instant()}), never from the system clock.
 */
public class ShiftedClockProfile implements QuarkusTestProfile {
    /** How often a device's last-seen time is written ({@code DeviceClockTest}); not the default minute. */
    public static final Duration SEEN_GRANULARITY = Duration.ofMinutes(10);
    /** The in-process SMTP server's port ({@code AlertsApiTest}), so that alert mail is a real SMTP exchange. */
    public static final int SMTP_PORT = freePort();

    @Override
    public Set<Class<?>> getEnabledAlternatives() {
        return Set.of(ShiftedClock.Producer.class);
    }

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.ofEntries(
                // DeviceClockTest: a small enrollment failure limit, last-seen written every SEEN_GRANULARITY
                Map.entry("trustfleet.enrollment.max-failures-per-minute", "3"),
                Map.entry("trustfleet.device.last-seen-granularity", SEEN_GRANULARITY.toMinutes() + "m"),
                // ConsoleSessionTest: short session timeouts and a small sign-in limit
                Map.entry("trustfleet.console.idle-timeout", "30m"),
                Map.entry("trustfleet.console.absolute-timeout", "2h"),
                Map.entry("trustfleet.console.max-failed-sign-ins-per-minute", "3"),
                // AlertsApiTest: quick retries, a short maximum age; the periodic checks are run by the test
                Map.entry("trustfleet.alerts.retry-initial", "200ms"),
                Map.entry("trustfleet.alerts.retry-max-interval", "800ms"),
                Map.entry("trustfleet.alerts.max-age", "4s"),
                Map.entry("trustfleet.alerts.poll-interval", "300ms"),
                Map.entry("trustfleet.alerts.check-interval", "24h"),
                Map.entry("trustfleet.alerts.metrics-refresh", "24h"),
                Map.entry("trustfleet.alerts.noncompliant-for", "1h"),
                Map.entry("trustfleet.alerts.base-url", "https://trustfleet.example"),
                Map.entry("trustfleet.alerts.mail-from", "alerts@trustfleet.example"),
                // a real SMTP exchange with the in-process server instead of the test-mode mock mailbox
                Map.entry("quarkus.mailer.mock", "false"),
                Map.entry("quarkus.mailer.host", "127.0.0.1"),
                Map.entry("quarkus.mailer.port", Integer.toString(SMTP_PORT)),
                Map.entry("quarkus.mailer.start-tls", "DISABLED"));
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
