package org.trustfleet.scan;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.trustfleet.pki.CertificateEncoder;
import org.trustfleet.pki.TestPki;

/** AIA caIssuers fetching against a local HTTP server: formats, limits, failures, cache and multi-hop completion. */
class AiaFetcherTest {

    /**
     * A generous deadline for fetches that must succeed: a loaded machine may take seconds for a loopback fetch, and
     * a fetch cut short there would be cached as a failure.
     */
    private static final ScannerSettings SETTINGS = ScannerTestSettings.with(Map.of(
            "allow-private-addresses", "true",
            "aia.allow-loopback-and-link-local", "true",
            "aia.scan-deadline", "60s",
            "aia-timeout", "15s",
            "aia-max-bytes", String.valueOf(16 * 1024)));
    /** A short deadline, only for the tests of the deadline itself (servers that answer after minutes, or trickle). */
    private static final ScannerSettings SHORT_DEADLINE = ScannerTestSettings.with(Map.of(
            "allow-private-addresses", "true",
            "aia.allow-loopback-and-link-local", "true",
            "aia-timeout", "800ms",
            "aia-max-bytes", String.valueOf(16 * 1024)));

    private static Vertx vertx;

    private HttpServer server;
    private String base;
    private final Map<String, AtomicInteger> hits = new ConcurrentHashMap<>();

    private TestPki.Cert root;
    private TestPki.Cert intermediate;
    private TestPki.Cert leaf;

    @BeforeAll
    static void startVertx() {
        vertx = Vertx.vertx();
    }

