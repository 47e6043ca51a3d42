package org.trustfleet.scan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.trustfleet.testing.Contract.as;
import static org.trustfleet.testing.Contract.asOperator;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.trustfleet.pki.CertificateEncoder;
import org.trustfleet.pki.CertificateSummary;
import org.trustfleet.pki.Sha256;
import org.trustfleet.pki.ConscryptOracle;
import org.trustfleet.pki.TestPki;
import org.trustfleet.pki.TestPki.Cert;
import org.trustfleet.testing.ApiFixtures;
import org.trustfleet.testing.EmbeddedPostgresResource;
import org.trustfleet.testing.StaticHttpServer;
import org.trustfleet.pki.Certificates;
import org.trustfleet.truststore.CertificateStore;
import org.trustfleet.truststore.PlatformStore;
import org.trustfleet.truststore.TrustStoreService;

/**
 * The scanner end to end: real TLS servers on loopback present chains generated here, the service scans them
 * through the API, and every per-API-level verdict is checked against Android's own TrustManagerImpl.
 *
 * <p>Two operator stores stand for test API levels: level 90 trusts the old root, level 91 the old and the new.
 */
@QuarkusTest
@WithTestResource(value = EmbeddedPostgresResource.class, scope = TestResourceScope.GLOBAL)
class ScanScenariosTest {
    static final String HOST = "sts.contoso.test";
    static final Cert OLD_ROOT = TestPki.root("Scenario Old Root");
    static final Cert NEW_ROOT = TestPki.root("Scenario New Root");
    private static StaticHttpServer aia;

    @Inject
    TrustStoreService stores;

    @Inject
    CertificateStore certificates;

    @Inject
    ScanService scans;

    private String tenant;
    private String admin;

    @BeforeEach
    void setUp() throws Exception {
        asOperator().contentType(ContentType.JSON).body(Map.of("name", "scenario-api-90", "platform", "android",
                "apiLevel", 90, "pem", CertificateEncoder.toPem(List.of(OLD_ROOT.cert()))))
                .post("/api/v1/trust-stores").then().statusCode(org.hamcrest.Matchers.oneOf(200, 201));
        asOperator().contentType(ContentType.JSON).body(Map.of("name", "scenario-api-91", "platform", "android",
                "apiLevel", 91, "pem", CertificateEncoder.toPem(List.of(OLD_ROOT.cert(), NEW_ROOT.cert()))))
                .post("/api/v1/trust-stores").then().statusCode(org.hamcrest.Matchers.oneOf(200, 201));
        if (aia == null) {
            aia = StaticHttpServer.start();
        }
        String[] t = ApiFixtures.tenantWithAdmin("scan");
        tenant = t[0];
        admin = t[1];
    }

    @AfterAll
    static void stopAia() {
        if (aia != null) {
            aia.close();
        }
    }

    @Test
    void completeChainIsTrustedWhereTheRootIs() throws Exception {
        Cert intermediate = OLD_ROOT.issueIntermediate("Complete CA");
        Cert leaf = intermediate.issueLeaf(HOST);
        JsonPath scan = scanServer(TestPki.certs(leaf, intermediate), leaf);
        assertThat(scan.getString("status")).isEqualTo("OK");
        assertThat(scan.getString("tlsVersion")).startsWith("TLSv1.");
        assertThat(scan.getList("presented.sha256")).containsExactly(leaf.sha256(), intermediate.sha256());
        assertThat(scan.getList("completedPath")).containsExactly(leaf.sha256(), intermediate.sha256(),
                OLD_ROOT.sha256());
        assertThat(codes(scan)).doesNotContain("MISSING_INTERMEDIATE", "WRONG_ORDER", "HOSTNAME_MISMATCH")
                .contains("UNTRUSTED_ROOT"); // not in any bundled Android store
        assertThat(verdict(scan, 90).getBoolean("trusted")).isTrue();
        assertThat(verdict(scan, 91).getBoolean("trusted")).isTrue();
        assertThat(verdict(scan, 34).getBoolean("trusted")).isFalse();
        assertThat(verdict(scan, 34).getList("missing")).containsExactly(OLD_ROOT.sha256());
        assertAgreesWithConscrypt(scan, TestPki.certs(leaf, intermediate));
    }

