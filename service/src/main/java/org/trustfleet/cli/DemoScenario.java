package org.trustfleet.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.trustfleet.pki.CertificateEncoder;
import org.trustfleet.pki.Certificates;
import org.trustfleet.truststore.BundledStores;
import org.trustfleet.truststore.PlatformStore;

/**
 * What the demo sets up, through the service's own API, once the service is ready: loopback endpoints reproducing
 * the field reports (000-004 in {@code shared/seeds}), the tenant {@code Contoso (demo)} with an admin key, two device
 * groups with one simulated device each; then it prints where to look.
 *
 * <p>A generated root cannot be in Android's real stores, so the demo stands in for the public CAs with two generated
 * roots added to operator platform stores ({@code POST /api/v1/trust-stores}, one per bundled API level: that level's
 * bundled certificates plus the demo roots): "Demo Public Root CA" in every level (a long-established public root)
 * and "Demo New Root CA" from {@link #NEW_ROOT_FROM_API} up (a root only newer Android versions ship). The API takes
 * CA certificates only, so the few version-1 roots of the old bundled stores (no basicConstraints) are left out.
 */
final class DemoScenario implements AutoCloseable {
    /** The first API level whose (demo) store holds the new root: Android 12. */
    static final int NEW_ROOT_FROM_API = 31;
    static final String TENANT = "Contoso (demo)";
    private static final Duration AGENT_INTERVAL = Duration.ofSeconds(5);

    private final DemoApi api;
    private final Path dataDir;
    private final String configuredOperatorToken;
    private final PrintStream out;
    private final DemoServers servers = new DemoServers();
    private final DemoDevices devices = new DemoDevices();
    private final Instant started = Instant.now();

    DemoScenario(DemoApi api, Path dataDir, String configuredOperatorToken, PrintStream out) {
        this.api = api;
        this.dataDir = dataDir;
        this.configuredOperatorToken = configuredOperatorToken;
        this.out = out;
    }

    /** One watched endpoint of the demo and the field report it reproduces. */
    private record DemoEndpoint(String seed, String serverName, int port, String story) {}

