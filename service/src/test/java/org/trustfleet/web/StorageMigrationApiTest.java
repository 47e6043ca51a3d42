package org.trustfleet.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.trustfleet.testing.Contract.as;
import static org.trustfleet.testing.Contract.asOperator;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.eclipse.microprofile.config.ConfigProvider;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.trustfleet.pki.CertificateEncoder;
import org.trustfleet.pki.CertificateSummary;
import org.trustfleet.pki.Finding;
import org.trustfleet.pki.FindingCode;
import org.trustfleet.pki.Sha256;
import org.trustfleet.pki.TestPki;
import org.trustfleet.pki.TestPki.Cert;
import org.trustfleet.policy.AdviceCode;
import org.trustfleet.policy.GroupRequirements;
import org.trustfleet.policy.Reason;
import org.trustfleet.policy.ReasonCode;
import org.trustfleet.policy.UnresolvedCode;
import org.trustfleet.scan.ApiLevelVerdict;
import org.trustfleet.testing.EmbeddedPostgresResource;

/**
 * The V9 migration on a database filled by the previous schema: {@link PreviousSchema} migrates a fresh database up
 * to V8 only and writes rows exactly as the V8 code wrote them (the API records as JSON text, device groups naming
 * an endpoint that was deleted); then the service starts, migrates to the latest version and must serve those rows
 * unchanged, through the new storage records and the typed hand-offs.
 */
@QuarkusTest
@WithTestResource(value = StorageMigrationApiTest.PreviousSchema.class, scope = TestResourceScope.RESTRICTED_TO_CLASS)
class StorageMigrationApiTest {
    static final UUID TENANT = UUID.fromString("0e6f7a7e-0000-4000-8000-000000000001");
    static final UUID ALIVE = UUID.fromString("0e6f7a7e-0000-4000-8000-0000000000e1");
    static final UUID DELETED = UUID.fromString("0e6f7a7e-0000-4000-8000-0000000000e2");
    static final UUID SCAN = UUID.fromString("0e6f7a7e-0000-4000-8000-0000000000a1");
    static final UUID NAMES_BOTH = UUID.fromString("0e6f7a7e-0000-4000-8000-0000000000b1");
    static final UUID NAMES_DELETED = UUID.fromString("0e6f7a7e-0000-4000-8000-0000000000b2");
    static final UUID NAMES_NONE = UUID.fromString("0e6f7a7e-0000-4000-8000-0000000000b3");
    static final Instant STARTED = Instant.parse("2026-03-01T10:15:30.123456Z");
    static final Instant COMPUTED = Instant.parse("2026-03-01T10:16:00Z");