    @Test
    void leafOnlyIsCompletedThroughAia() throws Exception {
        Cert intermediate = OLD_ROOT.issueIntermediate("AIA Served CA");
        String url = aia.serve("/aia-" + intermediate.sha256() + ".cer", intermediate.cert().getEncoded());
        Cert leaf = intermediate.leaf(HOST).aia(url).build();
        JsonPath scan = scanServer(TestPki.certs(leaf), leaf);
        assertThat(codes(scan)).contains("AIA_FETCHED", "MISSING_INTERMEDIATE");
        assertThat(finding(scan, "MISSING_INTERMEDIATE").getString("sha256")).isEqualTo(intermediate.sha256());
        assertThat(finding(scan, "MISSING_INTERMEDIATE").getString("detail")).contains("AIA supplied it");
        assertThat(scan.getList("completedPath")).containsExactly(leaf.sha256(), intermediate.sha256(),
                OLD_ROOT.sha256());
        assertThat(verdict(scan, 90).getBoolean("trusted")).isFalse();
        assertThat(verdict(scan, 90).getList("missing")).containsExactly(intermediate.sha256());
        assertAgreesWithConscrypt(scan, TestPki.certs(leaf));
    }

    @Test
    void leafOnlyWithoutAiaCannotBeCompletedUntilTheIntermediateIsKnown() throws Exception {
        Cert intermediate = OLD_ROOT.issueIntermediate("Unpublished CA");
        Cert lonely = intermediate.issueLeaf(HOST);
        JsonPath scan = scanServer(TestPki.certs(lonely), lonely);
        assertThat(codes(scan)).contains("MISSING_INTERMEDIATE");
        assertThat(scan.getList("completedPath")).isEmpty();
        assertThat(verdict(scan, 90).getBoolean("trusted")).isFalse();
        assertThat(verdict(scan, 90).getList("missing")).isEmpty();
        assertAgreesWithConscrypt(scan, TestPki.certs(lonely));

        // another endpoint sends the intermediate: from then on it is known and completes the first chain
        Cert sibling = intermediate.issueLeaf(HOST);
        scanServer(TestPki.certs(sibling, intermediate), sibling);
        JsonPath again = scanServer(TestPki.certs(lonely), lonely);
        assertThat(again.getList("completedPath")).containsExactly(lonely.sha256(), intermediate.sha256(),
                OLD_ROOT.sha256());
        assertThat(finding(again, "MISSING_INTERMEDIATE").getString("detail")).contains("known from earlier scans");
        assertThat(verdict(again, 90).getList("missing")).containsExactly(intermediate.sha256());
    }

    @Test
    void privateRootCompletesThroughTenantAnchor() throws Exception {
        Cert privateRoot = TestPki.root("Contoso Private Root");
        Cert intermediate = privateRoot.issueIntermediate("Contoso Issuing CA");
        Cert leaf = intermediate.issueLeaf(HOST);
        as(admin).contentType(ContentType.JSON).body(Map.of("pem", CertificateEncoder.toPem(
                        List.of(privateRoot.cert())), "note", "AD FS CA"))
                .post("/api/v1/tenants/{t}/anchors", tenant).then().statusCode(201);
        JsonPath scan = scanServer(TestPki.certs(leaf, intermediate), leaf);
        assertThat(scan.getList("completedPath")).containsExactly(leaf.sha256(), intermediate.sha256(),
                privateRoot.sha256());
        assertThat(finding(scan, "UNTRUSTED_ROOT").getString("sha256")).isEqualTo(privateRoot.sha256());
        assertThat(verdict(scan, 90).getBoolean("trusted")).isFalse();
        assertThat(verdict(scan, 90).getList("missing")).containsExactly(privateRoot.sha256());
        assertAgreesWithConscrypt(scan, TestPki.certs(leaf, intermediate));
    }

    @Test
    void rootPresentOnlyFromAGivenLevel() throws Exception {
        Cert intermediate = NEW_ROOT.issueIntermediate("New Root Issuing CA");
        Cert leaf = intermediate.issueLeaf(HOST);
        JsonPath scan = scanServer(TestPki.certs(leaf, intermediate), leaf);
        assertThat(verdict(scan, 90).getBoolean("trusted")).isFalse();
        assertThat(verdict(scan, 90).getList("missing")).containsExactly(NEW_ROOT.sha256());
        assertThat(verdict(scan, 91).getBoolean("trusted")).isTrue();
        assertThat(finding(scan, "UNTRUSTED_ROOT").getString("detail")).contains("90").doesNotContain("91");
        assertAgreesWithConscrypt(scan, TestPki.certs(leaf, intermediate));
    }

    @Test
    void crossSignedNewRootValidatesOnOldAndNewLevels() throws Exception {
        Cert cross = NEW_ROOT.crossSignedBy(OLD_ROOT);
        Cert intermediate = NEW_ROOT.issueIntermediate("Cross Era CA");
        Cert leaf = intermediate.issueLeaf(HOST);
        List<X509Certificate> presented = TestPki.certs(leaf, intermediate, cross);
        JsonPath scan = scanServer(presented, leaf);
        assertThat(verdict(scan, 90).getBoolean("trusted")).as("old level via the cross-sign").isTrue();
        assertThat(verdict(scan, 91).getBoolean("trusted")).as("new level via the new root").isTrue();
        // findings are built from the verdicts: the levels that trust the chain through the cross-sign are not named
        assertThat(finding(scan, "UNTRUSTED_ROOT").getString("detail")).doesNotContain("90").doesNotContain("91");
        assertAgreesWithConscrypt(scan, presented);
    }