    void run() throws Exception {
        // --- the certificate authorities: generated now, never written anywhere but the demo's own stores
        DemoPki.Issued publicRoot = DemoPki.root("Demo Public Trust", "Demo Public Root CA");
        DemoPki.Issued newRoot = DemoPki.root("Demo Public Trust", "Demo New Root CA");
        DemoPki.Issued adfsRoot = DemoPki.root("Contoso", "Contoso Enterprise Root CA (on-premises AD FS)");
        DemoPki.Issued adfsIssuing = adfsRoot.intermediate("Contoso", "Contoso Issuing CA 01");
        DemoPki.Issued newIssuing = newRoot.intermediate("Demo Public Trust", "Demo New TLS CA");
        DemoPki.Issued publicIssuing = publicRoot.intermediate("Demo Public Trust", "Demo Public TLS CA");
        // 004 has its own intermediate: the mail host's is found through AIA only, as in field report 002
        DemoPki.Issued serverIssuing = publicRoot.intermediate("Demo Public Trust", "Demo Public Server CA");
        String aiaUrl = servers.aia("/demo-public-tls-ca.cer", publicIssuing.certificate().getEncoded());

        // --- the servers of the field reports, on loopback
        DemoPki.Issued sts = adfsIssuing.leaf("sts.contoso.example", null);
        DemoPki.Issued login = newIssuing.leaf("login.contoso.example", null);
        DemoPki.Issued mail = publicIssuing.leaf("mail.contoso.example", aiaUrl);
        DemoPki.Issued portal = serverIssuing.leaf("portal.contoso.example", null);
        List<DemoEndpoint> endpoints = List.of(
                new DemoEndpoint("000/001", "sts.contoso.example",
                        servers.tls(List.of(sts.certificate(), adfsIssuing.certificate()), sts.keyPair().getPrivate()),
                        "federation STS; its chain ends at the private on-premises AD FS root (a tenant anchor)"),
                new DemoEndpoint("000/001", "login.contoso.example",
                        servers.tls(List.of(login.certificate(), newIssuing.certificate()),
                                login.keyPair().getPrivate()),
                        "login endpoint; its public root ships only from Android 12 (API " + NEW_ROOT_FROM_API + ")"),
                new DemoEndpoint("002", "mail.contoso.example",
                        servers.tls(List.of(mail.certificate()), mail.keyPair().getPrivate()),
                        "mail host behind a load balancer that omits the intermediate (reachable through AIA)"),
                new DemoEndpoint("003", "signin-blocked.contoso.example", DemoServers.refused(),
                        "sign-in host whose port is blocked (connection refused)"),
                new DemoEndpoint("003", "signin-silent.contoso.example", servers.silent(),
                        "sign-in host that accepts the connection and never answers"),
                new DemoEndpoint("004", "portal.contoso.example",
                        servers.tls(List.of(portal.certificate(), serverIssuing.certificate()),
                                portal.keyPair().getPrivate()),
                        "perfect chain: a sign-in failure here (\"authentication session expired\") is not about"
                                + " certificates"));

        api.awaitReady(DemoCommand.READY_TIMEOUT);
        String operator = operatorToken();

        // --- the operator: platform stores standing in for public CAs (see the class comment)
        for (Map.Entry<Integer, PlatformStore> level : bundledByLevel().entrySet()) {
            // the API takes CA certificates only: the few version-1 roots (no basicConstraints) of the old stores
            // stay out of the demo stores; no demo endpoint chains to them
            List<X509Certificate> members = new ArrayList<>(level.getValue().certificates().stream()
                    .filter(Certificates::isCaCertificate).toList());
            members.add(publicRoot.certificate());
            if (level.getKey() >= NEW_ROOT_FROM_API) {
                members.add(newRoot.certificate());
            }
            api.post("/api/v1/trust-stores", operator, Map.of("name", "demo-api-" + level.getKey(),
                    "platform", "android", "apiLevel", level.getKey(), "pem", CertificateEncoder.toPem(members)));
        }
        String tenantId = api.post("/api/v1/tenants", operator, Map.of("name", TENANT)).get("id").asText();
        String tenantPath = "/api/v1/tenants/" + tenantId;
        String adminKey = api.post(tenantPath + "/api-keys", operator, Map.of("name", "demo admin", "role", "admin"))
                .get("token").asText();

        // --- the tenant admin: the private root, the endpoints, the groups, a scan of each endpoint
        api.post(tenantPath + "/anchors", adminKey, Map.of("pem",
                CertificateEncoder.toPem(List.of(adfsRoot.certificate())),
                "note", "on-premises AD FS root (field reports 000/001)"));
        Map<String, String> endpointIds = new LinkedHashMap<>();
        for (DemoEndpoint endpoint : endpoints) {
            JsonNode created = api.post(tenantPath + "/endpoints", adminKey, Map.of(
                    "name", endpoint.serverName() + " (field report " + endpoint.seed() + ")",
                    "host", "127.0.0.1", "port", endpoint.port(), "serverName", endpoint.serverName(),
                    "scanIntervalMinutes", 60));
            endpointIds.put(endpoint.serverName(), created.get("id").asText());
        }
        String older = api.post(tenantPath + "/device-groups", adminKey, Map.of(
                "name", "Android 7-9", "minApiLevel", 24, "maxApiLevel", 28)).get("id").asText();
        String newer = api.post(tenantPath + "/device-groups", adminKey, Map.of(
                "name", "Android 12-16", "minApiLevel", 31, "maxApiLevel", 36)).get("id").asText();

        // --- the devices: one reference agent per group, in this process; they pick up the scans' outcome as it
        // comes (the requirements change, the next sync applies them)
        enrollDevice(tenantPath, adminKey, older, "demo-android-8", 26);
        enrollDevice(tenantPath, adminKey, newer, "demo-android-14", 34);

        Map<String, String> groups = new LinkedHashMap<>();
        groups.put("Android 7-9", older);
        groups.put("Android 12-16", newer);
        printGuide(tenantPath, adminKey, groups, endpoints, endpointIds);
        scanAll(tenantPath, adminKey, endpointIds.values());
        awaitCompliance(tenantPath, adminKey);
    }