    @Test
    void rowsWrittenByThePreviousSchemaReadTheSameThroughTheNewCode() {
        String leaf = config("leaf");
        String intermediate = config("intermediate");
        String root = config("root");
        String admin = asOperator().contentType(ContentType.JSON).body(Map.of("name", "migration", "role", "admin"))
                .post("/api/v1/tenants/{t}/api-keys", TENANT).then().statusCode(201).extract().path("token");

        // the scan: every value of the four TEXT columns survives in the jsonb storage record
        JsonPath scan = new JsonPath(as(admin).get("/api/v1/tenants/{t}/endpoints/{e}/scans/latest", TENANT, ALIVE)
                .then().statusCode(200).extract().asString());
        assertThat(scan.getString("id")).isEqualTo(SCAN.toString());
        assertThat(Instant.parse(scan.getString("startedAt"))).isEqualTo(STARTED);
        assertThat(scan.getList("presented.sha256")).containsExactly(leaf, intermediate);
        assertThat(scan.getList("presented.isCa")).containsExactly(false, true);
        assertThat(scan.getList("presented.selfSigned")).containsExactly(false, false);
        assertThat(scan.getString("presented[0].subject")).isEqualTo(config("leaf-subject"));
        assertThat(Instant.parse(scan.getString("presented[1].notAfter"))).isEqualTo(
                Instant.parse(config("intermediate-not-after")));
        assertThat(scan.getList("completedPath")).containsExactly(leaf, intermediate, root);
        assertThat(scan.getList("findings.code")).containsExactly("UNTRUSTED_ROOT", "EXPIRES_SOON");
        assertThat(scan.getString("findings[0].sha256")).isEqualTo(root);
        assertThat(scan.getString("findings[1].detail")).isEqualTo("the leaf expires in 20 days");
        assertThat(scan.getList("perApiLevel.apiLevel")).containsExactly(30, 31);
        assertThat(scan.getList("perApiLevel.trusted")).containsExactly(false, false);
        assertThat(scan.getList("perApiLevel[0].missing")).containsExactly(root);
        assertThat(scan.getString("perApiLevel[1].failure")).isEqualTo("no trust anchor");
        // the drift report reads the scan through the columns V35 generated for rows already stored
        JsonPath drift = new JsonPath(as(admin).get("/api/v1/tenants/{t}/drift-report", TENANT).then()
                .statusCode(200).extract().asString());
        assertThat(drift.getList("failingEndpoints.endpointId")).containsExactly(ALIVE.toString());
        assertThat(drift.getList("failingEndpoints[0].untrustedApiLevels")).containsExactly(30, 31);
        assertThat(drift.getList("failingEndpoints[0].findings")).containsExactly("UNTRUSTED_ROOT", "EXPIRES_SOON");

        // the requirements document: same answer, role still spelled for the API
        JsonPath requirements = requirements(admin, NAMES_BOTH);
        assertThat(requirements.getLong("version")).isEqualTo(3);
        assertThat(Instant.parse(requirements.getString("computedAt"))).isEqualTo(COMPUTED);
        assertThat(requirements.getList("certificates.sha256")).containsExactly(intermediate);
        assertThat(requirements.getList("certificates.role")).containsExactly("intermediate");
        assertThat(requirements.getList("certificates[0].reasons")).containsExactly(Map.of(
                "endpointId", ALIVE.toString(), "apiLevels", List.of(30, 31), "code", "MISSING_INTERMEDIATE"));
        assertThat(requirements.getList("unresolved.code")).containsExactly("NOT_SCANNED");
        assertThat(requirements.getString("unresolved[0].detail")).isEqualTo("no observation of this endpoint");
        assertThat(requirements.getList("advice.code")).containsExactly("SEND_INTERMEDIATE");
        // and the payload side reads the same version's certificates, typed (the stored role was converted)
        String pem = as(admin).queryParam("format", "pem")
                .get("/api/v1/tenants/{t}/device-groups/{g}/payload-definition", TENANT, NAMES_BOTH)
                .then().statusCode(200).extract().asString();
        assertThat(pem).contains(config("intermediate-pem-line"));

        // group endpoints: the deleted endpoint's id is dropped; a group that named only it covers nothing
        assertThat(endpointIds(admin, NAMES_BOTH)).containsExactly(ALIVE.toString());
        assertThat(endpointIds(admin, NAMES_DELETED)).isEmpty();
        assertThat(endpointIds(admin, NAMES_NONE)).isEmpty();
        assertThat(requirements(admin, NAMES_DELETED).getList("advice.code")).containsExactly("NO_ENDPOINTS");
        assertThat(requirements(admin, NAMES_NONE).getList("advice.code")).doesNotContain("NO_ENDPOINTS");

        // a recompute reads the migrated scan through the typed observation and moves the version on
        as(admin).contentType(ContentType.JSON).body(Map.of("pem", config("root-pem")))
                .post("/api/v1/tenants/{t}/anchors", TENANT).then().statusCode(201);
        JsonPath recomputed = requirements(admin, NAMES_BOTH);
        assertThat(recomputed.getList("certificates.sha256")).containsExactly(root);
        assertThat(recomputed.getList("certificates.role")).containsExactly("root");
        assertThat(recomputed.getList("certificates[0].reasons.code")).containsExactly("PRIVATE_ANCHOR");
        assertThat(recomputed.getLong("version")).isEqualTo(4);
    }