    @Test
    void crossSignSeenElsewhereIsProposedToTheServer() throws Exception {
        // one endpoint sends the cross-signed new root, so the service has seen it
        Cert crossEraCa = NEW_ROOT.issueIntermediate("Cross Seen CA");
        Cert other = crossEraCa.issueLeaf(HOST);
        scanServer(TestPki.certs(other, crossEraCa, NEW_ROOT.crossSignedBy(OLD_ROOT)), other);
        // another sends only leaf + intermediate: the old level rejects it, the new one accepts it
        Cert intermediate = NEW_ROOT.issueIntermediate("Cross Needed CA");
        Cert leaf = intermediate.issueLeaf(HOST);
        JsonPath scan = scanServer(TestPki.certs(leaf, intermediate), leaf);

        assertThat(verdict(scan, 90).getBoolean("trusted")).isFalse();
        List<String> chain = scan.getList("serverFix.chain");
        assertThat(chain).hasSize(3).startsWith(leaf.sha256(), intermediate.sha256());
        X509Certificate cross = certificates.find(chain.get(2)).orElseThrow();
        assertThat(Certificates.sameSubjectAndKey(cross, NEW_ROOT.cert())).isTrue();
        assertThat(Certificates.isIssuedBy(cross, OLD_ROOT.cert())).as("a cross-sign by the old root").isTrue();
        assertThat(scan.getBoolean("serverFix.changesPresented")).isTrue();
        assertThat(scan.getList("serverFix.levelsNotFixed", Integer.class)).doesNotContain(90, 91);
        assertThat(serverFixVerdict(scan, 90)).containsEntry("trusted", true).containsEntry("trustedAsPresented",
                false);
        assertAgreesWithConscrypt(scan, TestPki.certs(leaf, intermediate));
        // the drift report's summary names level 90 as fixed by the proposed chain
        ServerFixSummary summary = scans.latestDigests(List.of(UUID.fromString(scan.getString("endpointId"))))
                .getFirst().serverFix();
        assertThat(summary.chain()).isEqualTo(chain);
        assertThat(summary.levelsFixed()).contains(90).doesNotContain(91);
    }

    @Test
    void expiredIntermediateFailsEverywhere() throws Exception {
        Cert intermediate = OLD_ROOT.intermediate("Expired CA").expired().build();
        Cert leaf = intermediate.issueLeaf(HOST);
        JsonPath scan = scanServer(TestPki.certs(leaf, intermediate), leaf);
        assertThat(codes(scan)).contains("EXPIRED");
        assertThat(finding(scan, "EXPIRED").getString("sha256")).isEqualTo(intermediate.sha256());
        assertThat(verdict(scan, 90).getBoolean("trusted")).isFalse();
        assertAgreesWithConscrypt(scan, TestPki.certs(leaf, intermediate));
    }

    @Test
    void wrongOrderIsFlaggedButStillValidates() throws Exception {
        Cert upper = OLD_ROOT.issueIntermediate("Upper CA");
        Cert lower = upper.issueIntermediate("Lower CA");
        Cert leaf = lower.issueLeaf(HOST);
        List<X509Certificate> presented = TestPki.certs(leaf, upper, lower);
        JsonPath scan = scanServer(presented, leaf);
        assertThat(codes(scan)).contains("WRONG_ORDER");
        assertThat(verdict(scan, 90).getBoolean("trusted")).isTrue();
        assertAgreesWithConscrypt(scan, presented);
    }

    @Test
    void extraUnrelatedCertificateIsFlagged() throws Exception {
        Cert intermediate = OLD_ROOT.issueIntermediate("Main CA");
        Cert leaf = intermediate.issueLeaf(HOST);
        Cert stray = TestPki.root("Stray Root").issueIntermediate("Stray CA");
        List<X509Certificate> presented = TestPki.certs(leaf, intermediate, stray);
        JsonPath scan = scanServer(presented, leaf);
        assertThat(codes(scan)).contains("EXTRA_CERTIFICATE");
        assertThat(finding(scan, "EXTRA_CERTIFICATE").getString("sha256")).isEqualTo(stray.sha256());
        assertThat(verdict(scan, 90).getBoolean("trusted")).isTrue();
        assertAgreesWithConscrypt(scan, presented);
    }

