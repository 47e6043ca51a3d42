package org.trustfleet.scan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.vertx.core.Vertx;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.trustfleet.pki.CertificateEncoder;
import org.trustfleet.pki.Finding;
import org.trustfleet.pki.FindingCode;
import org.trustfleet.pki.TestPki;
import org.trustfleet.truststore.TestStores;

/**
 * AIA URLs are the certificate issuer's choice: the campaign's findings against the AIA fetcher as permanent tests.
 * Every server here is on loopback, and every test that needs loopback AIA opts in explicitly
 * ({@code aia.allow-loopback-and-link-local}); link-local and metadata addresses are checked against the guard's
 * classification only, never contacted.
 *
 * <ul>
 *   <li>time and connections are bounded per scan and per hop, whatever the URLs (20 caIssuers URLs that accept and
 *       never answer);</li>
 *   <li>AIA has its own guard: no loopback or link-local even where endpoints may be private, unless opted in;</li>
 *   <li>failure details are the product's own words: never the server's reason phrase, Location or body.</li>
 * </ul>
 */
class AiaHardeningTest {

    private static Vertx vertx;

    private final TestPki.Cert root = TestPki.root("AIA Hardening Root");
    private final TestPki.Cert intermediate = root.issueIntermediate("AIA Hardening Intermediate");
    private SilentServer silent;
    private RawHttpServer raw;

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
        silent = new SilentServer();
        raw = new RawHttpServer();
    }

    @AfterEach
    void stop() throws IOException {
        silent.close();
        raw.close();
    }

    /** Loopback AIA explicitly allowed (tests only), plus the given {@code trustfleet.scanner.*} keys. */
    private static ScannerSettings loopbackAia(String... keyValues) {
        Map<String, String> properties = new java.util.HashMap<>(Map.of(
                "allow-private-addresses", "true",
                "aia.allow-loopback-and-link-local", "true"));
        for (int i = 0; i < keyValues.length; i += 2) {
            properties.put(keyValues[i], keyValues[i + 1]);
        }
        return ScannerTestSettings.with(properties);
    }

    private static AiaFetcher fetcher(ScannerSettings settings) {
        return new AiaFetcher(settings, new AddressGuard(settings), vertx);
    }

    private X509Certificate leafWithSilentUrls(String name, int count) {
        String[] urls = IntStream.range(0, count).mapToObj(i -> silent.url("/" + name + "-" + i + ".cer"))
                .toArray(String[]::new);
        return intermediate.leaf(name + ".aia-bound.test").aia(urls).build().cert();
    }

    // --- defect 2: AIA time and connections are bounded per scan and per hop -----------------------------------

    @Test
    void aScanWithTwentySilentCaIssuersUrlsEndsAtTheScanDeadline() {
        // each URL alone may take 30 s: twenty of them took 20 x 30 s before the scan had a deadline of its own
        ScannerSettings settings = loopbackAia("aia-timeout", "30s", "aia.scan-deadline", "1s",
                "aia.max-fetches-per-scan", "20", "aia.max-fetches-per-hop", "20");
        ChainJudge judge = new ChainJudge(java.util.Optional.of(fetcher(settings)));
        X509Certificate leaf = leafWithSilentUrls("deadline", 20);

        long start = System.nanoTime();
        ChainEvaluation evaluation = assertTimeoutPreemptively(Duration.ofSeconds(60), () -> judge.evaluate(
                List.of(leaf), "deadline.aia-bound.test", TestStores.snapshot(Map.of(30, List.of(root.cert()))),
                List.of(), subject -> List.of(), Instant.now()));
        long elapsedMs = (System.nanoTime() - start) / 1_000_000;

        // the bound is the 1 s deadline; the rest is slack for a loaded machine, far below one 30 s fetch
        assertThat(elapsedMs).isLessThan(15_000L);
        assertThat(evaluation.completedPath()).isEmpty();
        assertThat(evaluation.findings()).extracting(Finding::code).contains(FindingCode.AIA_UNAVAILABLE);
        assertThat(silent.awaitAccepts(1)).as("connections opened").isBetween(1, 2);
    }

    @ParameterizedTest(name = "per scan {0}, per hop {1}: at most {2} connections")
    @CsvSource({"3, 20, 3", "20, 2, 2", "6, 2, 2"})
    void aScanOpensAtMostTheAllowedNumberOfConnections(int perScan, int perHop, int expected) {
        ScannerSettings settings = loopbackAia("aia-timeout", "1s", "aia.scan-deadline", "60s",
                "aia.max-fetches-per-scan", String.valueOf(perScan),
                "aia.max-fetches-per-hop", String.valueOf(perHop));
        ChainJudge judge = new ChainJudge(java.util.Optional.of(fetcher(settings)));
        X509Certificate leaf = leafWithSilentUrls("count-" + perScan + "-" + perHop, 20);

        ChainEvaluation evaluation = assertTimeoutPreemptively(Duration.ofSeconds(60), () -> judge.evaluate(
                List.of(leaf), "count.aia-bound.test", TestStores.snapshot(Map.of(30, List.of(root.cert()))),
                List.of(), subject -> List.of(), Instant.now()));

        assertThat(silent.awaitAccepts(expected)).as("connections opened").isEqualTo(expected);
        assertThat(evaluation.findings()).filteredOn(f -> f.code() == FindingCode.AIA_UNAVAILABLE)
                .singleElement().satisfies(f -> assertThat(f.detail())
                        .contains((20 - expected) + " more caIssuers URL(s) were not tried"));
    }

    @Test
    void oneBudgetIsSharedByEveryCertificateOfTheScan() {
        AiaFetcher fetcher = fetcher(loopbackAia("aia-timeout", "1s", "aia.scan-deadline", "60s",
                "aia.max-fetches-per-scan", "3", "aia.max-fetches-per-hop", "2"));
        AiaBudget budget = fetcher.budget();
        List<AiaCompletion> completions = new ArrayList<>();
        for (String name : List.of("first", "second", "third", "fourth")) {
            completions.add(fetcher.complete(leafWithSilentUrls("shared-" + name, 5), budget));
        }

        assertThat(silent.awaitAccepts(3)).isEqualTo(3);
        assertThat(budget.used()).isEqualTo(3);
        // the first two certificates used the scan's three fetches; the last ones were not even tried
        assertThat(completions.get(3).failure()).hasValueSatisfying(hop -> {
            assertThat(hop.status()).isEqualTo(AiaStatus.BUDGET_EXHAUSTED);
            assertThat(hop.attempts()).extracting(AiaFetch::status).containsOnly(AiaStatus.BUDGET_EXHAUSTED);
        });
        // a URL skipped for want of budget is not remembered as failed: the next scan tries it
        AiaFetch later = fetcher.fetch(silent.url("/shared-fourth-0.cer"));
        assertThat(later.fromCache()).isFalse();
        assertThat(later.status()).isEqualTo(AiaStatus.TIMEOUT);
    }

    // --- defect 3: AIA's own address guard ------------------------------------------------------------------------

    @Test
    void aiaRefusesLoopbackEvenWhereEndpointsMayBePrivate() {
        raw.answer("/int.cer", ok(CertificateEncoder.der(intermediate.cert())));
        // on-premises endpoint scanning: private addresses allowed, AIA's opt-in left at its default
        ScannerSettings onPremises = ScannerTestSettings.with(Map.of("allow-private-addresses", "true"));
        assertThat(onPremises.aia().allowLoopbackAndLinkLocal()).isFalse();
        X509Certificate leaf = intermediate.leaf("onprem.aia-guard.test").aia(raw.url("/int.cer")).build().cert();

        // the endpoint guard would let the scanner reach loopback; the fetcher narrows it whatever it is given
        assertThat(new AddressGuard(onPremises).isAllowed(InetAddress.getLoopbackAddress())).isTrue();
        AiaHop hop = fetcher(onPremises).fetchIssuer(leaf);

        assertThat(hop.status()).isEqualTo(AiaStatus.BLOCKED_ADDRESS);
        assertThat(hop.detail()).contains("loopback").contains("AIA fetches do not contact it");
        assertThat(raw.requests()).as("requests reaching the loopback CA repository").isZero();
    }

    @Test
    void anOperatorMayLetAiaReachLoopback() {
        raw.answer("/int.cer", ok(CertificateEncoder.der(intermediate.cert())));
        X509Certificate leaf = intermediate.leaf("optin.aia-guard.test").aia(raw.url("/int.cer")).build().cert();

        AiaHop hop = fetcher(loopbackAia("aia-timeout", "15s")).fetchIssuer(leaf);

        assertThat(hop.status()).as(hop.detail()).isEqualTo(AiaStatus.FETCHED);
        assertThat(raw.requests()).isEqualTo(1);
    }

    @Test
    void theOptInDoesNotOpenLoopbackWhereEndpointsMayNotBePrivate() {
        raw.answer("/int.cer", ok(CertificateEncoder.der(intermediate.cert())));
        ScannerSettings publicOnly = ScannerTestSettings.with(Map.of("aia.allow-loopback-and-link-local", "true"));
        X509Certificate leaf = intermediate.leaf("public.aia-guard.test").aia(raw.url("/int.cer")).build().cert();

        assertThat(fetcher(publicOnly).fetchIssuer(leaf).status()).isEqualTo(AiaStatus.BLOCKED_ADDRESS);
        assertThat(raw.requests()).isZero();
    }

    /** Classification only: nothing here is contacted. */
    @ParameterizedTest(name = "{0}: endpoints {1}, AIA {2}, AIA opted in {3}")
    @CsvSource({
            "127.0.0.1, true, false, true",
            "::1, true, false, true",
            "::ffff:127.0.0.1, true, false, true",
            "169.254.169.254, true, false, true",
            "::ffff:169.254.169.254, true, false, true",
            "fe80::1, true, false, true",
            "10.0.0.1, true, true, true",
            "192.168.1.20, true, true, true",
            "fd00:ec2::254, true, true, true",
            "100.100.100.200, true, true, true",
            "8.8.8.8, true, true, true",
            "0.0.0.0, false, false, false",
            "224.0.0.1, false, false, false",
    })
    void aiaGuardClassification(String literal, boolean endpoints, boolean aia, boolean aiaOptedIn)
            throws Exception {
        InetAddress address = InetAddress.getByName(literal);
        AddressGuard onPremises = new AddressGuard(true, AddressGuard.HostResolver.system(), Duration.ofSeconds(1));
        assertThat(onPremises.isAllowed(address)).as("endpoint guard").isEqualTo(endpoints);
        assertThat(onPremises.forAia(false).isAllowed(address)).as("AIA guard").isEqualTo(aia);
        assertThat(onPremises.forAia(true).isAllowed(address)).as("AIA guard, opted in").isEqualTo(aiaOptedIn);
        // an AIA guard stays one: asking it again for more does not widen it
        assertThat(onPremises.forAia(false).forAia(true).isAllowed(address)).isEqualTo(aia);
    }

    // --- defect 4: failure details are the product's own words ----------------------------------------------------

    @Test
    void failureDetailsNeverEchoTheServer() {
        String secret = "SECRET-7f3a";
        raw.answer("/reason.cer", "HTTP/1.1 503 " + secret + " db=10.0.0.5 password=hunter2\r\nContent-Length: 0\r\n"
                + "Connection: close\r\n\r\n");
        raw.answer("/twice.cer", redirect(raw.url("/" + secret + "-once.cer")));
        raw.answer("/" + secret + "-once.cer", redirect(raw.url("/" + secret + "-twice.cer")));
        raw.answer("/to-404.cer", redirect("/" + secret + "-missing.cer"));
        raw.answer("/" + secret + "-missing.cer", "HTTP/1.1 404 " + secret + " not here\r\nContent-Length: 0\r\n"
                + "Connection: close\r\n\r\n");
        raw.answer("/to-nowhere.cer", redirect("http://" + secret.toLowerCase(java.util.Locale.ROOT)
                + ".internal.invalid/x.cer"));
        raw.answer("/to-ftp.cer", redirect("ftp://" + secret + "/x.cer"));
        raw.answer("/to-blocked.cer", redirect("http://0.0.0.0:" + raw.port() + "/" + secret + ".cer"));
        raw.answer("/no-location.cer", "HTTP/1.1 302 " + secret + "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        raw.answer("/junk.cer", ok(("-----BEGIN " + secret + "-----\nAAAA\n").getBytes(StandardCharsets.US_ASCII)));
        AiaFetcher fetcher = fetcher(loopbackAia("aia-timeout", "15s", "aia.scan-deadline", "60s"));

        Map<String, AiaStatus> expected = Map.of(
                "/reason.cer", AiaStatus.HTTP_ERROR,
                "/twice.cer", AiaStatus.TOO_MANY_REDIRECTS,
                "/to-404.cer", AiaStatus.HTTP_ERROR,
                "/to-nowhere.cer", AiaStatus.DNS_FAILURE,
                "/to-ftp.cer", AiaStatus.UNSUPPORTED_SCHEME,
                "/to-blocked.cer", AiaStatus.BLOCKED_ADDRESS,
                "/no-location.cer", AiaStatus.HTTP_ERROR,
                "/junk.cer", AiaStatus.UNPARSEABLE);
        expected.forEach((path, status) -> {
            AiaFetch f = fetcher.fetch(raw.url(path));
            assertThat(f.status()).as(path + ": " + f.detail()).isEqualTo(status);
            assertThat(f.detail()).as(path).doesNotContainIgnoringCase(secret).doesNotContain("hunter2")
                    .doesNotContain("10.0.0.5").contains(raw.url(path));
        });
        assertThat(fetcher.fetch(raw.url("/reason.cer")).detail()).contains("HTTP 503");
        assertThat(fetcher.fetch(raw.url("/to-404.cer")).detail()).contains("HTTP 404").contains("redirect");
        assertThat(fetcher.fetch(raw.url("/twice.cer")).detail()).contains("Redirect refused");
    }

    @Test
    void theScanFindingCarriesTheFixedReasonToo() {
        raw.answer("/reason.cer", "HTTP/1.1 500 SECRET-in-finding\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        X509Certificate leaf = intermediate.leaf("finding.aia-bound.test").aia(raw.url("/reason.cer")).build().cert();
        ChainJudge judge = new ChainJudge(java.util.Optional.of(fetcher(loopbackAia("aia-timeout", "15s"))));

        ChainEvaluation evaluation = judge.evaluate(List.of(leaf), "finding.aia-bound.test",
                TestStores.snapshot(Map.of(30, List.of(root.cert()))), List.of(), subject -> List.of(), Instant.now());

        assertThat(evaluation.findings()).filteredOn(f -> f.code() == FindingCode.AIA_UNAVAILABLE).singleElement()
                .satisfies(f -> assertThat(f.detail()).contains("HTTP 500").doesNotContain("SECRET"));
    }

    private static String ok(byte[] body) {
        return "HTTP/1.1 200 OK\r\nContent-Type: application/pkix-cert\r\nContent-Length: " + body.length
                + "\r\nConnection: close\r\n\r\n" + new String(body, StandardCharsets.ISO_8859_1);
    }

    private static String redirect(String location) {
        return "HTTP/1.1 302 Found\r\nLocation: " + location + "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
    }

    /** Accepts connections on 127.0.0.1 and never answers, counting them. */
    private static final class SilentServer implements AutoCloseable {
        private final ServerSocket socket;
        private final List<Socket> held = new CopyOnWriteArrayList<>();
        private final AtomicInteger accepts = new AtomicInteger();

        SilentServer() throws IOException {
            socket = new ServerSocket();
            socket.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 100);
            Thread t = new Thread(() -> {
                while (!socket.isClosed()) {
                    try {
                        held.add(socket.accept());
                        accepts.incrementAndGet();
                    } catch (IOException e) {
                        return;
                    }
                }
            }, "aia-silent-server");
            t.setDaemon(true);
            t.start();
        }

        String url(String path) {
            return "http://127.0.0.1:" + socket.getLocalPort() + path;
        }

        /**
         * The accepts so far, once there are at least {@code atLeast} (or 10 s passed): a connection the client made
         * may reach {@code accept()} a moment after the client gave up on it.
         */
        int awaitAccepts(int atLeast) {
            long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (accepts.get() < atLeast && System.nanoTime() - end < 0) {
                try {
                    Thread.sleep(10);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            return accepts.get();
        }

        @Override
        public void close() throws IOException {
            socket.close();
            for (Socket s : held) {
                s.close();
            }
        }
    }

    /** Answers each path with fixed raw bytes (any status line, any headers), one response per connection. */
    private static final class RawHttpServer implements AutoCloseable {
        private final ServerSocket socket;
        private final Map<String, String> responses = new ConcurrentHashMap<>();
        private final AtomicInteger requests = new AtomicInteger();

        RawHttpServer() throws IOException {
            socket = new ServerSocket();
            socket.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 50);
            Thread t = new Thread(() -> {
                while (!socket.isClosed()) {
                    try (Socket s = socket.accept()) {
                        serve(s);
                    } catch (IOException e) {
                        // closed, or a client that hung up: next connection
                    }
                }
            }, "aia-raw-server");
            t.setDaemon(true);
            t.start();
        }

        private void serve(Socket s) throws IOException {
            s.setSoTimeout(10_000);
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(),
                    StandardCharsets.ISO_8859_1));
            String requestLine = in.readLine();
            for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
                // headers are not needed
            }
            if (requestLine == null) {
                return;
            }
            requests.incrementAndGet();
            String path = requestLine.split(" ")[1];
            String response = responses.getOrDefault(path,
                    "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
            OutputStream out = s.getOutputStream();
            out.write(response.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
        }

        void answer(String path, String rawResponse) {
            responses.put(path, rawResponse);
        }

        int port() {
            return socket.getLocalPort();
        }

        String url(String path) {
            return "http://127.0.0.1:" + port() + path;
        }

        int requests() {
            return requests.get();
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