    /**
     * Scans every endpoint now, at most {@code trustfleet.scanner.manual-scans-per-tenant} (default 4) at once: the
     * silent host costs a handshake timeout per probe, which should not hold up the others.
     */
    private void scanAll(String tenantPath, String adminKey, Collection<String> endpointIds)
            throws InterruptedException {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<JsonNode>> scans = new ArrayList<>();
            for (String endpointId : endpointIds) {
                scans.add(pool.submit(() -> api.post(tenantPath + "/endpoints/" + endpointId + "/scans", adminKey,
                        Map.of())));
            }
            for (Future<JsonNode> scan : scans) {
                try {
                    scan.get();
                } catch (ExecutionException e) {
                    // the endpoint's scheduled first scan (10 s after creation) stands in for this one
                    out.println("demo: a scan on demand failed (the scheduled scan follows): "
                            + e.getCause().getMessage());
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private void enrollDevice(String tenantPath, String adminKey, String groupId, String hardwareId, int apiLevel)
            throws Exception {
        String token = api.post(tenantPath + "/enrollment-tokens", adminKey, Map.of(
                "deviceGroupId", groupId, "expiresInSeconds", 3600, "maxUses", 1)).get("token").asText();
        devices.enroll(api.baseUrl(), token, hardwareId, apiLevel, dataDir.resolve("devices").resolve(hardwareId),
                AGENT_INTERVAL);
    }

    /** The effective bundled store of each API level (the plain {@code api-NN} store, else the level's only one). */
    private static SortedMap<Integer, PlatformStore> bundledByLevel() {
        SortedMap<Integer, PlatformStore> byLevel = new TreeMap<>();
        for (PlatformStore store : BundledStores.load()) {
            if (!byLevel.containsKey(store.apiLevel()) || store.name().equals("api-" + store.apiLevel())) {
                byLevel.put(store.apiLevel(), store);
            }
        }
        return byLevel;
    }

    private String operatorToken() throws IOException {
        if (configuredOperatorToken != null) {
            return configuredOperatorToken;
        }
        return Files.readString(dataDir.resolve("operator-token"), StandardCharsets.UTF_8).strip();
    }

    private void printGuide(String tenantPath, String adminKey, Map<String, String> groups,
            List<DemoEndpoint> endpoints, Map<String, String> endpointIds) {
        String base = api.baseUrl();
        StringBuilder text = new StringBuilder();
        text.append("\n=== Trustfleet demo: the field reports, reproduced on loopback ===\n\n");
        text.append("Tenant      ").append(TENANT).append("  (").append(base).append(tenantPath).append(")\n");
        text.append("Admin API key (use as: Authorization: Bearer <key>)\n  ").append(adminKey).append("\n\n");
        text.append("Open (with the key):\n");
        text.append("  API base        ").append(base).append("/api/v1\n");
        text.append("  Drift report    ").append(base).append(tenantPath).append("/drift-report\n");
        groups.forEach((name, id) -> text.append(String.format("  Requirements    %s/device-groups/%s/requirements"
                + "   (%s)%n", base + tenantPath, id, name)));
        text.append("  Devices         ").append(base).append(tenantPath).append("/devices\n");
        text.append("  Endpoints       ").append(base).append(tenantPath).append("/endpoints\n");
        text.append("  e.g.  curl -H 'Authorization: Bearer ").append(adminKey).append("' ")
                .append(base).append(tenantPath).append("/drift-report\n\n");
        text.append("Endpoints (field report: what it reproduces):\n");
        for (DemoEndpoint endpoint : endpoints) {
            text.append(String.format("  %-7s %-31s 127.0.0.1:%-5d %s%n    scans: %s/endpoints/%s/scans/latest%n",
                    endpoint.seed(), endpoint.serverName(), endpoint.port(), endpoint.story(), base + tenantPath,
                    endpointIds.get(endpoint.serverName())));
        }
        text.append("""

                How the demo stands in for public CAs: a generated root cannot be in Android's real stores, so the
                demo added operator platform stores (POST /api/v1/trust-stores, names demo-api-NN): each is that
                API level's bundled store plus "Demo Public Root CA" (every level) and, from API %d up, "Demo New
                Root CA" (a root only newer Android versions ship). The API takes CA certificates only, so the
                old stores' few version-1 roots (no basicConstraints) are left out of the demo stores.

                Devices: demo-android-8 (API 26) in "Android 7-9", demo-android-14 (API 34) in "Android 12-16",
                each a reference agent in this process syncing every %d s. Within a minute both are COMPLIANT: the
                AD FS root, the mail host's intermediate and (Android 7-9 only) the new root are delivered; the two
                sign-in hosts of 003 are reported unreachable (nothing a certificate can fix); portal.contoso.example
                (004) is trusted by every Android version: its sign-in failures are not a certificate problem.

                Ctrl-C stops the service, its database, the demo servers and the devices. Data: %s (wiped at the
                next demo start).
                """.formatted(NEW_ROOT_FROM_API, AGENT_INTERVAL.toSeconds(), dataDir));
        out.println(text);
    }

    /** Reports once both devices are COMPLIANT (or after 90 s, what they are). */
    private void awaitCompliance(String tenantPath, String adminKey) throws Exception {
        Instant deadline = Instant.now().plusSeconds(90);
        String states = "";
        while (Instant.now().isBefore(deadline)) {
            JsonNode listed = api.get(tenantPath + "/devices", adminKey);
            JsonNode items = listed.isArray() ? listed : listed.path("items");
            List<String> seen = new ArrayList<>();
            boolean all = items.size() == 2;
            for (JsonNode device : items) {
                String state = device.path("compliance").path("state").asText();
                seen.add(device.path("hardwareId").asText() + " " + state);
                all &= state.equals("COMPLIANT");
            }
            states = String.join(", ", seen);
            if (all) {
                out.printf("demo: devices COMPLIANT %d s after start (%s)%n",
                        Duration.between(started, Instant.now()).toSeconds(), states);
                return;
            }
            Thread.sleep(2000);
        }
        out.println("demo: devices not all COMPLIANT after 90 s: " + states);
    }

    @Override
    public void close() {
        try {
            devices.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        servers.close();
    }
}