    @Test
    void includedRootIsFlagged() throws Exception {
        Cert intermediate = OLD_ROOT.issueIntermediate("Root Sending CA");
        Cert leaf = intermediate.issueLeaf(HOST);
        List<X509Certificate> presented = TestPki.certs(leaf, intermediate, OLD_ROOT);
        JsonPath scan = scanServer(presented, leaf);
        assertThat(codes(scan)).contains("CONTAINS_ROOT");
        assertThat(verdict(scan, 90).getBoolean("trusted")).isTrue();
        assertAgreesWithConscrypt(scan, presented);
    }

    @Test
    void hostnameMismatchFailsValidation() throws Exception {
        Cert intermediate = OLD_ROOT.issueIntermediate("Mismatch CA");
        Cert leaf = intermediate.issueLeaf("login.other.test");
        JsonPath scan = scanServer(TestPki.certs(leaf, intermediate), leaf);
        assertThat(codes(scan)).contains("HOSTNAME_MISMATCH");
        assertThat(verdict(scan, 90).getBoolean("trusted")).isFalse();
        assertAgreesWithConscrypt(scan, TestPki.certs(leaf, intermediate));
    }

    @Test
    void sniOnlyServerIsReported() throws Exception {
        Cert intermediate = OLD_ROOT.issueIntermediate("SNI CA");
        Cert leaf = intermediate.issueLeaf(HOST);
        try (TestTlsServer server = TestTlsServer.sniDependent(HOST, TestPki.certs(leaf, intermediate),
                leaf.keyPair().getPrivate(), null, null)) {
            JsonPath scan = scan(server.port());
            assertThat(scan.getString("status")).isEqualTo("OK");
            assertThat(codes(scan)).contains("SNI_REQUIRED");
            assertThat(verdict(scan, 90).getBoolean("trusted")).isTrue();
        }
    }

    /**
     * The drift report (ScanService.latestDigests) and the requirements (ScanService.latestObservations) read parts
     * of each latest scan in SQL: they must show what the full scan shows, for a chain trusted on level 90 (its root
     * is in no bundled store), one trusted on 91 but not 90, an expired one and a refused port.
     */
    @Test
    void theLatestScanReadModelsShowWhatTheFullScanShows() throws Exception {
        Cert complete = OLD_ROOT.issueIntermediate("Digest Complete CA");
        Cert completeLeaf = complete.issueLeaf(HOST);
        Cert newOnly = NEW_ROOT.issueIntermediate("Digest New CA");
        Cert newOnlyLeaf = newOnly.issueLeaf(HOST);
        Cert expired = OLD_ROOT.intermediate("Digest Expired CA").expired().build();
        Cert expiredLeaf = expired.issueLeaf(HOST);
        List<UUID> ids = new java.util.ArrayList<>();
        for (JsonPath scan : List.of(scanServer(TestPki.certs(completeLeaf, complete), completeLeaf),
                scanServer(TestPki.certs(newOnlyLeaf, newOnly), newOnlyLeaf),
                scanServer(TestPki.certs(expiredLeaf, expired), expiredLeaf), scan(TestTlsServer.closedPort()))) {
            ids.add(UUID.fromString(scan.getString("endpointId")));
        }
        Map<UUID, ScanDigest> digests = scans.latestDigests(ids).stream()
                .collect(Collectors.toMap(ScanDigest::endpointId, d -> d));
        List<ScanResult> full = scans.latestOf(ids);
        assertThat(full).hasSize(4);
        assertThat(digests).hasSize(4);
        for (ScanResult scan : full) {
            ScanDigest digest = digests.get(scan.endpointId());
            List<Integer> untrusted = scan.perApiLevel().stream().filter(v -> !v.trusted())
                    .map(ApiLevelVerdict::apiLevel).toList();
            assertThat(digest.startedAt()).isEqualTo(scan.startedAt());
            assertThat(digest.status()).isEqualTo(scan.status());
            assertThat(digest.error()).isEqualTo(scan.error());
            assertThat(digest.untrustedApiLevels()).isEqualTo(untrusted);
            assertThat(digest.findingCodes()).isEqualTo(scan.findings().stream()
                    .map(org.trustfleet.pki.Finding::code).distinct().toList());
            assertThat(digest.presented()).isEqualTo(scan.presented());
            boolean failed = scan.status() != ProbeStatus.OK || !untrusted.isEmpty();
            assertThat(digest.failed()).isEqualTo(failed);
            assertThat(digest.serverFix()).isEqualTo(failed && scan.serverFix() != null
                    ? ServerFixSummary.of(scan.serverFix()) : null);
        }
        Map<UUID, ScanObservation> observations = scans.latestObservations(ids).stream()
                .collect(Collectors.toMap(ScanObservation::endpointId, o -> o));
        assertThat(observations).hasSize(4);
        for (ScanResult scan : full) {
            ScanObservation observation = observations.get(scan.endpointId());
            List<String> presented = scan.presented().stream().map(CertificateSummary::sha256).toList();
            assertThat(observation.id()).isEqualTo(scan.id());
            assertThat(observation.status()).isEqualTo(scan.status());
            assertThat(observation.error()).isEqualTo(scan.error());
            assertThat(observation.presented().stream().map(Sha256::of).toList()).isEqualTo(presented);
            assertThat(observation.completion().stream().map(Sha256::of).toList()).isEqualTo(scan.completedPath()
                    .stream().filter(sha -> !presented.contains(sha)).toList());
            assertThat(observation.serverChain().stream().map(Sha256::of).toList())
                    .isEqualTo(scan.serverFix() == null ? List.of() : scan.serverFix().chain());
            // the fingerprints handed to the checks are the certificates' own, for every certificate and no other
            List<java.security.cert.X509Certificate> all = new java.util.ArrayList<>(observation.presented());
            all.addAll(observation.completion());
            all.addAll(observation.serverChain());
            assertThat(observation.fingerprints().keySet())
                    .containsExactlyInAnyOrderElementsOf(java.util.Set.copyOf(all));
            observation.fingerprints().forEach((certificate, sha256) ->
                    assertThat(sha256).isEqualTo(Sha256.of(certificate)));
        }
        assertThat(observations.get(ids.get(1)).serverChain()).isNotEmpty();
        assertThat(observations.get(ids.get(0)).completion()).isNotEmpty();
        // the cases differ as intended
        assertThat(digests.get(ids.get(0)).untrustedApiLevels()).doesNotContain(90, 91);
        assertThat(digests.get(ids.get(1)).untrustedApiLevels()).contains(90).doesNotContain(91);
        assertThat(digests.get(ids.get(1)).serverFix()).isNotNull();
        assertThat(digests.get(ids.get(2)).findingCodes()).contains(org.trustfleet.pki.FindingCode.EXPIRED);
        assertThat(digests.get(ids.get(3)).status()).isEqualTo(ProbeStatus.CONNECT_REFUSED);
    }

