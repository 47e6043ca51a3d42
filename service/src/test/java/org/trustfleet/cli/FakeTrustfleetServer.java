package org.trustfleet.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.trustfleet.payload.CmsPayloadSigner;
import org.trustfleet.payload.PayloadDocument;
import org.trustfleet.payload.PayloadFixtures;
import org.trustfleet.payload.SigningAuthority;
import org.trustfleet.payload.TenantSigner;
import org.trustfleet.pki.Sha256;
import org.trustfleet.pki.TestPki;

/**
 * Test-only stand-in for the Trustfleet device API on 127.0.0.1: {@code POST /api/v1/enroll},
 * {@code GET /api/v1/device/payload} (strong ETag = SHA-256 of the served bytes, 304 on If-None-Match),
 * {@code POST /api/v1/device/reports} (recorded). Serves whatever bytes the test {@link #serve}s.
 */
final class FakeTrustfleetServer implements AutoCloseable {

    static final String ENROLLMENT_TOKEN = "enroll-token-1";
    static final ObjectMapper JSON = new ObjectMapper();

    final UUID tenant = UUID.randomUUID();
    final UUID group = UUID.randomUUID();
    final UUID deviceId = UUID.randomUUID();
    final String deviceToken = "dev-" + UUID.randomUUID();
    final SigningAuthority authority = SigningAuthority.generate("fake", Instant.now());
    volatile TenantSigner signer = authority.issueSigner(tenant, Instant.now());
    volatile boolean includeGroupInEnrollment;

    final List<JsonNode> reports = new CopyOnWriteArrayList<>();
    final List<String> ifNoneMatchSeen = new CopyOnWriteArrayList<>();
    final AtomicInteger failNextReports = new AtomicInteger();
    private volatile byte[] payload;
    private final HttpServer server;

    FakeTrustfleetServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/api/v1/enroll", this::enroll);
        server.createContext("/api/v1/device/payload", this::payload);
        server.createContext("/api/v1/device/reports", this::report);
        server.start();
    }

    String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** Signs and serves a document of this server's tenant and group. */
    byte[] publish(long version, TestPki.Cert... certs) {
        return serve(sign(PayloadFixtures.doc(tenant, group, version, certs)));
    }

    byte[] publish(long version, Instant issuedAt, Instant expiresAt, TestPki.Cert... certs) {
        return serve(sign(PayloadFixtures.doc(tenant, group, version, issuedAt, expiresAt, certs)));
    }

    byte[] sign(PayloadDocument doc) {
        return new CmsPayloadSigner().sign(doc, signer);
    }

    byte[] serve(byte[] cms) {
        payload = cms;
        return cms;
    }

    void rotateSigner() {
        signer = authority.issueSigner(tenant, Instant.now());
    }

    static String etagOf(byte[] body) {
        return "\"" + Sha256.hex(body) + "\"";
    }

    private void enroll(HttpExchange ex) throws IOException {
        if (!ex.getRequestMethod().equals("POST")) {
            problem(ex, 405, "Method not allowed");
            return;
        }
        JsonNode body = JSON.readTree(ex.getRequestBody());
        if (!ENROLLMENT_TOKEN.equals(body.path("enrollmentToken").asText())) {
            problem(ex, 401, "Invalid enrollment token");
            return;
        }
        if (body.path("hardwareId").asText().isEmpty() || !body.path("apiLevel").isInt()) {
            problem(ex, 400, "Bad request");
            return;
        }
        ObjectNode r = JSON.createObjectNode()
                .put("deviceId", deviceId.toString())
                .put("deviceToken", deviceToken)
                .put("payloadSignerChain", signer.chainPem())
                .put("payloadUrl", "/api/v1/device/payload");
        if (includeGroupInEnrollment) {
            r.put("deviceGroupId", group.toString());
        }
        send(ex, 201, "application/json", JSON.writeValueAsBytes(r), null);
    }

    private void payload(HttpExchange ex) throws IOException {
        if (!authorized(ex)) {
            return;
        }
        byte[] body = payload;
        if (body == null) {
            problem(ex, 404, "No payload yet");
            return;
        }
        String etag = etagOf(body);
        String inm = ex.getRequestHeaders().getFirst("If-None-Match");
        if (inm != null) {
            ifNoneMatchSeen.add(inm);
        }
        if (etag.equals(inm)) {
            ex.getResponseHeaders().set("ETag", etag);
            ex.sendResponseHeaders(304, -1);
            ex.close();
            return;
        }
        send(ex, 200, "application/pkcs7-mime", body, etag);
    }

    private void report(HttpExchange ex) throws IOException {
        if (!authorized(ex)) {
            return;
        }
        JsonNode body = JSON.readTree(ex.getRequestBody());
        if (failNextReports.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            problem(ex, 503, "Try later");
            return;
        }
        reports.add(body);
        ex.sendResponseHeaders(202, -1);
        ex.close();
    }

    private boolean authorized(HttpExchange ex) throws IOException {
        if (!("Bearer " + deviceToken).equals(ex.getRequestHeaders().getFirst("Authorization"))) {
            problem(ex, 401, "Unauthorized");
            return false;
        }
        return true;
    }

    private static void problem(HttpExchange ex, int status, String title) throws IOException {
        ObjectNode p = JSON.createObjectNode().put("type", "about:blank").put("title", title).put("status", status)
                .put("detail", title + " (fake server)");
        send(ex, status, "application/problem+json", JSON.writeValueAsBytes(p), null);
    }

    private static void send(HttpExchange ex, int status, String type, byte[] body, String etag) throws IOException {
        ex.getResponseHeaders().set("Content-Type", type);
        if (etag != null) {
            ex.getResponseHeaders().set("ETag", etag);
        }
        ex.sendResponseHeaders(status, body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }

    static String utf8(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
