package org.trustfleet.cli;

import io.quarkus.runtime.configuration.DurationConverter;
import io.quarkus.runtime.configuration.MemorySize;
import io.quarkus.runtime.configuration.MemorySizeConverter;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.trustfleet.core.TrustfleetConfig;
import org.trustfleet.pki.CertificateParseException;
import org.trustfleet.pki.CertificateParser;
import org.trustfleet.pki.Certificates;
import org.trustfleet.pki.Finding;
import org.trustfleet.pki.FixFinder;
import org.trustfleet.pki.ServerChainAdvisor;
import org.trustfleet.pki.ServerFix;
import org.trustfleet.pki.Sha256;
import org.trustfleet.scan.AddressGuard;
import org.trustfleet.scan.AiaFetcher;
import org.trustfleet.scan.ChainEvaluation;
import org.trustfleet.scan.ChainJudge;
import org.trustfleet.scan.ProbePair;
import org.trustfleet.scan.ProbeResult;
import org.trustfleet.scan.ProbeStatus;
import org.trustfleet.scan.ProbeTarget;
import org.trustfleet.scan.ScannerSettings;
import org.trustfleet.scan.TlsProbe;
import org.trustfleet.truststore.BundledStores;
import org.trustfleet.truststore.PlatformStore;
import org.trustfleet.truststore.StoreSnapshot;

/**
 * {@code java -jar quarkus-run.jar check HOST[:PORT] | --chain FILE}: the scanner's answer for one endpoint without a
 * service, a database or a tenant. It probes, completes and judges exactly like a scan (the same {@link TlsProbe},
 * {@link AddressGuard}, {@link AiaFetcher} and {@link ChainJudge}, built by hand from the {@code trustfleet.scanner.*}
 * configuration) and prints, per Android version, whether the chain is accepted and what would fix it.
 *
 * <p>Nothing of Quarkus is started: the command runs before it, and must stay fast (a loopback check well under 3 s
 * including JVM start).
 */
public final class CheckCommand {

    /** Every selected Android version accepts the chain. */
    public static final int ACCEPTED = 0;
    /** Some selected Android version does not accept the chain. */
    public static final int REJECTED = 1;
    /** Cannot connect, bad input or bad options. */
    public static final int FAILED = 2;

    private final Supplier<List<PlatformStore>> bundledStores;
    private final Supplier<SortedSet<Integer>> bundledLevels;
    private final PrintStream out;
    private final PrintStream err;
    private final boolean colour;

    CheckCommand(Supplier<List<PlatformStore>> bundledStores, Supplier<SortedSet<Integer>> bundledLevels,
            PrintStream out, PrintStream err, boolean colour) {
        this.bundledStores = bundledStores;
        this.bundledLevels = bundledLevels;
        this.out = out;
        this.err = err;
        this.colour = colour;
    }

    /** Entry point from {@code TrustfleetMain}: runs and exits with the command's exit code. */
    public static void main(String... args) {
        int code = run(args);
        System.out.flush();
        System.exit(code);
    }

