package org.trustfleet.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.trustfleet.testing.EmbeddedPostgresResource;

/**
 * Errors of the HTTP layer, sent on a raw socket because an HTTP client will not send them: each is a problem
 * document with a stable type, like every other error of the service.
 */
@QuarkusTest
@WithTestResource(value = EmbeddedPostgresResource.class, scope = TestResourceScope.GLOBAL)
class HttpLimitsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What came back: status, headers (lower-case names) and body. */
    record Answer(int status, Map<String, String> headers, byte[] body) {
        JsonNode problem() throws IOException {
            assertThat(headers.get("content-type")).as("content type").startsWith(Problem.MEDIA_TYPE);
            return JSON.readTree(body);
        }
    }

    @Test
    void headersOverTheLimitAreA431Problem() throws IOException {
        Answer answer = exchange(("GET /api/v1/tenants HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
                + "X-Fill: " + "a".repeat(30_000) + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII), null);
        assertThat(answer.status()).isEqualTo(431);
        JsonNode problem = answer.problem();
        assertThat(problem.path("type").asText()).isEqualTo("urn:trustfleet:problem:headers-too-large");
        assertThat(problem.path("status").asInt()).isEqualTo(431);
    }

    @Test
    void aRequestTargetOverTheLimitIsA414ProblemThatDoesNotRepeatIt() throws IOException {
        String target = "/api/v1/tenants?filler=" + "b".repeat(5_000);
        Answer answer = exchange(("GET " + target + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII), null);
        assertThat(answer.status()).isEqualTo(414);
        JsonNode problem = answer.problem();
        assertThat(problem.path("type").asText()).isEqualTo("urn:trustfleet:problem:uri-too-long");
        assertThat(new String(answer.body(), StandardCharsets.UTF_8)).doesNotContain("bbbbbbbbbb");
    }

    @Test
    void aDeclaredBodyOverEveryLimitIsA413ProblemBeforeItIsRead() throws IOException {
        // above quarkus.http.limits.max-body-size (16 MiB) too, where Quarkus itself answers a bare 413
        for (long length : new long[] {2L * 1024 * 1024, 20L * 1024 * 1024, 10L * 1024 * 1024 * 1024}) {
            Answer answer = exchange(("POST /api/v1/tenants HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
                    + "Content-Type: application/json\r\nContent-Length: " + length + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII), null);
            assertThat(answer.status()).as("declared %d", length).isEqualTo(413);
            assertThat(answer.problem().path("type").asText()).isEqualTo("urn:trustfleet:problem:payload-too-large");
        }
    }

    @Test
    void aClientThatSendsTheWholeRefusedBodyStillGetsTheAnswerAndAnOrderlyClose() throws IOException {
        // most HTTP clients write the whole body before reading: the refused body is drained, not reset mid-write
        int length = 1536 * 1024;
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), RestAssured.port)) {
            socket.setSoTimeout(60_000); // only a hung server reaches this
            OutputStream out = socket.getOutputStream();
            out.write(("POST /api/v1/tenants HTTP/1.1\r\nHost: localhost\r\n"
                    + "Authorization: Bearer " + EmbeddedPostgresResource.OPERATOR_TOKEN + "\r\n"
                    + "Content-Type: application/json\r\nContent-Length: " + length + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            Answer answer = read(in); // answered on the headers alone
            assertThat(answer.status()).isEqualTo(413);
            assertThat(answer.headers()).containsEntry("connection", "close");
            byte[] piece = new byte[64 * 1024];
            for (int sent = 0; sent < length; sent += piece.length) {
                out.write(piece); // before the drain: the connection was already closed, and this failed
                out.flush();
            }
            assertThat(in.read()).as("closed once the body is in").isEqualTo(-1);
        }
    }

    @Test
    void aChunkedBodyOverTheLimitIsA413Problem() throws IOException {
        String head = "POST /api/v1/tenants HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
                + "Authorization: Bearer " + EmbeddedPostgresResource.OPERATOR_TOKEN + "\r\n"
                + "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n";
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(chunk("{\"name\": \""));
        byte[] filler = "c".repeat(64 * 1024).getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < 20; i++) { // 1.25 MiB of a string value, over the 1 MiB limit
            body.writeBytes(chunk(new String(filler, StandardCharsets.US_ASCII)));
        }
        body.writeBytes(chunk("\"}"));
        body.writeBytes("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        Answer answer = exchange(head.getBytes(StandardCharsets.US_ASCII), body.toByteArray());
        assertThat(answer.status()).isEqualTo(413);
        JsonNode problem = answer.problem();
        assertThat(problem.path("type").asText()).isEqualTo("urn:trustfleet:problem:payload-too-large");
        assertThat(problem.path("detail").asText()).contains("exceeds the limit");
    }

    @Test
    void requestsWithinTheLimitsPassThrough() throws IOException {
        Answer answer = exchange(("GET /api/v1/tenants HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
                + "X-Fill: " + "a".repeat(8_000) + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII), null);
        assertThat(answer.status()).isEqualTo(401); // the limits let it through to authentication
        assertThat(answer.problem().path("type").asText()).isEqualTo("urn:trustfleet:problem:unauthenticated");
    }

    /**
     * Percent-encoding that decodes to something odd (invalid UTF-8, a NUL) in a path or query: a 4xx problem, never
     * 500. (Encoding that does not decode at all, {@code %zz}, is in whatTheCodecRefusesIsAProblemDocument.)
     */
    @org.junit.jupiter.params.ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.ValueSource(strings = {"/api/v1/tenants/{t}/endpoints/%c3%28",
            "/api/v1/tenants/{t}/endpoints/%ff%fe", "/api/v1/tenants/{t}/devices?limit=%00",
            "/api/v1/tenants/{t}/devices?limit=%c3%28"})
    void aBrokenPercentEncodingIsAClientError(String target) throws IOException {
        Answer answer = exchange(("GET " + target.replace("{t}", java.util.UUID.randomUUID().toString())
                + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nAuthorization: Bearer "
                + EmbeddedPostgresResource.OPERATOR_TOKEN + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII), null);
        assertThat(answer.status()).isBetween(400, 499);
        assertThat(answer.problem().path("status").asInt()).isEqualTo(answer.status());
    }

    @Test
    void aRequestWithoutAHostHeaderIsAProblem() throws IOException {
        // refused by the HTTP router (Vert.x Web), below JAX-RS: the failure handler of web.HttpLimits answers
        Answer answer = exchange("GET /api/v1/tenants HTTP/1.1\r\nConnection: close\r\n\r\n"
                .getBytes(StandardCharsets.US_ASCII), null);
        assertThat(answer.status()).isEqualTo(400);
        assertThat(answer.problem().path("type").asText()).isEqualTo("urn:trustfleet:problem:malformed-request");
    }

    /**
     * What the HTTP/1.1 codec itself refuses, before any route, and a target that is not a URI (which Quarkus refuses
     * before its router): both answered with an empty body unless told otherwise, which Quarkus has no setting for
     * (the project's codec-problems extension installs web.CodecFailures and leaves the target check to HttpLimits).
     */
    @org.junit.jupiter.params.ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.CsvSource(delimiter = '|', value = {
        "two Content-Length values|400|malformed-request|Content-Length|true",
        "a Content-Length list|400|malformed-request|Content-Length|true",
        "a header line without a colon|400|malformed-request|not valid HTTP/1.1|true",
        "a request line over 64 KiB|414|uri-too-long|request line|true",
        "a header section over 64 KiB|431|headers-too-large|headers|true",
        "a request line with three parts missing|400|malformed-request|not valid HTTP/1.1|true",
        "a percent sign not followed by two hex digits|400|malformed-request|not a valid URI|false"})
    void whatTheCodecRefusesIsAProblemDocument(String what, int status, String type, String detail, boolean closes)
            throws IOException {
        String head = switch (what) {
            case "two Content-Length values" -> "POST /api/v1/tenants HTTP/1.1\r\nHost: localhost\r\n"
                    + "Content-Length: 2\r\nContent-Length: 3\r\n\r\n{}";
            case "a Content-Length list" -> "POST /api/v1/tenants HTTP/1.1\r\nHost: localhost\r\n"
                    + "Content-Length: 2, 2\r\n\r\n{}";
            case "a header line without a colon" -> "GET /api/v1/tenants HTTP/1.1\r\nHost: localhost\r\n"
                    + "no colon here\r\n\r\n";
            case "a request line over 64 KiB" -> "GET /api/v1/tenants?x=" + "d".repeat(70_000)
                    + " HTTP/1.1\r\nHost: localhost\r\n\r\n";
            case "a header section over 64 KiB" -> "GET /api/v1/tenants HTTP/1.1\r\nHost: localhost\r\n"
                    + "X-Fill: " + "e".repeat(70_000) + "\r\n\r\n";
            case "a request line with three parts missing" -> "GARBAGE\r\nHost: localhost\r\n\r\n";
            case "a percent sign not followed by two hex digits" -> "GET /api/v1/tenants/%zz HTTP/1.1\r\n"
                    + "Host: localhost\r\nAuthorization: Bearer " + EmbeddedPostgresResource.OPERATOR_TOKEN
                    + "\r\n\r\n";
            default -> throw new IllegalArgumentException(what);
        };
        Answer answer = exchange(head.getBytes(StandardCharsets.US_ASCII), null);
        assertThat(answer.status()).as(what).isEqualTo(status);
        JsonNode problem = answer.problem();
        assertThat(problem.path("type").asText()).isEqualTo("urn:trustfleet:problem:" + type);
        assertThat(problem.path("status").asInt()).isEqualTo(status);
        assertThat(problem.path("detail").asText()).contains(detail);
        if (closes) { // the codec cannot tell where a next request would start
            assertThat(answer.headers()).containsEntry("connection", "close");
        }
        String body = new String(answer.body(), StandardCharsets.UTF_8);
        assertThat(body).doesNotContain("ddddd").doesNotContain("eeeee").doesNotContain("no colon")
                .doesNotContain("Exception");
    }

    @Test
    void aChunkSizeThatIsNotHexadecimalClosesTheConnectionAndStoresNothing() throws IOException {
        // the body's framing is lost mid-request: the codec fails the request and closes; nothing is half-stored
        String name = "chunk-" + java.util.UUID.randomUUID();
        String head = "POST /api/v1/tenants HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer "
                + EmbeddedPostgresResource.OPERATOR_TOKEN + "\r\nContent-Type: application/json\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n";
        byte[] body = ("zz\r\n{\"name\":\"" + name + "\"}\r\n0\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), RestAssured.port)) {
            socket.setSoTimeout(60_000); // only a hung server reaches this
            socket.getOutputStream().write(head.getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().write(body);
            socket.getOutputStream().flush();
            byte[] rest = socket.getInputStream().readAllBytes();
            assertThat(new String(rest, StandardCharsets.ISO_8859_1)).doesNotStartWith("HTTP/1.1 5");
        }
        io.restassured.RestAssured.given().auth().oauth2(EmbeddedPostgresResource.OPERATOR_TOKEN)
                .get("/api/v1/tenants").then().statusCode(200)
                .body(org.hamcrest.Matchers.not(org.hamcrest.Matchers.containsString(name)));
    }

    private static byte[] chunk(String data) {
        byte[] bytes = data.getBytes(StandardCharsets.US_ASCII);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes((Integer.toHexString(bytes.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(bytes);
        out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        return out.toByteArray();
    }

    /**
     * Sends {@code head} (and {@code body}, which the server may stop reading once it has answered) and reads the
     * answer to the end of its body.
     */
    private static Answer exchange(byte[] head, byte[] body) throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), RestAssured.port)) {
            socket.setSoTimeout(60_000); // only a hung server reaches this; a normal answer takes milliseconds
            OutputStream out = socket.getOutputStream();
            out.write(head);
            if (body != null) {
                try {
                    out.write(body);
                } catch (IOException refused) {
                    // the server answered and closed before taking the whole body: the answer is still there
                }
            }
            out.flush();
            return read(socket.getInputStream());
        }
    }

    private static Answer read(InputStream in) throws IOException {
        ByteArrayOutputStream headBytes = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed before the end of the headers: " + headBytes);
            }
            headBytes.write(b);
            matched = (b == '\r' && (matched == 0 || matched == 2)) || (b == '\n' && (matched == 1 || matched == 3))
                    ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        String[] lines = headBytes.toString(StandardCharsets.ISO_8859_1).split("\r\n");
        int status = Integer.parseInt(lines[0].split(" ")[1]);
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0) {
                headers.put(lines[i].substring(0, colon).strip().toLowerCase(Locale.ROOT),
                        lines[i].substring(colon + 1).strip());
            }
        }
        byte[] body;
        if (headers.containsKey("content-length")) {
            body = in.readNBytes(Integer.parseInt(headers.get("content-length")));
        } else if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            while (true) {
                int size = Integer.parseInt(line(in).split(";")[0].strip(), 16);
                if (size == 0) {
                    break;
                }
                out.writeBytes(in.readNBytes(size));
                line(in);
            }
            body = out.toByteArray();
        } else {
            body = in.readAllBytes();
        }
        return new Answer(status, headers, body);
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int b = in.read(); b >= 0 && b != '\n'; b = in.read()) {
            if (b != '\r') {
                line.append((char) b);
            }
        }
        return line.toString();
    }
}
