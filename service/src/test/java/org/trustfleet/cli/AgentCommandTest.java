package org.trustfleet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.trustfleet.payload.PayloadFixtures;

class AgentCommandTest {

    @TempDir
    Path tmp;
    FakeTrustfleetServer server;
    final ByteArrayOutputStream out = new ByteArrayOutputStream();
    final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @BeforeEach
    void start() throws Exception {
        server = new FakeTrustfleetServer();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private int run(String... args) {
        out.reset();
        err.reset();
        return AgentCommand.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void enrollSyncNotModifiedAndRollback() {
        String state = tmp.resolve("state").toString();
        String ca = tmp.resolve("ca").toString();
        assertThat(run("enroll", "--server", server.baseUrl(), "--token", FakeTrustfleetServer.ENROLLMENT_TOKEN,
                "--hardware-id", "hw-9", "--api-level", "29", "--state", state)).as(err()).isZero();
        assertThat(out()).startsWith("enrolled device " + server.deviceId).contains(server.tenant.toString());

        byte[] v1 = server.publish(1, PayloadFixtures.INT_A);
        assertThat(run("sync", "--state", state, "--ca-dir", ca)).as(err()).isZero();
        assertThat(out()).contains("installed " + PayloadFixtures.INT_A.sha256())
                .contains("applied payload version 1: 1 installed, 0 removed, 0 failed").contains("report sent");
        assertThat(Files.exists(Path.of(ca, PayloadFixtures.INT_A.sha256() + ".pem"))).isTrue();

        assertThat(run("sync", "--state", state, "--ca-dir", ca)).isZero();
        assertThat(out()).contains("payload not modified (version 1)");

        server.publish(2, PayloadFixtures.ROOT_C);
        assertThat(run("sync", "--state", state, "--ca-dir", ca)).isZero();
        assertThat(out()).contains("removed " + PayloadFixtures.INT_A.sha256());

        server.serve(v1);
        assertThat(run("sync", "--state", state, "--ca-dir", ca)).isEqualTo(1);
        assertThat(err()).startsWith("payload rejected: ROLLBACK");

        assertThat(run("report", "--state", state, "--ca-dir", ca)).isZero();
        assertThat(out()).contains("report sent (version 2, 1 installed, 0 failures)");
        assertThat(run("status", "--state", state)).isZero();
        assertThat(out()).contains("version 2");

        // the payload lists no endpoints: nothing to check, nothing posted
        assertThat(run("verify", "--state", state, "--ca-dir", ca)).as(err()).isZero();
        assertThat(out()).contains("no endpoints to verify");
    }

    @Test
    void verifyOptionsAreChecked() {
        String state = tmp.resolve("state").toString();
        String ca = tmp.resolve("ca").toString();
        assertThat(run("verify", "--state", state, "--ca-dir", ca, "--verify-timeout", "soon")).isEqualTo(2);
        assertThat(err()).contains("--verify-timeout must be a number");
        assertThat(run("sync", "--state", state, "--ca-dir", ca, "--verify-timeout", "0")).isEqualTo(2);
        assertThat(run("sync", "--state", state, "--ca-dir", ca, "--trust-store", tmp.resolve("none.p12").toString()))
                .isEqualTo(1);
        assertThat(err()).contains("cannot read trust store");
    }

    @Test
    void usageAndFailures() {
        assertThat(run()).isEqualTo(2);
        assertThat(run("frobnicate")).isEqualTo(2);
        assertThat(run("sync", "--state")).isEqualTo(2);
        assertThat(run("sync", "--state", "x")).isEqualTo(2);
        assertThat(err()).contains("missing --ca-dir");
        assertThat(run("enroll", "--server", server.baseUrl(), "--token", "t", "--hardware-id", "h",
                "--api-level", "abc", "--state", tmp.toString())).isEqualTo(2);
        assertThat(run("enroll", "--server", server.baseUrl(), "--token", "bad", "--hardware-id", "h",
                "--api-level", "30", "--state", tmp.resolve("s").toString())).isEqualTo(1);
        assertThat(err()).contains("HTTP 401");
        assertThat(run("sync", "--state", tmp.resolve("none").toString(), "--ca-dir", tmp.toString())).isEqualTo(1);
        assertThat(err()).contains("not enrolled");
    }
}
