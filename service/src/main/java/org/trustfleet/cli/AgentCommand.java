package org.trustfleet.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.security.KeyStore;
import org.trustfleet.agent.AgentException;
import org.trustfleet.agent.AgentState;
import org.trustfleet.agent.Certs;
import org.trustfleet.agent.EndpointCheck;
import org.trustfleet.agent.PayloadRejectedException;
import org.trustfleet.agent.ReferenceAgent;
import org.trustfleet.agent.ReportFailure;
import org.trustfleet.agent.SyncResult;
import org.trustfleet.agent.jvm.JvmAgents;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Command line of the reference agent ({@code java -jar quarkus-run.jar agent ...}): thin glue over the agent library
 * (org.trustfleet.agent, module {@code agent/}) with the JVM bindings (a CA directory, the JDK trust store):
 * <pre>
 * enroll --server URL --token T --hardware-id H --api-level N --state DIR [--root-sha256 HEX]
 * sync   --state DIR --ca-dir DIR [--trust-store FILE [--trust-store-password P]] [--verify-timeout MS]
 * verify --state DIR --ca-dir DIR [--trust-store FILE [--trust-store-password P]] [--verify-timeout MS]
 * report --state DIR --ca-dir DIR
 * status --state DIR
 * </pre>
 * {@code sync} also checks the payload's endpoints from this machine (trust = the trust store, by default the JDK's,
 * plus the CA directory, as a device trusts its system and user stores) and posts the results and, when changed, the
 * machine's facts and trust store digest. {@code verify} runs the endpoint checks now.
 * One human line per action on stdout, errors on stderr. Exit status: 0 success, 1 failure (including a rejected
 * payload: the line names the reason), 2 usage error.
 */
public final class AgentCommand {

    private AgentCommand() {
    }

    public static void main(String[] args) {
        int code = run(args, System.out, System.err);
        if (code != 0) {
            System.exit(code);
        }
    }