    /** Runs against the bundled Android stores on the process's stdout and stderr; returns the exit code. */
    public static int run(String... args) {
        PrintStream stdout = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), false,
                StandardCharsets.UTF_8);
        // colours only for a person at a terminal: System.console() is null when stdin or stdout is redirected
        boolean terminal = System.console() != null && System.getenv("NO_COLOR") == null;
        int code = new CheckCommand(BundledStores::load, BundledStores::apiLevels, stdout, System.err, terminal)
                .execute(args);
        stdout.flush();
        return code;
    }

    /** A failure that ends the command with exit code 2 and its message as the one line on stderr. */
    static final class Failure extends Exception {
        private static final long serialVersionUID = 1L;

        Failure(String message) {
            super(message, null, false, false);
        }
    }

    int execute(String... args) {
        CheckOptions options;
        try {
            options = CheckOptions.parse(args);
        } catch (CheckOptions.UsageException e) {
            err.println("check: " + e.getMessage());
            return FAILED;
        }
        if (options.help()) {
            out.print(CheckOptions.USAGE);
            return ACCEPTED;
        }
        try {
            CheckRun run = check(options);
            if (options.json()) {
                out.println(JsonReport.render(run));
            } else {
                out.print(new TextReport(colour).render(run));
            }
            return run.levels().isEmpty() || run.allAccept() ? ACCEPTED : REJECTED;
        } catch (Failure e) {
            err.println("check: " + e.getMessage());
            return FAILED;
        } catch (RuntimeException | LinkageError e) {
            // the contract is one line and no stack trace, whatever happened
            String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            err.println("check: internal error: " + Text.safe(message.lines().findFirst().orElse("")));
            return FAILED;
        }
    }

    private CheckRun check(CheckOptions options) throws Failure {
        Instant now = options.at() != null ? options.at() : Instant.now();
        List<X509Certificate> anchors = options.trustFile() == null ? null : readCertificates(options.trustFile(),
                "--trust");
        // the stores load (the biggest cost of a check) while the configuration is read and the endpoint answers
        CompletableFuture<StoreSnapshot> stores = CompletableFuture.supplyAsync(() -> snapshot(anchors));
        TrustfleetConfig.Scanner scanner = scannerConfig();
        int expiresSoonDays = (int) scanner.expiresSoon().toDays();
        if (options.offline()) {
            List<X509Certificate> presented = leafFirst(readCertificates(options.chainFile(), "--chain"));
            return judge(options, now, expiresSoonDays, stores.join(), Optional::empty, presented, Optional.empty(),
                    Optional.empty());
        }
        ScannerSettings settings = settings(scanner, options.allowPrivate());
        AddressGuard guard = new AddressGuard(settings);
        // Vert.x (for AIA) starts only when a caIssuers URL is fetched; it is closed at the end if it was
        LazyVertx vertx = new LazyVertx();
        try {
            ProbeTarget target;
            try {
                target = ProbeTarget.of(options.host(), options.port(), options.serverName(), options.protocol());
            } catch (IllegalArgumentException e) {
                throw new Failure("bad endpoint: " + Text.safe(e.getMessage()));
            }
            ProbePair pair = new TlsProbe(settings, guard).probeBoth(target);
            ProbeResult primary = pair.primary();
            if (!primary.isOk()) {
                throw new Failure(connectFailure(options, primary));
            }
            Supplier<Optional<AiaFetcher>> aia = () -> Optional.of(new AiaFetcher(settings, guard, vertx::get,
                    AiaFetcher.CachePolicy.defaults(), Clock.systemUTC()));
            return judge(options, now, expiresSoonDays, stores.join(), aia, primary.chain(), Optional.of(primary),
                    pair.sniFinding());
        } finally {
            vertx.close();
        }
    }

    /** One Vert.x instance, created at first use, closed (bounded wait) at the end of the command. */
    private static final class LazyVertx {
        private Vertx vertx;

        synchronized Vertx get() {
            if (vertx == null) {
                vertx = Vertx.vertx();
            }
            return vertx;
        }

        synchronized void close() {
            if (vertx != null) {
                try {
                    vertx.close().toCompletionStage().toCompletableFuture().get(2, TimeUnit.SECONDS);
                } catch (Exception ignored) {
                    // the process ends right after; an unclean Vert.x close loses nothing
                }
            }
        }
    }

    private CheckRun judge(CheckOptions options, Instant now, int expiresSoonDays, StoreSnapshot snapshot,
            Supplier<Optional<AiaFetcher>> aia,
            List<X509Certificate> presented, Optional<ProbeResult> probe, Optional<Finding> sniFinding)
            throws Failure {
        String hostname = options.verifiedName().orElse(null);
        ChainEvaluation evaluation = new ChainJudge(aia, expiresSoonDays).evaluate(presented, hostname, snapshot,
                List.of(), subject -> List.of(), now);
        // the whole answer behind the scan's verdicts: the reason a level cannot be fixed, the certificate that fixes it
        FixFinder.EndpointFixes fixes = evaluation.fixes();
        if (fixes == null) {
            throw new Failure("no certificate to check");
        }
        SortedMap<Integer, FixFinder.LevelFixes> levels = new TreeMap<>();
        SortedMap<Integer, String> storeNames = new TreeMap<>();
        fixes.levels().forEach((level, answer) -> {
            if (options.selects(level)) {
                levels.put(level, answer);
                storeNames.put(level, snapshot.byApiLevel().get(level).name());
            }
        });
        if (levels.isEmpty()) {
            throw new Failure("no Android store in --api " + options.minApi() + "-" + options.maxApi()
                    + " (stores exist for API levels " + fixes.levels().firstKey() + "-" + fixes.levels().lastKey()
                    + ")");
        }
        List<Finding> findings = new ArrayList<>(evaluation.findings());
        sniFinding.ifPresent(findings::add);
        // the scan's server-side fix is chosen for every level; with --api, choose for the selected ones
        ServerFix serverFix = levels.size() == fixes.levels().size() && evaluation.serverFix() != null
                ? evaluation.serverFix()
                : ServerChainAdvisor.create().advise(presented, evaluation.completedPath(), snapshot.index(),
                        levels.keySet(), hostname, now);
        CheckRun run = new CheckRun(options, now, probe, presented, evaluation, List.copyOf(findings), levels,
                storeNames, Optional.of(serverFix));
        if (options.outDir() != null) {
            CertificateFiles.writeNeeded(run, options.outDir());
        }
        if (options.serverChainFile() != null) {
            CertificateFiles.writeChain(serverFix.chain(), options.serverChainFile());
        }
        return run;
    }

    private StoreSnapshot snapshot(List<X509Certificate> anchors) {
        if (anchors == null) {
            return StoreSnapshot.of(bundledStores.get(), List.of());
        }
        // --trust: every level's store is exactly the given anchors (the validator keeps Android's rules)
        java.util.Set<String> ids = anchors.stream().map(Sha256::of).collect(Collectors.toSet());
        List<PlatformStore> stores = new ArrayList<>();
        for (int level : bundledLevels.get()) {
            stores.add(new PlatformStore("trust-file", "android", level, PlatformStore.StoreSource.OPERATOR,
                    "--trust", List.copyOf(anchors), ids));
        }
        return StoreSnapshot.of(List.of(), stores);
    }

    private static String connectFailure(CheckOptions options, ProbeResult probe) {
        String detail = Text.safe(probe.errorDetail());
        String where = options.host() + ":" + options.port();
        if (probe.status() == ProbeStatus.BLOCKED_ADDRESS) {
            return "refused to connect to " + Text.safe(where) + ": " + detail
                    + " Use --allow-private to check loopback, private or link-local addresses.";
        }
        return "cannot check " + Text.safe(where) + " (" + probe.status() + "): " + detail;
    }

    /**
     * The leaf first, as a server sends it. An exported chain (Windows' "Copy to File" as PKCS#7) may list the root
     * first: when the first certificate is a CA certificate and exactly one is not, that one is the leaf.
     */
    static List<X509Certificate> leafFirst(List<X509Certificate> chain) {
        if (chain.size() < 2 || !Certificates.isCaCertificate(chain.get(0))) {
            return chain;
        }
        List<X509Certificate> endEntities = chain.stream().filter(c -> !Certificates.isCaCertificate(c)).toList();
        if (endEntities.size() != 1) {
            return chain;
        }
        List<X509Certificate> ordered = new ArrayList<>(endEntities);
        chain.stream().filter(c -> c != endEntities.get(0)).forEach(ordered::add);
        return ordered;
    }

    private static List<X509Certificate> readCertificates(Path file, String option) throws Failure {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new Failure("cannot read " + option + " " + Text.safe(file.toString()) + ": no such file");
        } catch (IOException e) {
            throw new Failure("cannot read " + option + " " + Text.safe(file.toString()) + ": "
                    + Text.safe(String.valueOf(e.getMessage())));
        }
        try {
            return CertificateParser.parse(bytes);
        } catch (CertificateParseException e) {
            throw new Failure(option + " " + Text.safe(file.toString()) + " is not a PEM, DER or PKCS#7 certificate"
                    + " file: " + Text.safe(e.getMessage()));
        }
    }

    /**
     * {@code trustfleet.scanner.*} read through the service's own mapping (defaults in one place; system properties
     * and environment variables override them as for the service).
     */
    private static TrustfleetConfig.Scanner scannerConfig() {
        SmallRyeConfig config = new SmallRyeConfigBuilder().addDefaultSources().withMapping(TrustfleetConfig.class)
                .withConverter(Duration.class, 100, new DurationConverter())
                .withConverter(MemorySize.class, 100, new MemorySizeConverter()).build();
        return config.getConfigMapping(TrustfleetConfig.class).scanner();
    }

    private static ScannerSettings settings(TrustfleetConfig.Scanner scanner, boolean allowPrivate) {
        ScannerSettings s = ScannerSettings.of(scanner);
        // --allow-private is the operator's explicit choice for this one run; it opens AIA's loopback too
        return s.withPrivateAddresses(allowPrivate || s.allowPrivateAddresses())
                .withAia(s.aia().withLoopbackAndLinkLocal(allowPrivate || s.aia().allowLoopbackAndLinkLocal()));
    }

}