    @AfterAll
    static void stopVertx() {
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 50);
        server.setExecutor(Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "aia-test-http");
            t.setDaemon(true);
            return t;
        }));
        server.start();
        base = "http://127.0.0.1:" + server.getAddress().getPort();

        root = TestPki.root("AIA Test Root");
        intermediate = root.intermediate("AIA Test Intermediate").aia(base + "/root.cer").build();
        leaf = intermediate.leaf("adfs.contoso.test").aia(base + "/int.cer").build();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private void serve(String path, int status, String contentType, byte[] body) {
        server.createContext(path, ex -> {
            count(path);
            ex.getResponseHeaders().add("Content-Type", contentType);
            send(ex, status, body);
        });
    }

    private void count(String path) {
        hits.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
    }

    private int hits(String path) {
        AtomicInteger n = hits.get(path);
        return n == null ? 0 : n.get();
    }

    private static void send(HttpExchange ex, int status, byte[] body) throws IOException {
        ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        }
        ex.close();
    }

    private AiaFetcher fetcher() {
        return new AiaFetcher(SETTINGS, new AddressGuard(SETTINGS), vertx);
    }

    private X509Certificate leafWithAia(String... urls) {
        return intermediate.leaf("aia.contoso.test").aia(urls).build().cert();
    }

    @Test
    void readsCaIssuersUrls() {
        X509Certificate cert = leafWithAia("ldap://dir.contoso.test/cn=CA", base + "/a.cer", "https://x.test/b.p7c");
        assertThat(AiaFetcher.caIssuerUrls(cert))
                .containsExactly("ldap://dir.contoso.test/cn=CA", base + "/a.cer", "https://x.test/b.p7c");
        assertThat(AiaFetcher.caIssuerUrls(root.cert())).isEmpty();
    }

    @Test
    void fetchesDerIssuer() {
        serve("/int.cer", 200, "application/pkix-cert", CertificateEncoder.der(intermediate.cert()));

        AiaHop hop = fetcher().fetchIssuer(leaf.cert());

        assertThat(hop.status()).as(hop.detail()).isEqualTo(AiaStatus.FETCHED);
        assertThat(hop.issuer()).isEqualTo(intermediate.cert());
        assertThat(hop.issuerUrl()).isEqualTo(base + "/int.cer");
        AiaFetch f = hop.attempts().get(0);
        assertThat(f.httpStatus()).isEqualTo(200);
        assertThat(f.contentType()).isEqualTo("application/pkix-cert");
        assertThat(f.address().getHostAddress()).isEqualTo("127.0.0.1");
        assertThat(f.fromCache()).isFalse();
    }

    @Test
    void fetchesPkcs7Issuer() {
        serve("/int.p7c", 200, "application/pkcs7-mime",
                CertificateEncoder.toPkcs7Der(List.of(root.cert(), intermediate.cert())));

        AiaHop hop = fetcher().fetchIssuer(leafWithAia(base + "/int.p7c"));

        assertThat(hop.status()).as(hop.detail()).isEqualTo(AiaStatus.FETCHED);
        assertThat(hop.issuer()).isEqualTo(intermediate.cert());
        assertThat(hop.attempts().get(0).certificates()).hasSize(2);
    }

    @Test
    void fetchesPemIssuer() {
        serve("/int.pem", 200, "application/x-pem-file",
                ("\n" + CertificateEncoder.toPem(List.of(intermediate.cert()))).getBytes(StandardCharsets.US_ASCII));

        AiaHop hop = fetcher().fetchIssuer(leafWithAia(base + "/int.pem"));

        assertThat(hop.status()).as(hop.detail()).isEqualTo(AiaStatus.FETCHED);
        assertThat(hop.issuer()).isEqualTo(intermediate.cert());
    }

    @Test
    void fetchesChunkedResponse() {
        byte[] der = CertificateEncoder.der(intermediate.cert());
        server.createContext("/chunked.cer", ex -> {
            ex.sendResponseHeaders(200, 0); // 0 = chunked transfer encoding
            try (OutputStream out = ex.getResponseBody()) {
                out.write(der, 0, 100);
                out.flush();
                out.write(der, 100, der.length - 100);
            }
        });

        AiaHop hop = fetcher().fetchIssuer(leafWithAia(base + "/chunked.cer"));

        assertThat(hop.status()).as(hop.detail()).isEqualTo(AiaStatus.FETCHED);
    }

    @Test
    void followsOneRedirectButNotTwo() {
        serve("/int.cer", 200, "application/pkix-cert", CertificateEncoder.der(intermediate.cert()));
        server.createContext("/moved.cer", ex -> {
            ex.getResponseHeaders().add("Location", "/int.cer");
            send(ex, 302, new byte[0]);
        });
        server.createContext("/moved-twice.cer", ex -> {
            ex.getResponseHeaders().add("Location", base + "/moved.cer");
            send(ex, 301, new byte[0]);
        });

        assertThat(fetcher().fetchIssuer(leafWithAia(base + "/moved.cer")).status()).isEqualTo(AiaStatus.FETCHED);
        AiaHop twice = fetcher().fetchIssuer(leafWithAia(base + "/moved-twice.cer"));
        assertThat(twice.status()).isEqualTo(AiaStatus.TOO_MANY_REDIRECTS);
    }

    @Test
    void notFoundIsHttpError() {
        AiaHop hop = fetcher().fetchIssuer(leafWithAia(base + "/missing.cer"));

        assertThat(hop.status()).isEqualTo(AiaStatus.HTTP_ERROR);
        assertThat(hop.detail()).contains("HTTP 404").contains("/missing.cer");
        assertThat(hop.attempts().get(0).httpStatus()).isEqualTo(404);
    }

    @Test
    void oversizedBodyIsTooLarge() {
        serve("/huge.cer", 200, "application/pkix-cert", new byte[100 * 1024]);
        server.createContext("/huge-chunked.cer", ex -> {
            ex.sendResponseHeaders(200, 0);
            try (OutputStream out = ex.getResponseBody()) {
                for (int i = 0; i < 100; i++) {
                    out.write(new byte[1024]);
                }
            } catch (IOException ignored) {
                // the client hangs up once over the limit
            }
        });

        AiaHop declared = fetcher().fetchIssuer(leafWithAia(base + "/huge.cer"));
        AiaHop streamed = fetcher().fetchIssuer(leafWithAia(base + "/huge-chunked.cer"));

        assertThat(declared.status()).isEqualTo(AiaStatus.TOO_LARGE);
        assertThat(declared.detail()).contains("16384");
        assertThat(streamed.status()).isEqualTo(AiaStatus.TOO_LARGE);
    }

    @Test
    void garbageBodyIsUnparseable() {
        serve("/junk.cer", 200, "text/html", "<html>not a certificate</html>".getBytes(StandardCharsets.US_ASCII));

        AiaHop hop = fetcher().fetchIssuer(leafWithAia(base + "/junk.cer"));

        assertThat(hop.status()).isEqualTo(AiaStatus.UNPARSEABLE);
        assertThat(hop.detail()).contains("/junk.cer").doesNotContain("Exception");
    }

    @Test
    void slowServerTimesOut() {
        server.createContext("/slow.cer", ex -> {
            count("/slow.cer");
            try {
                Thread.sleep(120_000); // far beyond the 800 ms timeout (a daemon thread: nothing waits for it)
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            send(ex, 200, CertificateEncoder.der(intermediate.cert()));
        });

        long start = System.nanoTime();
        AiaHop hop = new AiaFetcher(SHORT_DEADLINE, new AddressGuard(SHORT_DEADLINE), vertx)
                .fetchIssuer(leafWithAia(base + "/slow.cer"));
        long elapsedMs = (System.nanoTime() - start) / 1_000_000;

        assertThat(hop.status()).isEqualTo(AiaStatus.TIMEOUT);
        // at least the timeout, and nowhere near the server's delay (the rest is slack for a loaded machine)
        assertThat(elapsedMs).isBetween(700L, 60_000L);
    }

    @Test
    void tricklingServerIsCutAtTheHardDeadline() {
        byte[] der = CertificateEncoder.der(intermediate.cert());
        server.createContext("/trickle.cer", ex -> {
            ex.sendResponseHeaders(200, der.length);
            try (OutputStream out = ex.getResponseBody()) {
                for (byte b : der) {
                    out.write(b);
                    out.flush();
                    Thread.sleep(300); // each read succeeds inside SO_TIMEOUT; the whole body would take minutes
                }
            } catch (IOException | InterruptedException ignored) {
                // client gave up
            }
        });

        long start = System.nanoTime();
        AiaHop hop = new AiaFetcher(SHORT_DEADLINE, new AddressGuard(SHORT_DEADLINE), vertx)
                .fetchIssuer(leafWithAia(base + "/trickle.cer"));
        long elapsedMs = (System.nanoTime() - start) / 1_000_000;

        assertThat(hop.status()).isEqualTo(AiaStatus.TIMEOUT);
        // the body alone would take about four minutes: cut long before, whatever the machine's load
        assertThat(elapsedMs).isLessThan(60_000L);
    }

    @Test
    void wrongCertificateIsNotIssuer() {
        TestPki.Cert stranger = TestPki.root("Somebody Else");
        serve("/wrong.cer", 200, "application/pkix-cert", CertificateEncoder.der(stranger.cert()));

        AiaHop hop = fetcher().fetchIssuer(leafWithAia(base + "/wrong.cer"));

        assertThat(hop.status()).isEqualTo(AiaStatus.NOT_ISSUER);
        assertThat(hop.issuer()).isNull();
    }

    @Test
    void triesNextUrlWhenFirstFails() {
        serve("/int.cer", 200, "application/pkix-cert", CertificateEncoder.der(intermediate.cert()));

        AiaHop hop = fetcher().fetchIssuer(leafWithAia("ldap://dir.test/cn=x", base + "/gone.cer", base + "/int.cer"));

        assertThat(hop.status()).isEqualTo(AiaStatus.FETCHED);
        assertThat(hop.attempts()).extracting(AiaFetch::status)
                .containsExactly(AiaStatus.UNSUPPORTED_SCHEME, AiaStatus.HTTP_ERROR, AiaStatus.FETCHED);
    }

    @Test
    void noExtensionAndUnsupportedSchemes() {
        X509Certificate noAia = intermediate.issueLeaf("plain.test").cert();
        AiaHop none = fetcher().fetchIssuer(noAia);
        assertThat(none.status()).isEqualTo(AiaStatus.NO_AIA_EXTENSION);
        assertThat(none.attempts()).isEmpty();

        AiaHop ldap = fetcher().fetchIssuer(leafWithAia("ldap://dir.test/cn=CA?cACertificate", "ftp://x.test/a"));
        assertThat(ldap.status()).isEqualTo(AiaStatus.UNSUPPORTED_SCHEME);
        assertThat(ldap.detail()).contains("Only unsupported").contains("ldap://");
    }

    @Test
    void cacheServesRepeatsAndNegativeResultsExpireSooner() {
        serve("/int.cer", 200, "application/pkix-cert", CertificateEncoder.der(intermediate.cert()));
        server.createContext("/flaky.cer", ex -> {
            count("/flaky.cer");
            send(ex, 503, new byte[0]);
        });
        MutableClock clock = new MutableClock();
        AiaFetcher fetcher = new AiaFetcher(SETTINGS, new AddressGuard(SETTINGS), vertx,
                new AiaFetcher.CachePolicy(10, Duration.ofHours(1), Duration.ofMinutes(5)), clock);

        AiaFetch first = fetcher.fetch(base + "/int.cer");
        AiaFetch second = fetcher.fetch(base + "/int.cer");
        assertThat(first.fromCache()).isFalse();
        assertThat(second.fromCache()).isTrue();
        assertThat(second.certificates()).containsExactly(intermediate.cert());
        assertThat(hits("/int.cer")).isEqualTo(1);

        assertThat(fetcher.fetch(base + "/flaky.cer").status()).isEqualTo(AiaStatus.HTTP_ERROR);
        assertThat(fetcher.fetch(base + "/flaky.cer").fromCache()).isTrue();
        assertThat(hits("/flaky.cer")).isEqualTo(1);

        clock.advance(Duration.ofMinutes(6));
        assertThat(fetcher.fetch(base + "/flaky.cer").fromCache()).isFalse();
        assertThat(hits("/flaky.cer")).isEqualTo(2);
        assertThat(fetcher.fetch(base + "/int.cer").fromCache()).isTrue();

        clock.advance(Duration.ofHours(1));
        assertThat(fetcher.fetch(base + "/int.cer").fromCache()).isFalse();
        assertThat(hits("/int.cer")).isEqualTo(2);
    }

    @Test
    void cacheIsBounded() {
        serve("/int.cer", 200, "application/pkix-cert", CertificateEncoder.der(intermediate.cert()));
        AiaFetcher fetcher = new AiaFetcher(SETTINGS, new AddressGuard(SETTINGS), vertx,
                new AiaFetcher.CachePolicy(2, Duration.ofHours(1), Duration.ofMinutes(5)), Clock.systemUTC());
        fetcher.fetch(base + "/int.cer?a");
        fetcher.fetch(base + "/int.cer?a"); // a is now the most used
        fetcher.fetch(base + "/int.cer?b");
        fetcher.fetch(base + "/int.cer?c");
        fetcher.fetch(base + "/int.cer?d");
        // which of the rarely used URLs stays is the cache's policy (W-TinyLFU); the bound and the frequent one are ours
        assertThat(fetcher.cacheSize()).isEqualTo(2);
        assertThat(fetcher.fetch(base + "/int.cer?a").fromCache()).isTrue();
    }

    @Test
    void completesMultipleHopsUpToSelfSignedRoot() {
        TestPki.Cert int1 = root.intermediate("Hop Intermediate 1").aia(base + "/root.cer").build();
        TestPki.Cert int2 = int1.intermediate("Hop Intermediate 2").aia(base + "/int1.p7c").build();
        X509Certificate hopLeaf = int2.leaf("hops.contoso.test").aia(base + "/int2.cer").build().cert();
        serve("/int2.cer", 200, "application/pkix-cert", CertificateEncoder.der(int2.cert()));
        serve("/int1.p7c", 200, "application/pkcs7-mime", CertificateEncoder.toPkcs7Der(List.of(int1.cert())));
        serve("/root.cer", 200, "application/x-pem-file",
                CertificateEncoder.toPem(List.of(root.cert())).getBytes(StandardCharsets.US_ASCII));

        AiaCompletion c = fetcher().complete(hopLeaf);

        assertThat(c.stop()).isEqualTo(AiaCompletion.Stop.SELF_SIGNED);
        assertThat(c.fetched()).containsExactly(int2.cert(), int1.cert(), root.cert());
        assertThat(c.start()).isEqualTo(hopLeaf);
        assertThat(c.hops()).extracting(AiaHop::issuerUrl)
                .containsExactly(base + "/int2.cer", base + "/int1.p7c", base + "/root.cer");
        assertThat(c.failure()).isEmpty();
    }

    @Test
    void completionStopsAtMaxHopsAndReportsUnavailable() {
        TestPki.Cert int1 = root.intermediate("Hop Intermediate 1").aia(base + "/root.cer").build();
        X509Certificate hopLeaf = int1.leaf("hops.contoso.test").aia(base + "/int1.cer").build().cert();
        serve("/int1.cer", 200, "application/pkix-cert", CertificateEncoder.der(int1.cert()));

        AiaCompletion limited = fetcher().complete(hopLeaf, 1);
        assertThat(limited.stop()).isEqualTo(AiaCompletion.Stop.MAX_HOPS);
        assertThat(limited.fetched()).containsExactly(int1.cert());

        AiaCompletion broken = fetcher().complete(hopLeaf, 4); // /root.cer is not served
        assertThat(broken.stop()).isEqualTo(AiaCompletion.Stop.UNAVAILABLE);
        assertThat(broken.fetched()).containsExactly(int1.cert());
        assertThat(broken.failure()).hasValueSatisfying(h -> assertThat(h.status()).isEqualTo(AiaStatus.HTTP_ERROR));

        AiaCompletion atRoot = fetcher().complete(root.cert());
        assertThat(atRoot.stop()).isEqualTo(AiaCompletion.Stop.SELF_SIGNED);
        assertThat(atRoot.hops()).isEmpty();
    }

    @Test
    void blockedWhenGuardForbidsLoopback() {
        serve("/int.cer", 200, "application/pkix-cert", CertificateEncoder.der(intermediate.cert()));
        ScannerSettings production = ScannerTestSettings.with(Map.of("aia-timeout", "800ms"));
        AiaFetcher fetcher = new AiaFetcher(production, new AddressGuard(production), vertx);

        AiaHop byLiteral = fetcher.fetchIssuer(leaf.cert());
        AiaHop byName = fetcher.fetchIssuer(leafWithAia("http://localhost:" + server.getAddress().getPort() + "/int.cer"));

        assertThat(byLiteral.status()).isEqualTo(AiaStatus.BLOCKED_ADDRESS);
        assertThat(byLiteral.detail()).contains("loopback");
        assertThat(byName.status()).isEqualTo(AiaStatus.BLOCKED_ADDRESS);
        assertThat(hits("/int.cer")).isZero();
    }

    @Test
    void redirectTargetIsCheckedByTheGuardAgain() {
        // Even an on-premises guard refuses the unspecified address (a connect to it reaches the local host).
        server.createContext("/to-any.cer", ex -> {
            count("/to-any.cer");
            ex.getResponseHeaders().add("Location", "http://0.0.0.0:" + server.getAddress().getPort() + "/int.cer");
            send(ex, 302, new byte[0]);
        });
        serve("/int.cer", 200, "application/pkix-cert", CertificateEncoder.der(intermediate.cert()));

        AiaFetch f = fetcher().fetch(base + "/to-any.cer");

        assertThat(f.status()).isEqualTo(AiaStatus.BLOCKED_ADDRESS);
        assertThat(hits("/to-any.cer")).isEqualTo(1);
        assertThat(hits("/int.cer")).isZero();
    }

    @Test
    void connectsToTheAddressTheGuardCheckedAndNamesTheHostInTheHostHeader() {
        // The name resolves only through the guard's resolver: a client that looked it up again would fail.
        AtomicInteger lookups = new AtomicInteger();
        AddressGuard guard = new AddressGuard(true, host -> {
            lookups.incrementAndGet();
            if (!host.equals("pki.only-the-guard-knows.test")) {
                throw new java.net.UnknownHostException(host);
            }
            return new InetAddress[] {InetAddress.getByName("127.0.0.1")};
        }, Duration.ofSeconds(1));
        List<String> hostHeaders = new java.util.concurrent.CopyOnWriteArrayList<>();
        byte[] der = CertificateEncoder.der(intermediate.cert());
        server.createContext("/named.cer", ex -> {
            hostHeaders.add(ex.getRequestHeaders().getFirst("Host"));
            send(ex, 200, der);
        });
        String url = "http://pki.only-the-guard-knows.test:" + server.getAddress().getPort() + "/named.cer";

        AiaFetch f = new AiaFetcher(SETTINGS, guard, vertx).fetch(url);

        assertThat(f.status()).as(f.detail()).isEqualTo(AiaStatus.FETCHED);
        assertThat(f.address().getHostAddress()).isEqualTo("127.0.0.1");
        assertThat(lookups).hasValue(1);
        assertThat(hostHeaders).containsExactly("pki.only-the-guard-knows.test:" + server.getAddress().getPort());
    }

    @Test
    void dnsFailureForInvalidHost() {
        AiaHop hop = fetcher().fetchIssuer(leafWithAia("http://pki.contoso.invalid/int.cer"));
        assertThat(hop.status()).isEqualTo(AiaStatus.DNS_FAILURE);
    }

    /** Test clock that only moves when told to. */
    private static final class MutableClock extends Clock {
        private Instant now = Instant.parse("2025-01-01T00:00:00Z");

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