    @Test
    void refusedPortIsAStatusNotAnError() throws Exception {
        JsonPath scan = scan(TestTlsServer.closedPort());
        assertThat(scan.getString("status")).isEqualTo("CONNECT_REFUSED");
        assertThat(scan.getList("perApiLevel")).isEmpty();
        assertThat(scan.getString("error")).isNotBlank();
    }

    @Test
    void silentServerCostsOneHandshakeTimeout() throws Exception {
        try (TestTlsServer server = TestTlsServer.silent()) {
            Instant start = Instant.now();
            JsonPath scan = scan(server.port());
            assertThat(scan.getString("status")).isEqualTo("HANDSHAKE_FAILED");
            // with SNI and without: two handshakes of at most 2 s each, plus margin
            assertThat(Duration.between(start, Instant.now())).isLessThan(Duration.ofSeconds(8));
        }
    }

    @Test
    void aTenantHasAtMostItsShareOfManualScansUnderWay() throws Exception {
        int share = 4; // trustfleet.scanner.manual-scans-per-tenant, default
        String refused = createEndpoint(TestTlsServer.closedPort());
        ExecutorService clients = Executors.newFixedThreadPool(share);
        // one silent server per loopback address: the scanner's per-address politeness must not queue them
        List<BlackHole> servers = new java.util.ArrayList<>();
        try {
            for (int i = 0; i < share; i++) {
                servers.add(new BlackHole("127.0.3." + (i + 1)));
            }
            List<Future<Integer>> underWay = IntStream.range(0, share)
                    .mapToObj(i -> createEndpoint("127.0.3." + (i + 1), servers.get(i).port()))
                    .map(silent -> clients.submit(() -> as(admin)
                            .post("/api/v1/tenants/{t}/endpoints/{e}/scans", tenant, silent).statusCode())).toList();
            // each of them holds a connection to its silent server for its handshake timeout
            Instant deadline = Instant.now().plusSeconds(10);
            while (servers.stream().mapToInt(BlackHole::connections).sum() < share
                    && Instant.now().isBefore(deadline)) {
                Thread.sleep(20);
            }
            assertThat(servers.stream().mapToInt(BlackHole::connections).sum()).isEqualTo(share);

            as(admin).post("/api/v1/tenants/{t}/endpoints/{e}/scans", tenant, refused).then().statusCode(429)
                    .header("Retry-After", "1")
                    .body("type", org.hamcrest.Matchers.equalTo("urn:trustfleet:problem:rate-limited"));
            // another tenant is not held up by this one's share
            String[] other = ApiFixtures.tenantWithAdmin("scan-other");
            String otherEndpoint = as(other[1]).contentType(ContentType.JSON).body(Map.of("name", "refused",
                            "host", "127.0.0.1", "port", TestTlsServer.closedPort()))
                    .post("/api/v1/tenants/{t}/endpoints", other[0]).then().statusCode(201).extract().path("id");
            as(other[1]).post("/api/v1/tenants/{t}/endpoints/{e}/scans", other[0], otherEndpoint).then()
                    .statusCode(201);

            for (Future<Integer> scan : underWay) {
                assertThat(scan.get(30, TimeUnit.SECONDS)).isEqualTo(201);
            }
        } finally {
            clients.shutdownNow();
            for (BlackHole server : servers) {
                server.close();
            }
        }
        // the share is given back when the scans end
        assertThat(scanEndpoint(refused).getString("status")).isEqualTo("CONNECT_REFUSED");
    }