    private static JsonPath requirements(String admin, UUID group) {
        return new JsonPath(as(admin).get("/api/v1/tenants/{t}/device-groups/{g}/requirements", TENANT, group)
                .then().statusCode(200).extract().asString());
    }

    private static List<String> endpointIds(String admin, UUID group) {
        return as(admin).get("/api/v1/tenants/{t}/device-groups/{g}", TENANT, group).then().statusCode(200)
                .extract().path("endpointIds");
    }

    private static String config(String name) {
        return ConfigProvider.getConfig().getValue("test.previous-schema." + name, String.class);
    }

    /** A database at schema V8 holding rows as the V8 code wrote them. */
    public static class PreviousSchema extends EmbeddedPostgresResource {
        /** The application's mapper as it was configured for V8 (java.time as ISO-8601 text). */
        private final ObjectMapper v8Json = new ObjectMapper().registerModule(new JavaTimeModule())
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

        @Override
        public Map<String, String> start() {
            Map<String, String> config = new HashMap<>(super.start());
            String url = config.get("quarkus.datasource.jdbc.url");
            String user = config.get("quarkus.datasource.username");
            String password = config.get("quarkus.datasource.password");
            Flyway.configure().dataSource(url, user, password).locations("classpath:db/migration").target("8")
                    .load().migrate();
            Cert root = TestPki.root("Migration Root");
            Cert intermediate = root.issueIntermediate("Migration Issuing CA");
            Cert leaf = intermediate.issueLeaf("sts.migration.test");
            try (Connection c = DriverManager.getConnection(url, user, password)) {
                fill(c, leaf.cert(), intermediate.cert(), root.cert());
            } catch (Exception e) {
                throw new IllegalStateException("filling the V8 database failed", e);
            }
            String intermediatePem = CertificateEncoder.toPem(List.of(intermediate.cert()));
            config.put("test.previous-schema.leaf", leaf.sha256());
            config.put("test.previous-schema.intermediate", intermediate.sha256());
            config.put("test.previous-schema.root", root.sha256());
            config.put("test.previous-schema.leaf-subject", CertificateSummary.of(leaf.cert()).subject());
            config.put("test.previous-schema.intermediate-not-after",
                    intermediate.cert().getNotAfter().toInstant().toString());
            config.put("test.previous-schema.intermediate-pem-line", intermediatePem.lines().skip(1).findFirst()
                    .orElseThrow());
            config.put("test.previous-schema.root-pem", CertificateEncoder.toPem(List.of(root.cert())));
            return config;
        }

