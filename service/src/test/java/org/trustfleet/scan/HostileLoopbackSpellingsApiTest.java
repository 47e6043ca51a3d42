package org.trustfleet.scan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.trustfleet.testing.Contract.as;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.trustfleet.testing.ApiFixtures;
import org.trustfleet.testing.EmbeddedPostgresResource;
import org.trustfleet.testing.ProductionAddressGuard;

/**
 * Hostile spellings of loopback through endpoint create, update and scan with the default guard: each is refused as
 * input (400) or scanned as BLOCKED_ADDRESS, and never a connection. A canary listening on loopback (IPv4 and, where
 * available, IPv6) on the endpoints' port counts the connections it accepts; it must stay at zero.
 *
 * <p>Before any scan, the stored host goes through the guard with a resolver that answers from literals and
 * {@code localhost} only: a spelling the guard would let through fails the test there, before the scanner could send
 * a packet anywhere (a spelling such as {@code 0177.0.0.1} names the public 177.0.0.1 to Java).
 */
@QuarkusTest
@TestProfile(ProductionAddressGuard.class)
@WithTestResource(value = EmbeddedPostgresResource.class, scope = TestResourceScope.GLOBAL)
class HostileLoopbackSpellingsApiTest {

    private static Canary canary;

    private String tenant;
    private String admin;

    @BeforeAll
    static void startCanary() throws IOException {
        canary = new Canary();
    }

    @AfterAll
    static void stopCanary() throws IOException {
        canary.close();
    }

    @BeforeEach
    void tenant() {
        String[] t = ApiFixtures.tenantWithAdmin("hostile-spellings");
        tenant = t[0];
        admin = t[1];
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
            "127.0.0.1", "127.0.0.1.", "127.255.255.254", "2130706433", "2130706433.", "0x7f000001", "0X7F000001",
            "0x7f.0x0.0x0.0x1", "0x7f.1", "0177.0.0.1", "0177.0.0.01", "017700000001", "127.1", "127.0.1",
            "127.000.000.001", "0", "0.0.0.0", "::1", "[::1]", "0:0:0:0:0:0:0:1", "::ffff:127.0.0.1",
            "[::ffff:127.0.0.1]", "::ffff:7f00:1", "::127.0.0.1", "[::127.0.0.1]", "::", "localhost", "localhost.",
            "LOCALHOST", "LocalHost.", "LOCALHOST.",
    })
    void isRefusedOrBlockedAndNeverConnected(String spelling) {
        // create
        Response created = as(admin).contentType(ContentType.JSON).body(body("create", spelling))
                .post("/api/v1/tenants/{t}/endpoints", tenant);
        assertThat(created.statusCode()).as("create " + spelling + ": " + created.asString()).isIn(201, 400);
        if (created.statusCode() == 201) {
            scanIsBlocked(created.jsonPath());
        } else {
            assertThat(created.jsonPath().getString("type")).isEqualTo("urn:trustfleet:problem:validation");
        }

        // update an endpoint that names an ordinary host
        String id = as(admin).contentType(ContentType.JSON).body(body("update", "sts.update.guard.test"))
                .post("/api/v1/tenants/{t}/endpoints", tenant).then().statusCode(201).extract().path("id");
        Response updated = as(admin).contentType(ContentType.JSON).body(body("update", spelling))
                .put("/api/v1/tenants/{t}/endpoints/{e}", tenant, id);
        assertThat(updated.statusCode()).as("update " + spelling + ": " + updated.asString()).isIn(200, 400);
        if (updated.statusCode() == 200) {
            scanIsBlocked(updated.jsonPath());
        } else {
            assertThat(updated.jsonPath().getString("type")).isEqualTo("urn:trustfleet:problem:validation");
        }

        assertThat(canary.accepts()).as("connections reaching the loopback canary").isZero();
    }

    private void scanIsBlocked(JsonPath endpoint) {
        String host = endpoint.getString("host");
        // precondition, without any network: the guard refuses what was stored; else no scan is started at all
        assertThatThrownBy(() -> PRECHECK.resolve(host)).as("the default guard refuses '%s'", host)
                .isInstanceOfSatisfying(AddressGuardException.class, e -> assertThat(e.reason())
                        .isEqualTo(AddressGuardException.Reason.BLOCKED_ADDRESS));
        JsonPath scan = new JsonPath(as(admin).post("/api/v1/tenants/{t}/endpoints/{e}/scans", tenant,
                endpoint.getString("id")).then().statusCode(201).extract().asString());
        assertThat(scan.getString("status")).as("scan of " + host).isEqualTo("BLOCKED_ADDRESS");
        assertThat(scan.getList("presented")).isEmpty();
    }

    private static Map<String, Object> body(String purpose, String host) {
        return Map.of("name", purpose + "-" + UUID.randomUUID(), "host", host, "port", canary.port(),
                "serverName", "sts.guard.test");
    }

    /** The default guard (no private addresses), resolving literals and localhost only: never DNS, never a packet. */
    private static final AddressGuard PRECHECK = new AddressGuard(false, host -> {
        if (host.equals("localhost")) {
            return new InetAddress[] {InetAddress.getByName("127.0.0.1")};
        }
        if (!AddressGuard.isIpLiteral(host)) {
            throw new UnknownHostException(host);
        }
        return InetAddress.getAllByName(host);
    }, Duration.ofSeconds(1));

    /** Listens on 127.0.0.1 and, where the host has IPv6, on ::1 with the same port; counts every accept. */
    private static final class Canary implements AutoCloseable {
        private final List<ServerSocket> sockets = new ArrayList<>();
        private final AtomicInteger accepts = new AtomicInteger();

        Canary() throws IOException {
            ServerSocket v4 = new ServerSocket();
            v4.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
            listen(v4);
            try {
                ServerSocket v6 = new ServerSocket();
                v6.bind(new InetSocketAddress(InetAddress.getByName("::1"), v4.getLocalPort()));
                listen(v6);
            } catch (IOException e) {
                // no IPv6 loopback here (or the port is taken on it): nothing can connect to ::1 on this port
                // through us either way, the IPv4 canary still counts
            }
        }

        private void listen(ServerSocket socket) {
            sockets.add(socket);
            Thread t = new Thread(() -> {
                while (!socket.isClosed()) {
                    try (Socket accepted = socket.accept()) {
                        accepts.incrementAndGet();
                    } catch (IOException e) {
                        return;
                    }
                }
            }, "loopback-canary");
            t.setDaemon(true);
            t.start();
        }

        int port() {
            return sockets.get(0).getLocalPort();
        }

        int accepts() {
            return accepts.get();
        }

        @Override
        public void close() throws IOException {
            for (ServerSocket s : sockets) {
                s.close();
            }
        }
    }
}