    @Test
    void chainChangeIsDetectedAndKeptAsHistory() throws Exception {
        Cert intermediate = OLD_ROOT.issueIntermediate("Renewing CA");
        Cert first = intermediate.issueLeaf(HOST);
        Cert renewed = intermediate.issueLeaf(HOST);
        String endpoint;
        try (TestTlsServer server = TestTlsServer.tls(TestPki.certs(first, intermediate),
                first.keyPair().getPrivate())) {
            endpoint = createEndpoint(server.port());
            JsonPath before = scanEndpoint(endpoint);
            assertThat(codes(before)).doesNotContain("CHAIN_CHANGED");
        }
        try (TestTlsServer server = TestTlsServer.tls(TestPki.certs(renewed, intermediate),
                renewed.keyPair().getPrivate())) {
            as(admin).contentType(ContentType.JSON).body(Map.of("name", "sts", "host", "127.0.0.1",
                            "port", server.port(), "serverName", HOST))
                    .put("/api/v1/tenants/{t}/endpoints/{e}", tenant, endpoint).then().statusCode(200);
            JsonPath after = scanEndpoint(endpoint);
            assertThat(finding(after, "CHAIN_CHANGED").getString("detail")).contains("leaf renewed");
        }
        JsonPath history = new JsonPath(as(admin).get("/api/v1/tenants/{t}/endpoints/{e}/scans?limit=5", tenant,
                endpoint).then().statusCode(200).extract().asString());
        assertThat(history.getList("$")).hasSize(2);
        assertThat(history.getString("[0].presented[0].sha256")).isEqualTo(renewed.sha256());
        assertThat(history.getString("[1].presented[0].sha256")).isEqualTo(first.sha256());
        as(admin).get("/api/v1/tenants/{t}/endpoints/{e}/scans/latest", tenant, endpoint).then().statusCode(200)
                .body("presented[0].sha256", org.hamcrest.Matchers.equalTo(renewed.sha256()));
    }

    @Test
    void mailServersBehindStartTlsAreJudgedLikePlainTls() throws Exception {
        Cert intermediate = OLD_ROOT.issueIntermediate("Mail CA");
        Cert leaf = intermediate.issueLeaf(HOST);
        List<X509Certificate> chain = TestPki.certs(leaf, intermediate);
        JsonPath plain = scanServer(chain, leaf);
        as(admin).get("/api/v1/tenants/{t}/endpoints/{e}", tenant, plain.getString("endpointId")).then()
                .statusCode(200).body("protocol", org.hamcrest.Matchers.equalTo("tls"));
        for (StartTlsProtocol protocol : List.of(StartTlsProtocol.SMTP, StartTlsProtocol.IMAP,
                StartTlsProtocol.POP3)) {
            try (StartTlsTestServer server = StartTlsTestServer.start(protocol, StartTlsTestServer.Behaviour.OFFERS,
                    chain, leaf.keyPair().getPrivate())) {
                String endpoint = createEndpoint(server.port(), protocol.wireName());
                as(admin).get("/api/v1/tenants/{t}/endpoints/{e}", tenant, endpoint).then().statusCode(200)
                        .body("protocol", org.hamcrest.Matchers.equalTo(protocol.wireName()));
                JsonPath scan = scanEndpoint(endpoint);
                assertThat(scan.getString("status")).as(protocol.wireName()).isEqualTo("OK");
                assertThat(scan.getList("presented.sha256")).isEqualTo(plain.getList("presented.sha256"));
                assertThat(scan.getList("perApiLevel")).isEqualTo(plain.getList("perApiLevel"));
                assertThat(codes(scan)).isEqualTo(codes(plain));
            }
        }
        assertAgreesWithConscrypt(plain, chain);
        try (StartTlsTestServer server = StartTlsTestServer.start(StartTlsProtocol.SMTP,
                StartTlsTestServer.Behaviour.NOT_OFFERED, chain, leaf.keyPair().getPrivate())) {
            JsonPath scan = scanEndpoint(createEndpoint(server.port(), "smtp-starttls"));
            assertThat(scan.getString("status")).isEqualTo("STARTTLS_REFUSED");
            assertThat(scan.getString("error")).contains("SMTP STARTTLS failed").contains("does not offer STARTTLS")
                    .doesNotContain("evil");
        }
    }

