package org.trustfleet.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.trustfleet.agent.AgentException;
import org.trustfleet.agent.AgentState;
import org.trustfleet.agent.FileAgentStateStore;
import org.trustfleet.agent.PayloadRejectedException;
import org.trustfleet.agent.ReferenceAgent;
import org.trustfleet.agent.RejectionReason;
import org.trustfleet.agent.SyncResult;
import org.trustfleet.agent.jvm.JvmAgents;
import org.trustfleet.payload.CmsPayloadSigner;
import org.trustfleet.payload.PayloadFixtures;
import org.trustfleet.payload.SigningAuthority;
import org.trustfleet.payload.TenantSigner;
import org.trustfleet.pki.CertificateEncoder;
import org.trustfleet.pki.CertificateParser;
import org.trustfleet.pki.TestPki;

/**
 * The agent library (module agent/) against payloads signed by the service's own signer ({@link CmsPayloadSigner})
 * and a stand-in of the device API: the wire format both sides implement, end to end minus the database.
 */
class ReferenceAgentTest {

    static final TestPki.Cert INT_A = PayloadFixtures.INT_A;
    static final TestPki.Cert INT_B = PayloadFixtures.INT_B;
    static final TestPki.Cert ROOT_C = PayloadFixtures.ROOT_C;

    @TempDir
    Path tmp;
    Path stateDir;
    Path caDir;
    FakeTrustfleetServer server;
    ReferenceAgent agent;