    /** Runs a command and returns the exit status (testable entry point). */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("help")) {
            usage(args.length == 0 ? err : out);
            return args.length == 0 ? 2 : 0;
        }
        String cmd = args[0];
        Map<String, String> opts;
        try {
            opts = options(args);
        } catch (IllegalArgumentException e) {
            err.println("error: " + e.getMessage());
            usage(err);
            return 2;
        }
        try {
            return switch (cmd) {
                case "enroll" -> enroll(opts, out, err);
                case "sync" -> sync(opts, out, err);
                case "verify" -> verify(opts, out, err);
                case "report" -> report(opts, out, err);
                case "status" -> status(opts, out, err);
                default -> {
                    err.println("error: unknown command '" + cmd + "'");
                    usage(err);
                    yield 2;
                }
            };
        } catch (UsageException e) {
            err.println("error: " + e.getMessage());
            usage(err);
            return 2;
        } catch (PayloadRejectedException e) {
            err.println("payload rejected: " + e.getMessage() + " (local CA store left unchanged)");
            return 1;
        } catch (AgentException | IllegalStateException | java.io.UncheckedIOException e) {
            err.println("error: " + e.getMessage());
            return 1;
        }
    }

    private static int enroll(Map<String, String> o, PrintStream out, PrintStream err) {
        allow(o, Set.of("server", "token", "hardware-id", "api-level", "state", "root-sha256"));
        int apiLevel;
        try {
            apiLevel = Integer.parseInt(need(o, "api-level"));
        } catch (NumberFormatException e) {
            throw new UsageException("--api-level must be a number");
        }
        ReferenceAgent agent = JvmAgents.create(Path.of(need(o, "state")), null);
        AgentState s = agent.enroll(need(o, "server"), need(o, "token"), need(o, "hardware-id"), apiLevel,
                o.get("root-sha256"));
        out.println("enrolled device " + s.deviceId() + " (tenant " + s.tenantId() + ") at " + s.baseUrl()
                + "; pinned payload root " + Certs.sha256(Certs.parsePem(
                        s.pinnedRootPem().getBytes(java.nio.charset.StandardCharsets.US_ASCII)).get(0)));
        return 0;
    }

    private static int sync(Map<String, String> o, PrintStream out, PrintStream err) {
        allow(o, Set.of("state", "ca-dir", "trust-store", "trust-store-password", "verify-timeout"));
        ReferenceAgent agent = checkingAgent(o);
        SyncResult r = agent.sync();
        switch (r.outcome()) {
            case NOT_MODIFIED -> out.println("payload not modified (version " + r.version() + ")");
            case APPLIED, REFRESHED -> {
                for (String sha : r.added()) {
                    out.println("installed " + sha);
                }
                for (String sha : r.removed()) {
                    out.println("removed " + sha);
                }
                for (ReportFailure f : r.failures()) {
                    err.println("failed " + f.sha256() + ": " + f.error());
                }
                out.println((r.outcome() == SyncResult.Outcome.APPLIED ? "applied" : "re-checked")
                        + " payload version " + r.version() + ": " + r.added().size() + " installed, "
                        + r.removed().size() + " removed, " + r.failures().size() + " failed");
            }
        }
        printChecks(r.verifications(), out);
        if (r.reportSent()) {
            out.println("report sent");
        } else if (agent.state().map(AgentState::reportPending).orElse(false)) {
            err.println("report not delivered; will retry on next sync");
        }
        return r.failures().isEmpty() ? 0 : 1;
    }

    private static int verify(Map<String, String> o, PrintStream out, PrintStream err) {
        allow(o, Set.of("state", "ca-dir", "trust-store", "trust-store-password", "verify-timeout"));
        List<EndpointCheck> checks = checkingAgent(o).verifyEndpoints();
        printChecks(checks, out);
        out.println(checks.isEmpty() ? "no endpoints to verify" : "verifications sent");
        return 0;
    }

    /** The agent with endpoint checks and observations, judging with the trust store plus the CA directory. */
    private static ReferenceAgent checkingAgent(Map<String, String> o) {
        Path state = Path.of(need(o, "state"));
        int timeout;
        try {
            timeout = Integer.parseInt(o.getOrDefault("verify-timeout", "10000"));
        } catch (NumberFormatException e) {
            throw new UsageException("--verify-timeout must be a number of milliseconds");
        }
        if (timeout <= 0) {
            throw new UsageException("--verify-timeout must be positive");
        }
        KeyStore trust = o.containsKey("trust-store")
                ? JvmAgents.loadTrustStore(Path.of(o.get("trust-store")), o.get("trust-store-password")) : null;
        AgentState s = JvmAgents.create(state, null).state().orElse(null);
        int apiLevel = s == null ? 0 : s.apiLevel();
        return JvmAgents.withChecks(state, Path.of(need(o, "ca-dir")), trust, apiLevel, timeout);
    }

    private static void printChecks(List<EndpointCheck> checks, PrintStream out) {
        for (EndpointCheck c : checks) {
            out.println("endpoint " + c.endpointId() + ": " + c.outcome()
                    + (c.detail().isEmpty() ? "" : " (" + Text.safe(c.detail()) + ")"));
        }
    }

    private static int report(Map<String, String> o, PrintStream out, PrintStream err) {
        allow(o, Set.of("state", "ca-dir"));
        ReferenceAgent agent = JvmAgents.create(Path.of(need(o, "state")), Path.of(need(o, "ca-dir")));
        agent.report();
        AgentState s = agent.state().orElseThrow();
        out.println("report sent (version " + (s.lastVersion() == null ? 0 : s.lastVersion()) + ", "
                + agent.reportBody(s).installed().size() + " installed, " + s.failures().size() + " failures)");
        return 0;
    }

    private static int status(Map<String, String> o, PrintStream out, PrintStream err) {
        allow(o, Set.of("state"));
        AgentState s = JvmAgents.create(Path.of(need(o, "state")), null).state()
                .orElseThrow(() -> new AgentException("not enrolled"));
        out.println("device " + s.deviceId() + " tenant " + s.tenantId() + " group " + s.deviceGroupId()
                + " version " + s.lastVersion() + " installed " + s.installed().size() + " last sync "
                + s.lastSyncAt());
        return 0;
    }

    private static Map<String, String> options(String[] args) {
        Map<String, String> m = new HashMap<>();
        for (int i = 1; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("--") || a.length() < 3) {
                throw new IllegalArgumentException("unexpected argument '" + a + "'");
            }
            String key = a.substring(2);
            String value;
            int eq = key.indexOf('=');
            if (eq >= 0) {
                value = key.substring(eq + 1);
                key = key.substring(0, eq);
            } else {
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException("--" + key + " needs a value");
                }
                value = args[++i];
            }
            if (m.put(key, value) != null) {
                throw new IllegalArgumentException("--" + key + " given twice");
            }
        }
        return m;
    }

    private static void allow(Map<String, String> o, Set<String> allowed) {
        for (String k : o.keySet()) {
            if (!allowed.contains(k)) {
                throw new UsageException("unknown option --" + k);
            }
        }
    }

    private static String need(Map<String, String> o, String key) {
        String v = o.get(key);
        if (v == null || v.isBlank()) {
            throw new UsageException("missing --" + key);
        }
        return v;
    }

    private static void usage(PrintStream s) {
        for (String line : List.of(
                "usage: agent enroll --server URL --token T --hardware-id H --api-level N --state DIR [--root-sha256 HEX]",
                "       agent sync   --state DIR --ca-dir DIR [--trust-store FILE [--trust-store-password P]] [--verify-timeout MS]",
                "       agent verify --state DIR --ca-dir DIR [--trust-store FILE [--trust-store-password P]] [--verify-timeout MS]",
                "       agent report --state DIR --ca-dir DIR",
                "       agent status --state DIR")) {
            s.println(line);
        }
    }

    private static final class UsageException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message);
        }
    }
}