    /**
     * Which scan is an endpoint's latest is one rule for every reader (the requirements, the drift report, the
     * console's list, the API's latest scan and the first of the history): the one started last, of two started at
     * the same instant the greater id. An endpoint scanned while its server ran and again after it stopped; one whose
     * two scans are made to share their start; one never scanned; every id listed twice.
     */
    @Test
    void everyReaderTakesTheSameLatestScan() throws Exception {
        Cert intermediate = OLD_ROOT.issueIntermediate("Latest Scan CA");
        Cert leaf = intermediate.issueLeaf(HOST);
        String stopped;
        String tied;
        try (TestTlsServer server = TestTlsServer.tls(TestPki.certs(leaf, intermediate), leaf.keyPair().getPrivate());
             TestTlsServer other = TestTlsServer.tls(TestPki.certs(leaf, intermediate),
                     leaf.keyPair().getPrivate())) {
            stopped = createEndpoint(server.port());
            assertThat(scanEndpoint(stopped).getString("status")).isEqualTo("OK");
            tied = createEndpoint(other.port());
            scanEndpoint(tied);
            scanEndpoint(tied);
        }
        assertThat(scanEndpoint(stopped).getString("status")).isNotEqualTo("OK");
        String never = createEndpoint(TestTlsServer.closedPort());
        UUID tiedId = UUID.fromString(tied);
        List<UUID> tiedScans = QuarkusTransaction.requiringNew().call(() -> {
            @SuppressWarnings("unchecked")
            List<UUID> found = ScanEntity.getEntityManager()
                    .createNativeQuery("SELECT id FROM scan WHERE endpoint_id = ?1").setParameter(1, tiedId)
                    .getResultList();
            ScanEntity.getEntityManager().createNativeQuery("""
                    UPDATE scan SET started_at = (SELECT min(started_at) FROM scan WHERE endpoint_id = ?1)
                    WHERE endpoint_id = ?1""").setParameter(1, tiedId).executeUpdate();
            return found;
        });
        assertThat(tiedScans).hasSize(2);
        // PostgreSQL orders uuids by their bytes, as their lower-case text sorts
        UUID greater = tiedScans.stream().max(java.util.Comparator.comparing(UUID::toString)).orElseThrow();
        UUID stoppedId = UUID.fromString(stopped);
        UUID tenantId = UUID.fromString(tenant);
        Map<UUID, UUID> expected = Map.of(stoppedId, scans.history(tenantId, stoppedId, 1).getFirst().id(),
                tiedId, greater);
        assertThat(scans.history(tenantId, tiedId, 1).getFirst().id()).isEqualTo(greater);
        assertThat(scans.latest(tenantId, tiedId).id()).isEqualTo(greater);
        assertThat(scans.latest(tenantId, stoppedId).status()).isNotEqualTo(ProbeStatus.OK);

        List<UUID> asked = List.of(stoppedId, tiedId, UUID.fromString(never), tiedId, stoppedId);
        Map<UUID, ScanResult> taken = scans.latestOf(asked).stream()
                .collect(Collectors.toMap(ScanResult::endpointId, r -> r));
        assertThat(taken.values().stream().collect(Collectors.toMap(ScanResult::endpointId, ScanResult::id)))
                .isEqualTo(expected);
        // a digest carries no id: its start and status are those of the scan taken
        assertThat(scans.latestDigests(asked)).hasSize(2).allSatisfy(digest -> {
            assertThat(digest.startedAt()).isEqualTo(taken.get(digest.endpointId()).startedAt());
            assertThat(digest.status()).isEqualTo(taken.get(digest.endpointId()).status());
        });
        assertThat(scans.latestObservations(asked).stream()
                .collect(Collectors.toMap(ScanObservation::endpointId, ScanObservation::id))).isEqualTo(expected);
    }

    // --- helpers

    private JsonPath scanServer(List<X509Certificate> chain, Cert leaf) throws Exception {
        try (TestTlsServer server = TestTlsServer.tls(chain, leaf.keyPair().getPrivate())) {
            return scan(server.port());
        }
    }

