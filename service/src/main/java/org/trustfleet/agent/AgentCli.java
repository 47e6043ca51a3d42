package org.trustfleet.agent;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Command line of the reference agent:
 * <pre>
 * enroll --server URL --token T --hardware-id H --api-level N --state DIR [--root-sha256 HEX]
 * sync   --state DIR --ca-dir DIR
 * report --state DIR --ca-dir DIR
 * status --state DIR
 * </pre>
 * One human line per action on stdout, errors on stderr. Exit status: 0 success, 1 failure (including a rejected
 * payload: the line names the reason), 2 usage error.
 */
public final class AgentCli {

    private AgentCli() {
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
        ReferenceAgent agent = new ReferenceAgent(Path.of(need(o, "state")), null);
        AgentState s = agent.enroll(need(o, "server"), need(o, "token"), need(o, "hardware-id"), apiLevel,
                o.get("root-sha256"));
        out.println("enrolled device " + s.deviceId() + " (tenant " + s.tenantId() + ") at " + s.baseUrl()
                + "; pinned payload root " + org.trustfleet.pki.Sha256.of(
                        org.trustfleet.pki.CertificateParser.parse(s.pinnedRootPem()).get(0)));
        return 0;
    }

    private static int sync(Map<String, String> o, PrintStream out, PrintStream err) {
        allow(o, Set.of("state", "ca-dir"));
        ReferenceAgent agent = new ReferenceAgent(Path.of(need(o, "state")), Path.of(need(o, "ca-dir")));
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
        if (r.reportSent()) {
            out.println("report sent");
        } else if (agent.state().map(AgentState::reportPending).orElse(false)) {
            err.println("report not delivered; will retry on next sync");
        }
        return r.failures().isEmpty() ? 0 : 1;
    }

    private static int report(Map<String, String> o, PrintStream out, PrintStream err) {
        allow(o, Set.of("state", "ca-dir"));
        ReferenceAgent agent = new ReferenceAgent(Path.of(need(o, "state")), Path.of(need(o, "ca-dir")));
        agent.report();
        AgentState s = agent.state().orElseThrow();
        out.println("report sent (version " + (s.lastVersion() == null ? 0 : s.lastVersion()) + ", "
                + agent.reportBody(s).installed().size() + " installed, " + s.failures().size() + " failures)");
        return 0;
    }

    private static int status(Map<String, String> o, PrintStream out, PrintStream err) {
        allow(o, Set.of("state"));
        AgentState s = new ReferenceAgent(Path.of(need(o, "state")), null).state()
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
                "       agent sync   --state DIR --ca-dir DIR",
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
