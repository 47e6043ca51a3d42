package org.trustfleet.cli;

import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.trustfleet.pki.HostName;
import org.trustfleet.scan.StartTlsProtocol;

/**
 * The {@code check} command line, parsed and checked before anything touches the network, so that a typo is a
 * one-line error (exit 2) and never half a run.
 *
 * @param host        endpoint host (name or IP literal), or null in the offline form
 * @param port        endpoint port (443 unless given)
 * @param chainFile   the offline form's chain file (PEM, DER or PKCS#7), or null
 * @param serverName  SNI and verified name; for a host, defaults to the host
 * @param minApi      lowest API level shown and counted, or null for every level
 * @param maxApi      highest API level shown and counted, or null for every level
 * @param json        JSON on stdout instead of text
 * @param outDir      where to write the certificates a device would need, or null
 * @param at          the instant to validate at, or null for now
 * @param trustFile   anchors replacing the bundled Android stores, or null
 * @param serverChainFile where to write the chain the server should send, or null
 * @param allowPrivate whether loopback, private and link-local targets may be probed
 * @param help        only print the usage
 * @param protocol    what is spoken before TLS ({@code --protocol}; TLS unless given)
 */
public record CheckOptions(String host, int port, Path chainFile, String serverName, Integer minApi, Integer maxApi,
        boolean json, Path outDir, Instant at, Path trustFile, Path serverChainFile, boolean allowPrivate,
        boolean help, StartTlsProtocol protocol) {

    /** The usage text, printed by {@code check --help}. */
    public static final String USAGE = """
            Usage: java -jar quarkus-run.jar check HOST[:PORT] [options]
                   java -jar quarkus-run.jar check --chain FILE [--trust FILE] [--server-name NAME] [--at TIME]

            Tells, for every Android version, whether it accepts the certificate chain of a TLS endpoint
            (or of a chain file), which certificate a device would need, and what to fix on the server.

            Options:
              --server-name NAME   name sent as SNI and verified against the certificate (default: HOST)
              --protocol P         tls (default; implicit TLS on 465/993/995 too), or STARTTLS first:
                                   smtp-starttls, imap-starttls, pop3-starttls
              --api MIN-MAX        Android API levels to show and count, e.g. 24-28 or 23 (default: all bundled)
              --trust FILE         anchors are exactly the certificates in FILE (PEM, DER or PKCS#7),
                                   like openssl verify -CAfile; default: the bundled Android stores
              --at TIME            validate at TIME (ISO-8601 instant or date, e.g. 2027-01-31)
              --out DIR            write each certificate a device would need as .pem and .cer to DIR
              --server-chain FILE  write the chain the server should send as PEM to FILE
              --allow-private      allow loopback, private and link-local targets (refused by default)
              --json               print the evaluation as JSON (docs/cli.md)
              --chain FILE         check an exported chain file instead of connecting (no network use)
              -h, --help           print this text

            Exit codes: 0 every selected Android version accepts the chain, 1 some do not,
                        2 cannot connect, bad input or bad options.
            """;

    /** Bad command line: the message is the one line printed. */
    public static final class UsageException extends Exception {
        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message, null, false, false);
        }
    }

    /** The offline form ({@code --chain}). */
    public boolean offline() {
        return chainFile != null;
    }

    /** The name a device verifies: the server name, else the host; empty offline without {@code --server-name}. */
    public Optional<String> verifiedName() {
        return Optional.ofNullable(serverName != null ? serverName : host);
    }

    /** Whether {@code level} is selected by {@code --api}. */
    public boolean selects(int level) {
        return (minApi == null || level >= minApi) && (maxApi == null || level <= maxApi);
    }

    /** Parses the arguments after {@code check}. */
    public static CheckOptions parse(String... args) throws UsageException {
        String host = null;
        int port = 443;
        Path chain = null;
        String serverName = null;
        Integer minApi = null;
        Integer maxApi = null;
        boolean json = false;
        Path out = null;
        Instant at = null;
        Path trust = null;
        Path serverChain = null;
        boolean allowPrivate = false;
        StartTlsProtocol protocol = StartTlsProtocol.TLS;
        List<String> positional = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            String name = arg;
            String inline = null;
            int eq = arg.indexOf('=');
            if (arg.startsWith("--") && eq > 0) {
                name = arg.substring(0, eq);
                inline = arg.substring(eq + 1);
            }
            switch (name) {
                case "-h", "--help" -> {
                    return new CheckOptions(null, 443, null, null, null, null, false, null, null, null, null, false,
                            true, StartTlsProtocol.TLS);
                }
                case "--json" -> json = true;
                case "--allow-private" -> allowPrivate = true;
                case "--server-name", "--api", "--out", "--at", "--trust", "--chain", "--server-chain",
                        "--protocol" -> {
                    String value = inline;
                    if (value == null) {
                        if (i + 1 >= args.length) {
                            throw new UsageException(name + " needs a value");
                        }
                        value = args[++i];
                    }
                    if (value.isBlank()) {
                        throw new UsageException(name + " needs a value");
                    }
                    switch (name) {
                        case "--server-name" -> serverName = host(value.trim(), "--server-name");
                        case "--api" -> {
                            int[] range = apiRange(value);
                            minApi = range[0];
                            maxApi = range[1];
                        }
                        case "--out" -> out = Path.of(value);
                        case "--at" -> at = instant(value);
                        case "--trust" -> trust = Path.of(value);
                        case "--chain" -> chain = Path.of(value);
                        case "--protocol" -> protocol = StartTlsProtocol.fromWire(value).orElseThrow(
                                () -> new UsageException("--protocol must be one of tls, smtp-starttls,"
                                        + " imap-starttls, pop3-starttls"));
                        default -> serverChain = Path.of(value);
                    }
                }
                default -> {
                    if (arg.startsWith("-") && arg.length() > 1) {
                        throw new UsageException("unknown option " + Text.safe(arg) + " (see check --help)");
                    }
                    positional.add(arg);
                }
            }
        }
        if (chain != null) {
            if (!positional.isEmpty()) {
                throw new UsageException("give either HOST[:PORT] or --chain FILE, not both");
            }
        } else {
            if (positional.isEmpty()) {
                throw new UsageException("missing HOST[:PORT] or --chain FILE (see check --help)");
            }
            if (positional.size() > 1) {
                throw new UsageException("one endpoint at a time: unexpected " + Text.safe(positional.get(1)));
            }
            String[] hostPort = hostPort(positional.get(0));
            host = host(hostPort[0], "host");
            if (hostPort[1] != null) {
                port = port(hostPort[1]);
            }
        }
        if (chain != null && protocol != StartTlsProtocol.TLS) {
            throw new UsageException("--protocol is for an endpoint, not for --chain FILE");
        }
        return new CheckOptions(host, port, chain, serverName, minApi, maxApi, json, out, at, trust, serverChain,
                allowPrivate, false, protocol);
    }

    private static String[] hostPort(String value) throws UsageException {
        String v = value.trim();
        if (v.isEmpty()) {
            throw new UsageException("empty host");
        }
        if (v.startsWith("[")) {
            int close = v.indexOf(']');
            if (close < 0) {
                throw new UsageException("bad IPv6 address " + Text.safe(v) + ": missing ']'");
            }
            String host = v.substring(1, close);
            String rest = v.substring(close + 1);
            if (rest.isEmpty()) {
                return new String[] {host, null};
            }
            if (!rest.startsWith(":")) {
                throw new UsageException("bad endpoint " + Text.safe(v) + ": expected [ADDRESS]:PORT");
            }
            return new String[] {host, rest.substring(1)};
        }
        int colon = v.lastIndexOf(':');
        if (colon >= 0 && v.indexOf(':') == colon) {
            return new String[] {v.substring(0, colon), v.substring(colon + 1)};
        }
        // no colon, or a bare IPv6 literal (several colons): no port
        return new String[] {v, null};
    }

    /** The same host rule as an endpoint's (pki's {@link HostName}), so the command probes what the service would. */
    private static String host(String value, String what) throws UsageException {
        try {
            return HostName.parse(value).value();
        } catch (HostName.InvalidHostException e) {
            throw new UsageException("bad " + what + " " + Text.safe(value) + ": " + e.reason());
        }
    }

    private static int port(String value) throws UsageException {
        try {
            int port = Integer.parseInt(value);
            if (port >= 1 && port <= 65_535) {
                return port;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new UsageException("bad port " + Text.safe(value) + ": expected 1-65535");
    }

    private static int[] apiRange(String value) throws UsageException {
        String v = value.trim();
        try {
            int dash = v.indexOf('-');
            int min = dash < 0 ? Integer.parseInt(v) : Integer.parseInt(v.substring(0, dash).trim());
            int max = dash < 0 ? min : Integer.parseInt(v.substring(dash + 1).trim());
            if (min >= 1 && min <= max) {
                return new int[] {min, max};
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new UsageException("bad --api " + Text.safe(value) + ": expected MIN-MAX (e.g. 24-28) or one level");
    }

    private static Instant instant(String value) throws UsageException {
        String v = value.trim();
        try {
            return Instant.parse(v);
        } catch (DateTimeParseException notAnInstant) {
            try {
                return LocalDate.parse(v).atStartOfDay(ZoneOffset.UTC).toInstant();
            } catch (DateTimeParseException notADate) {
                throw new UsageException("bad --at " + Text.safe(value)
                        + ": expected an ISO-8601 instant (2027-01-31T12:00:00Z) or date (2027-01-31)");
            }
        }
    }

    @Override
    public String toString() {
        return offline() ? "--chain " + chainFile : host.toLowerCase(Locale.ROOT) + ":" + port;
    }
}