    private JsonPath scan(int port) {
        return scanEndpoint(createEndpoint(port));
    }

    private String createEndpoint(int port) {
        return createEndpoint("127.0.0.1", port);
    }

    private String createEndpoint(String host, int port) {
        return as(admin).contentType(ContentType.JSON).body(Map.of("name", "sts-" + port + "-" + System.nanoTime(),
                        "host", host, "port", port, "serverName", HOST))
                .post("/api/v1/tenants/{t}/endpoints", tenant).then().statusCode(201).extract().path("id");
    }

    private String createEndpoint(int port, String protocol) {
        return as(admin).contentType(ContentType.JSON).body(Map.of("name", "mail-" + port + "-" + System.nanoTime(),
                        "host", "127.0.0.1", "port", port, "serverName", HOST, "protocol", protocol))
                .post("/api/v1/tenants/{t}/endpoints", tenant).then().statusCode(201).extract().path("id");
    }

    private JsonPath scanEndpoint(String endpoint) {
        return new JsonPath(as(admin).post("/api/v1/tenants/{t}/endpoints/{e}/scans", tenant, endpoint)
                .then().statusCode(201).extract().asString());
    }

    private static List<String> codes(JsonPath scan) {
        return scan.getList("findings.code");
    }

    private static JsonPath finding(JsonPath scan, String code) {
        List<Map<String, Object>> findings = scan.getList("findings");
        Map<String, Object> match = findings.stream().filter(f -> code.equals(f.get("code"))).findFirst()
                .orElseThrow(() -> new AssertionError("no " + code + " finding in " + findings));
        return new JsonPath(new com.fasterxml.jackson.databind.ObjectMapper().valueToTree(match).toString());
    }

    private static JsonPath verdict(JsonPath scan, int level) {
        List<Map<String, Object>> verdicts = scan.getList("perApiLevel");
        Map<String, Object> match = verdicts.stream().filter(v -> ((Integer) v.get("apiLevel")) == level)
                .findFirst().orElseThrow(() -> new AssertionError("no verdict for API " + level));
        return new JsonPath(new com.fasterxml.jackson.databind.ObjectMapper().valueToTree(match).toString());
    }

    private static Map<String, Object> serverFixVerdict(JsonPath scan, int level) {
        List<Map<String, Object>> verdicts = scan.getList("serverFix.perApiLevel");
        return verdicts.stream().filter(v -> ((Integer) v.get("apiLevel")) == level).findFirst()
                .orElseThrow(() -> new AssertionError("no server fix verdict for API " + level));
    }

    /**
     * Every per-level verdict must match Conscrypt's TrustManagerImpl (plus its host name verifier), and so must every
     * verdict of the server fix, on the proposed chain and on the presented one.
     */
    private void assertAgreesWithConscrypt(JsonPath scan, List<X509Certificate> presented) {
        Map<Integer, PlatformStore> byLevel = stores.snapshot().byApiLevel();
        List<Map<String, Object>> verdicts = scan.getList("perApiLevel");
        assertThat(verdicts).hasSize(byLevel.size());
        Map<Integer, Boolean> ours = verdicts.stream().collect(Collectors.toMap(
                v -> (Integer) v.get("apiLevel"), v -> (Boolean) v.get("trusted")));
        ours.forEach((level, trusted) -> {
            boolean conscrypt = ConscryptOracle.accepts(presented, byLevel.get(level).certificates(), HOST);
            assertThat(trusted).as("API %d: ours vs Conscrypt", level).isEqualTo(conscrypt);
        });
        List<String> chainIds = scan.getList("serverFix.chain");
        Map<String, X509Certificate> byId = certificates.findAll(chainIds).stream()
                .collect(Collectors.toMap(org.trustfleet.pki.Sha256::of, c -> c));
        List<X509Certificate> chain = chainIds.stream().map(byId::get).toList();
        assertThat(chain).doesNotContainNull();
        List<Map<String, Object>> fix = scan.getList("serverFix.perApiLevel");
        assertThat(fix).hasSize(byLevel.size());
        for (Map<String, Object> v : fix) {
            int level = (Integer) v.get("apiLevel");
            Collection<X509Certificate> anchors = byLevel.get(level).certificates();
            assertThat(v.get("trusted")).as("API %d: server fix vs Conscrypt", level)
                    .isEqualTo(ConscryptOracle.accepts(chain, anchors, HOST));
            assertThat(v.get("trustedAsPresented")).as("API %d: as presented", level).isEqualTo(ours.get(level));
            assertThat(scan.getList("serverFix.levelsNotFixed", Integer.class).contains(level))
                    .isEqualTo(!(Boolean) v.get("trusted"));
        }
    }
}