        private void fill(Connection c, X509Certificate leaf, X509Certificate intermediate, X509Certificate root)
                throws Exception {
            Timestamp now = Timestamp.from(STARTED.truncatedTo(ChronoUnit.SECONDS));
            update(c, "INSERT INTO tenant (id, name, created_at) VALUES (?, 'migration', ?)", TENANT, now);
            for (X509Certificate certificate : List.of(leaf, intermediate, root)) {
                CertificateSummary s = CertificateSummary.of(certificate);
                update(c, "INSERT INTO certificate (sha256, der, subject, issuer, not_before, not_after, is_ca, "
                        + "first_seen) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", s.sha256(), certificate.getEncoded(),
                        s.subject(), s.issuer(), Timestamp.from(s.notBefore()), Timestamp.from(s.notAfter()),
                        s.isCa(), now);
            }
            for (UUID endpoint : List.of(ALIVE, DELETED)) {
                update(c, "INSERT INTO endpoint (id, tenant_id, name, host, port, server_name, scan_interval_minutes,"
                        + " created_at, updated_at) VALUES (?, ?, ?, '127.0.0.1', 9, 'sts.migration.test', 360, ?, ?)",
                        endpoint, TENANT, endpoint.equals(ALIVE) ? "alive" : "deleted", now, now);
            }

            // a scan as ScanRecorder wrote it: the API records' lists as JSON text
            List<String> chain = List.of(Sha256.of(leaf), Sha256.of(intermediate));
            List<Finding> findings = List.of(
                    Finding.about(FindingCode.UNTRUSTED_ROOT, Sha256.of(root), "API 30, 31 do not trust the root"),
                    Finding.of(FindingCode.EXPIRES_SOON, "the leaf expires in 20 days"));
            List<ApiLevelVerdict> verdicts = List.of(
                    new ApiLevelVerdict(30, "api-30", false, List.of(Sha256.of(root)), "untrusted root"),
                    new ApiLevelVerdict(31, "api-31", false, List.of(Sha256.of(root)), "no trust anchor"));
            update(c, "INSERT INTO scan (id, endpoint_id, tenant_id, started_at, duration_ms, status, trigger, "
                    + "tls_version, cipher_suite, address, chain_key, presented, completed_path, findings, "
                    + "per_api_level) VALUES (?, ?, ?, ?, 42, 'OK', 'MANUAL', 'TLSv1.3', 'TLS_AES_128_GCM_SHA256', "
                    + "'127.0.0.1', ?, ?, ?, ?, ?)", SCAN, ALIVE, TENANT, Timestamp.from(STARTED),
                    Sha256.hex(String.join(",", chain).getBytes(StandardCharsets.UTF_8)),
                    v8Json.writeValueAsString(List.of(CertificateSummary.of(leaf), CertificateSummary.of(intermediate))),
                    v8Json.writeValueAsString(List.of(Sha256.of(leaf), Sha256.of(intermediate), Sha256.of(root))),
                    v8Json.writeValueAsString(findings), v8Json.writeValueAsString(verdicts));

            // device groups as DeviceGroupService wrote them: endpoint ids as a JSON list
            group(c, NAMES_BOTH, "names both", List.of(ALIVE, DELETED), now);
            group(c, NAMES_DELETED, "names the deleted one", List.of(DELETED), now);
            group(c, NAMES_NONE, "names none", List.of(), now);
            // the V8 code deleted an endpoint without touching the groups that named it
            update(c, "DELETE FROM endpoint WHERE id = ?", DELETED);

            // a requirements document as RequirementsService wrote it: the API record, role in lower case
            GroupRequirements document = new GroupRequirements(NAMES_BOTH, 3, COMPUTED,
                    List.of(new GroupRequirements.Certificate(Sha256.of(intermediate), "intermediate",
                            CertificateSummary.of(intermediate).subject(), intermediate.getNotAfter().toInstant(),
                            List.of(new Reason(ALIVE, List.of(30, 31), ReasonCode.MISSING_INTERMEDIATE)))),
                    List.of(new GroupRequirements.Problem(DELETED, List.of(30, 31), UnresolvedCode.NOT_SCANNED,
                            "no observation of this endpoint", null)),
                    List.of(new GroupRequirements.Hint(ALIVE, AdviceCode.SEND_INTERMEDIATE, Sha256.of(intermediate),
                            "send the intermediate")));
            update(c, "INSERT INTO group_requirements (group_id, tenant_id, version, set_key, computed_at, document)"
                    + " VALUES (?, ?, 3, ?, ?, ?)", NAMES_BOTH, TENANT,
                    Sha256.hex((Sha256.of(intermediate) + ":INTERMEDIATE").getBytes(StandardCharsets.UTF_8)),
                    Timestamp.from(COMPUTED), v8Json.writeValueAsString(document));
        }

        private void group(Connection c, UUID id, String name, List<UUID> endpoints, Timestamp now)
                throws Exception {
            update(c, "INSERT INTO device_group (id, tenant_id, name, min_api_level, max_api_level, management_mode, "
                    + "endpoint_ids, include_sha256, exclude_sha256, created_at, updated_at) "
                    + "VALUES (?, ?, ?, 30, 31, 'FULLY_MANAGED', ?, '[]', '[]', ?, ?)", id, TENANT, name,
                    v8Json.writeValueAsString(endpoints), now, now);
        }

        private static void update(Connection c, String sql, Object... parameters) throws SQLException {
            try (PreparedStatement s = c.prepareStatement(sql)) {
                for (int i = 0; i < parameters.length; i++) {
                    s.setObject(i + 1, parameters[i]);
                }
                s.executeUpdate();
            }
        }
    }
}