    @BeforeEach
    void start() throws IOException {
        server = new FakeTrustfleetServer();
        stateDir = tmp.resolve("state");
        caDir = tmp.resolve("ca");
        agent = JvmAgents.create(stateDir, caDir);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private AgentState enroll() {
        return agent.enroll(server.baseUrl(), FakeTrustfleetServer.ENROLLMENT_TOKEN, "hw-1", 30);
    }

    private Path file(TestPki.Cert c) {
        return caDir.resolve(c.sha256() + ".pem");
    }

    private List<String> reportedInstalled(int index) {
        List<String> out = new ArrayList<>();
        server.reports.get(index).get("installed").forEach(n -> out.add(n.asText()));
        return out;
    }

    /** Every file of the CA directory and the state file, with contents. */
    private Map<String, String> snapshot() throws IOException {
        Map<String, String> m = new TreeMap<>();
        if (Files.isDirectory(caDir)) {
            try (Stream<Path> s = Files.list(caDir)) {
                for (Path p : (Iterable<Path>) s::iterator) {
                    m.put("ca/" + p.getFileName(), Files.readString(p));
                }
            }
        }
        m.put("state", Files.readString(stateDir.resolve(FileAgentStateStore.FILE_NAME)));
        return m;
    }

    private RejectionReason rejection() {
        try {
            agent.sync();
            throw new AssertionError("sync unexpectedly succeeded");
        } catch (PayloadRejectedException e) {
            return e.reason();
        }
    }

    @Test
    void enrollPinsRootAndTenantInOwnerOnlyStateFile() throws IOException {
        AgentState s = enroll();
        assertThat(s.deviceId()).isEqualTo(server.deviceId);
        assertThat(s.tenantId()).isEqualTo(server.tenant);
        assertThat(s.deviceGroupId()).isNull();
        assertThat(CertificateParser.parse(s.pinnedRootPem())).containsExactly(server.authority.rootCertificate());
        assertThat(s.payloadUrl()).isEqualTo(server.baseUrl() + "/api/v1/device/payload");
        Path f = stateDir.resolve(FileAgentStateStore.FILE_NAME);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(stateDir))).isEqualTo("rwx------");
        assertThat(agent.state()).contains(s);
        assertThat(s.toString()).doesNotContain(server.deviceToken);
        try (Stream<Path> files = Files.list(stateDir)) {
            assertThat(files).containsExactly(f); // no temp files left behind
        }
    }

    @Test
    void enrollmentErrorsAreClear() {
        assertThatThrownBy(() -> agent.enroll(server.baseUrl(), "wrong", "hw-1", 30))
                .isInstanceOf(AgentException.class).hasMessageContaining("HTTP 401")
                .hasMessageContaining("Invalid enrollment token");
        assertThatThrownBy(() -> agent.enroll(server.baseUrl(), FakeTrustfleetServer.ENROLLMENT_TOKEN, "hw", 30,
                "00".repeat(32))).isInstanceOf(AgentException.class).hasMessageContaining("not the expected");
        assertThat(agent.state()).isEmpty();
        assertThatThrownBy(() -> agent.enroll("http://example.com", "t", "hw", 30))
                .isInstanceOf(AgentException.class).hasMessageContaining("plain http");
        assertThatThrownBy(() -> agent.sync()).isInstanceOf(AgentException.class).hasMessageContaining("not enrolled");
    }

    @Test
    void enrollWithExpectedRootFingerprint() {
        String fp = org.trustfleet.pki.Sha256.of(server.authority.rootCertificate());
        assertThat(agent.enroll(server.baseUrl(), FakeTrustfleetServer.ENROLLMENT_TOKEN, "hw", 30,
                fp.toUpperCase(Locale.ROOT)).tenantId()).isEqualTo(server.tenant);
    }

    @Test
    void syncInstallsThenNotModifiedChangesNothing() throws IOException {
        enroll();
        byte[] v1 = server.publish(1, INT_A, ROOT_C);

        SyncResult r = agent.sync();
        assertThat(r.outcome()).isEqualTo(SyncResult.Outcome.APPLIED);
        assertThat(r.version()).isEqualTo(1);
        assertThat(r.added()).containsExactlyInAnyOrder(INT_A.sha256(), ROOT_C.sha256());
        assertThat(r.reportSent()).isTrue();
        assertThat(CertificateParser.parse(Files.readString(file(INT_A)))).containsExactly(INT_A.cert());
        assertThat(CertificateParser.parse(Files.readString(file(ROOT_C)))).containsExactly(ROOT_C.cert());
        AgentState s = agent.state().orElseThrow();
        assertThat(s.installed()).containsExactlyInAnyOrder(INT_A.sha256(), ROOT_C.sha256());
        assertThat(s.lastEtag()).isEqualTo(FakeTrustfleetServer.etagOf(v1));
        assertThat(s.deviceGroupId()).isEqualTo(server.group); // learned from the first payload

        assertThat(server.reports).hasSize(1);
        JsonNode report = server.reports.get(0);
        assertThat(report.get("payloadVersion").asLong()).isEqualTo(1);
        assertThat(report.get("apiLevel").asInt()).isEqualTo(30);
        assertThat(report.get("failures")).isEmpty();
        assertThat(reportedInstalled(0)).containsExactlyInAnyOrder(INT_A.sha256(), ROOT_C.sha256());

        Map<String, String> before = snapshot();
        SyncResult again = agent.sync();
        assertThat(again.outcome()).isEqualTo(SyncResult.Outcome.NOT_MODIFIED);
        assertThat(again.version()).isEqualTo(1);
        assertThat(server.ifNoneMatchSeen).containsExactly(FakeTrustfleetServer.etagOf(v1));
        assertThat(snapshot()).isEqualTo(before);
        assertThat(server.reports).hasSize(1);
    }

    @Test
    void newVersionAddsAndRemovesOnlyWhatTheAgentInstalled() throws IOException {
        enroll();
        Files.createDirectories(caDir);
        Path foreign = caDir.resolve("foreign.pem");
        Files.writeString(foreign, CertificateEncoder.toPem(List.of(TestPki.root("Foreign").cert())));
        // INT_B was already installed by someone else (user, another DPC) under the agent's naming scheme
        Files.writeString(file(INT_B), CertificateEncoder.toPem(List.of(INT_B.cert())));

        server.publish(1, INT_A, INT_B);
        SyncResult r1 = agent.sync();
        assertThat(r1.added()).containsExactly(INT_A.sha256());
        assertThat(agent.state().orElseThrow().installed()).containsExactly(INT_A.sha256());
        assertThat(reportedInstalled(0)).containsExactlyInAnyOrder(INT_A.sha256(), INT_B.sha256());

        server.publish(2, ROOT_C);
        SyncResult r2 = agent.sync();
        assertThat(r2.outcome()).isEqualTo(SyncResult.Outcome.APPLIED);
        assertThat(r2.added()).containsExactly(ROOT_C.sha256());
        assertThat(r2.removed()).containsExactly(INT_A.sha256());
        assertThat(file(INT_A)).doesNotExist();
        assertThat(file(INT_B)).exists(); // not ours: never removed
        assertThat(foreign).exists();
        assertThat(file(ROOT_C)).exists();
        assertThat(agent.state().orElseThrow().installed()).containsExactly(ROOT_C.sha256());
        assertThat(server.reports.get(1).get("payloadVersion").asLong()).isEqualTo(2);
        assertThat(reportedInstalled(1)).containsExactly(ROOT_C.sha256());
    }

    @Test
    void deletedOwnedCertificateIsReinstalledOnNextPayload() throws IOException {
        enroll();
        server.publish(1, INT_A);
        agent.sync();
        Files.delete(file(INT_A));
        server.publish(2, INT_A, ROOT_C);
        SyncResult r = agent.sync();
        assertThat(r.added()).containsExactlyInAnyOrder(INT_A.sha256(), ROOT_C.sha256());
    }

    @Test
    void replayedOlderVersionIsRollbackAndStoreUntouched() throws IOException {
        enroll();
        byte[] v1 = server.publish(1, INT_A);
        agent.sync();
        server.publish(2, ROOT_C);
        agent.sync();
        Map<String, String> before = snapshot();

        server.serve(v1);
        assertThat(rejection()).isEqualTo(RejectionReason.ROLLBACK);
        assertThat(snapshot()).isEqualTo(before);
        assertThat(server.reports).hasSize(2);
    }

    @Test
    void sameVersionWithDifferentSetIsRollback() throws IOException {
        enroll();
        server.publish(3, INT_A);
        agent.sync();
        Map<String, String> before = snapshot();
        server.publish(3, INT_A, INT_B);
        assertThat(rejection()).isEqualTo(RejectionReason.ROLLBACK);
        assertThat(snapshot()).isEqualTo(before);
    }

    @Test
    void sameVersionRefreshedWithLaterExpiryIsAccepted() {
        enroll();
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        server.publish(3, now.minusSeconds(60), now.plus(Duration.ofDays(1)), INT_A);
        agent.sync();
        server.publish(3, now, now.plus(Duration.ofDays(7)), INT_A);
        SyncResult r = agent.sync();
        assertThat(r.outcome()).isEqualTo(SyncResult.Outcome.REFRESHED);
        assertThat(r.added()).isEmpty();
        assertThat(r.removed()).isEmpty();
        // but an older issuedAt for the same version is a replay
        server.publish(3, now.minusSeconds(60), now.plus(Duration.ofDays(1)), INT_A);
        assertThat(rejection()).isEqualTo(RejectionReason.ROLLBACK);
    }

    @Test
    void expiredPayloadIsRejected() throws IOException {
        enroll();
        server.publish(1, INT_A);
        agent.sync();
        Map<String, String> before = snapshot();
        Instant now = Instant.now();
        server.publish(2, now.minus(Duration.ofDays(8)), now.minus(Duration.ofDays(1)), ROOT_C);
        assertThat(rejection()).isEqualTo(RejectionReason.EXPIRED);
        assertThat(snapshot()).isEqualTo(before);
    }

    @Test
    void tamperedBytesAreBadSignature() throws IOException {
        enroll();
        server.publish(1, INT_A);
        agent.sync();
        Map<String, String> before = snapshot();
        byte[] v2 = server.sign(PayloadFixtures.doc(server.tenant, server.group, 2, ROOT_C));
        byte[] tampered = v2.clone();
        int at = indexOf(tampered, "\"version\":2".getBytes(StandardCharsets.US_ASCII));
        tampered[at + 10] = '9'; // version 2 -> 9
        server.serve(tampered);
        assertThat(rejection()).isEqualTo(RejectionReason.BAD_SIGNATURE);
        assertThat(snapshot()).isEqualTo(before);
    }

    @Test
    void anotherTenantsSignerIsWrongTenant() throws IOException {
        enroll();
        Files.createDirectories(caDir);
        TenantSigner other = server.authority.issueSigner(UUID.randomUUID(), Instant.now());
        server.serve(new CmsPayloadSigner().sign(PayloadFixtures.doc(other.tenantId(), server.group, 5, INT_A), other));
        assertThat(rejection()).isEqualTo(RejectionReason.WRONG_TENANT);
        assertThat(file(INT_A)).doesNotExist();
        assertThat(agent.state().orElseThrow().lastVersion()).isNull();
    }

    @Test
    void signerFromAnotherRootIsUntrusted() {
        enroll();
        TenantSigner evil = SigningAuthority.generate("evil", Instant.now()).issueSigner(server.tenant, Instant.now());
        server.serve(new CmsPayloadSigner().sign(PayloadFixtures.doc(server.tenant, server.group, 5, INT_A), evil));
        assertThat(rejection()).isEqualTo(RejectionReason.UNTRUSTED_SIGNER);
        assertThat(file(INT_A)).doesNotExist();
    }

    @Test
    void garbageIsMalformed() {
        enroll();
        server.serve("<html>oops</html>".getBytes(StandardCharsets.US_ASCII));
        assertThat(rejection()).isEqualTo(RejectionReason.MALFORMED);
    }

    @Test
    void rejectionCarriesReasonAndDetailAsSeparateFields() {
        enroll();
        server.serve("<html>oops</html>".getBytes(StandardCharsets.US_ASCII));
        assertThatThrownBy(agent::sync).isInstanceOfSatisfying(PayloadRejectedException.class, e -> {
            assertThat(e.reason()).isEqualTo(RejectionReason.MALFORMED);
            assertThat(e.detail()).isNotBlank().doesNotContain("MALFORMED");
            assertThat(e.getMessage()).isEqualTo("MALFORMED: " + e.detail());
        });
        server.serve(server.sign(PayloadFixtures.doc(server.tenant, UUID.randomUUID(), 1, INT_A)));
        server.includeGroupInEnrollment = true;
        enroll();
        assertThatThrownBy(agent::sync).isInstanceOfSatisfying(PayloadRejectedException.class, e -> {
            assertThat(e.reason()).isEqualTo(RejectionReason.WRONG_GROUP);
            assertThat(e.detail()).startsWith("payload is for device group ");
            assertThat(e.getMessage()).isEqualTo("WRONG_GROUP: " + e.detail());
        });
    }

    @Test
    void payloadOfAnotherGroupIsRejected() {
        server.includeGroupInEnrollment = true;
        assertThat(enroll().deviceGroupId()).isEqualTo(server.group);
        server.serve(server.sign(PayloadFixtures.doc(server.tenant, UUID.randomUUID(), 1, INT_A)));
        assertThat(rejection()).isEqualTo(RejectionReason.WRONG_GROUP);
    }

    @Test
    void signerRotationKeepsWorking() {
        enroll();
        server.publish(1, INT_A);
        agent.sync();
        var oldSigner = server.signer.signer().certificate();
        server.rotateSigner();
        assertThat(server.signer.signer().certificate()).isNotEqualTo(oldSigner);
        server.publish(2, INT_A, ROOT_C);
        SyncResult r = agent.sync();
        assertThat(r.outcome()).isEqualTo(SyncResult.Outcome.APPLIED);
        assertThat(r.added()).containsExactly(ROOT_C.sha256());
        assertThat(reportedInstalled(1)).containsExactlyInAnyOrder(INT_A.sha256(), ROOT_C.sha256());
    }

    @Test
    void undeliveredReportIsRetriedOnNextSync() {
        enroll();
        server.publish(1, INT_A);
        server.failNextReports.set(1);
        SyncResult r = agent.sync();
        assertThat(r.outcome()).isEqualTo(SyncResult.Outcome.APPLIED);
        assertThat(r.reportSent()).isFalse();
        assertThat(agent.state().orElseThrow().reportPending()).isTrue();
        assertThat(server.reports).isEmpty();

        SyncResult again = agent.sync();
        assertThat(again.outcome()).isEqualTo(SyncResult.Outcome.NOT_MODIFIED);
        assertThat(again.reportSent()).isTrue();
        assertThat(reportedInstalled(0)).containsExactly(INT_A.sha256());
        assertThat(agent.state().orElseThrow().reportPending()).isFalse();
    }

    @Test
    void explicitReportPostsCurrentState() {
        enroll();
        agent.report();
        assertThat(server.reports).hasSize(1);
        assertThat(server.reports.get(0).get("payloadVersion").asLong()).isZero();
        assertThat(server.reports.get(0).get("installed")).isEmpty();
        server.publish(4, INT_B);
        agent.sync();
        agent.report();
        assertThat(server.reports).hasSize(3);
        assertThat(reportedInstalled(2)).containsExactly(INT_B.sha256());
    }

    @Test
    void revokedDeviceTokenIsAnError() throws IOException {
        enroll();
        server.publish(1, INT_A);
        AgentState s = agent.state().orElseThrow();
        new FileAgentStateStore(stateDir.toFile()).save(s.withDeviceToken("revoked"));
        assertThatThrownBy(() -> agent.sync()).isInstanceOf(AgentException.class)
                .isNotInstanceOf(PayloadRejectedException.class)
                .hasMessageContaining("HTTP 401").hasMessageContaining("revoked");
    }

    @Test
    void reEnrollmentKeepsOwnershipOfInstalledCertificates() {
        enroll();
        server.publish(1, INT_A);
        agent.sync();
        enroll();
        AgentState s = agent.state().orElseThrow();
        assertThat(s.installed()).containsExactly(INT_A.sha256());
        assertThat(s.lastVersion()).isNull();
        server.publish(1, ROOT_C);
        SyncResult r = agent.sync();
        assertThat(r.removed()).containsExactly(INT_A.sha256());
    }

    static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i <= hay.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError("needle not found");
    }
}
