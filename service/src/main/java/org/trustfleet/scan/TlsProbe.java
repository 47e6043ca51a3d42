package org.trustfleet.scan;

import java.io.EOFException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;

/**
 * Connects to one endpoint and records exactly which certificate chain it presents, without validating it, so that
 * the scanner can later judge the chain the way each Android version would.
 *
 * <p>Every probe resolves through {@link AddressGuard} and connects to the checked address; it never throws, every
 * failure is a {@link ProbeResult} with a status and a one-sentence detail. Cost is bounded: at most
 * {@link #MAX_ADDRESSES_TRIED} connect timeouts plus one handshake timeout (a watchdog closes the socket at the
 * handshake deadline, so a server that trickles bytes cannot hold the caller).
 *
 * <p>Long chains: the JDK client refuses more than {@code jdk.tls.maxCertificateChainLength} (default 10)
 * certificates and handshake messages over {@code jdk.tls.maxHandshakeMessageSize} (default 32768 bytes). Both are
 * read once per JVM; run the service with {@code -Djdk.tls.maxCertificateChainLength=256
 * -Djdk.tls.maxHandshakeMessageSize=262144}. {@link #relaxJdkChainLimits()} sets them if absent, which only works
 * when called before anything in the JVM uses TLS.
 */
public final class TlsProbe {

    /** A host name with more addresses than this is probed on its first ones only, bounding the connect cost. */
    public static final int MAX_ADDRESSES_TRIED = 3;

    /** Chain length accepted by the probe's JVM when {@link #relaxJdkChainLimits()} takes effect. */
    public static final int RELAXED_MAX_CHAIN_LENGTH = 256;
    /** Handshake message size accepted when {@link #relaxJdkChainLimits()} takes effect (100 large RSA certs fit). */
    public static final int RELAXED_MAX_HANDSHAKE_MESSAGE_SIZE = 262_144;

    // Old versions are requested but the JDK's jdk.tls.disabledAlgorithms decides; we do not override it.
    private static final List<String> WANTED_PROTOCOLS = List.of("TLSv1.3", "TLSv1.2", "TLSv1.1", "TLSv1");

    private static final System.Logger LOG = System.getLogger(TlsProbe.class.getName());

    static {
        relaxJdkChainLimits();
    }

    private final ScannerSettings settings;
    private final AddressGuard guard;

    /** Production constructor: guard built from the same settings. */
    public TlsProbe(ScannerSettings settings) {
        this(settings, new AddressGuard(settings));
    }

    public TlsProbe(ScannerSettings settings, AddressGuard guard) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.guard = Objects.requireNonNull(guard, "guard");
    }

    /**
     * Sets the JDK's TLS chain-length and handshake-size limits high enough for 100+ certificate chains unless the
     * JVM was started with explicit values. Returns {@code true} if it changed anything. Effective only before the
     * JDK's TLS configuration class is initialised (first TLS use in the JVM).
     */
    public static boolean relaxJdkChainLimits() {
        boolean changed = setIfAbsent("jdk.tls.maxCertificateChainLength", Integer.toString(RELAXED_MAX_CHAIN_LENGTH));
        changed |= setIfAbsent("jdk.tls.maxHandshakeMessageSize", Integer.toString(RELAXED_MAX_HANDSHAKE_MESSAGE_SIZE));
        return changed;
    }

    /**
     * The addresses {@link AddressGuard} allowed for a target's host, or why there are none: a scan resolves once and
     * every probe of it (and its politeness key) uses the same checked addresses, so the connection stays pinned to
     * what the guard checked and the DNS look-up is paid once.
     */
    public static final class Resolution {
        private final List<InetAddress> addresses;
        private final AddressGuardException failure;

        private Resolution(List<InetAddress> addresses, AddressGuardException failure) {
            this.addresses = addresses;
            this.failure = failure;
        }

        /** The allowed addresses in resolver order; empty when the host did not resolve or was refused. */
        public List<InetAddress> addresses() {
            return addresses;
        }
    }

    /** Resolves the target's host through the guard; never throws. */
    public Resolution resolve(ProbeTarget target) {
        Objects.requireNonNull(target, "target");
        try {
            return new Resolution(guard.resolve(target.host()), null);
        } catch (AddressGuardException e) {
            return new Resolution(List.of(), e);
        }
    }

    /** Probe with SNI when the target has a name for it. */
    public ProbeResult probe(ProbeTarget target) {
        return probe(target, SniMode.AUTO);
    }

    /** Probe once; never throws for network or TLS problems. */
    public ProbeResult probe(ProbeTarget target, SniMode mode) {
        return probe(target, mode, resolve(target));
    }

    /** Probe once at the addresses {@code resolution} checked ({@link #resolve} of the same target). */
    public ProbeResult probe(ProbeTarget target, SniMode mode, Resolution resolution) {
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(resolution, "resolution");
        Attempt attempt = new Attempt(target, mode, resolution);
        try {
            return attempt.run();
        } catch (RuntimeException e) {
            // Defensive: a JDK bug or provider quirk must become a result, not kill the scan job.
            LOG.log(System.Logger.Level.WARNING, "unexpected failure probing " + target, e);
            return attempt.result(ProbeStatus.HANDSHAKE_FAILED,
                    "Probe failed unexpectedly: " + ScanText.sentence(e) + ".");
        }
    }

    /**
     * Probes with SNI and without SNI. When the target has no SNI name (IP literal without serverName), or the
     * failure happened below TLS (DNS, address refused, TCP), the second probe would be identical and is not run:
     * the without-SNI result then mirrors the first. Nor is it run after a probe that spent its whole handshake
     * budget ({@link #spentHandshakeBudget}): a silent server costs one timeout, and SNI_REQUIRED needs a working
     * handshake with SNI, so it cannot be missed this way.
     */
    public ProbePair probeBoth(ProbeTarget target) {
        Resolution resolution = resolve(target);
        ProbeResult withSni = probe(target, SniMode.AUTO, resolution);
        if (withSni.sniSent() == null) {
            return new ProbePair(withSni, withSni);
        }
        if (!noSniProbeNeeded(withSni)) {
            return new ProbePair(withSni, mirror(target, withSni));
        }
        return new ProbePair(withSni, probe(target, SniMode.DISABLED, resolution));
    }

    /**
     * Whether a probe without SNI can tell anything after {@code withSni}: not when no SNI was sent (it would be the
     * same probe), when the failure happened below TLS (DNS, address refused, TCP: it would meet the same one), or
     * when the probe spent its whole handshake budget (a silent server; SNI_REQUIRED needs a working handshake with
     * SNI, so it cannot be missed this way). The scanner and the check command both ask this.
     */
    public boolean noSniProbeNeeded(ProbeResult withSni) {
        if (withSni.sniSent() == null) {
            return false;
        }
        return switch (withSni.status()) {
            case DNS_FAILURE, BLOCKED_ADDRESS, CONNECT_REFUSED, CONNECT_TIMEOUT -> false;
            default -> !spentHandshakeBudget(withSni);
        };
    }

    /**
     * A failed handshake that took the whole handshake timeout: the server accepted and did not answer in time. The
     * probe's duration includes DNS and connect, and the handshake alone is cut at the timeout, so a handshake that
     * failed for any other reason ends earlier.
     */
    public boolean spentHandshakeBudget(ProbeResult result) {
        return result.status() == ProbeStatus.HANDSHAKE_FAILED
                && result.duration().compareTo(settings.handshakeTimeout()) >= 0;
    }

    /**
     * Whether the server did not answer within the probe's timeouts: the connect timed out (a dropping firewall) or
     * the handshake took its whole budget (accepted, never answered). The scheduler fires such endpoints first when
     * many are due together ({@link ScanScheduler}).
     */
    public boolean silent(ProbeResult result) {
        return result.status() == ProbeStatus.CONNECT_TIMEOUT || spentHandshakeBudget(result);
    }

    /** The without-SNI result of a probe that was not run: the first probe's failure. */
    private static ProbeResult mirror(ProbeTarget target, ProbeResult withSni) {
        return new ProbeResult(target, SniMode.DISABLED, null, withSni.status(),
                withSni.address(), List.of(), null, null, withSni.startedAt(), Duration.ZERO,
                withSni.errorDetail());
    }

    private static boolean setIfAbsent(String key, String value) {
        try {
            if (System.getProperty(key) == null) {
                System.setProperty(key, value);
                return true;
            }
        } catch (SecurityException ignored) {
            // Under a security manager we simply keep the JDK defaults.
        }
        return false;
    }

    /** State of one probe, so the helper methods can build results without long parameter lists. */
    private final class Attempt {
        private final ProbeTarget target;
        private final SniMode mode;
        private final Resolution resolution;
        private final Instant startedAt = Instant.now();
        private final long startNanos = System.nanoTime();
        private final RecordingTrustManager recorder = new RecordingTrustManager();
        private String sniSent;
        private InetAddress address;

        Attempt(ProbeTarget target, SniMode mode, Resolution resolution) {
            this.target = target;
            this.mode = mode;
            this.resolution = resolution;
        }

        ProbeResult run() {
            SNIServerName sni = mode == SniMode.AUTO ? target.sniName().map(Attempt::sniHostName).orElse(null) : null;

            List<InetAddress> addresses = resolution.addresses;
            if (resolution.failure != null) {
                AddressGuardException e = resolution.failure;
                address = e.refusedAddress().orElse(null);
                ProbeStatus status = e.reason() == AddressGuardException.Reason.BLOCKED_ADDRESS
                        ? ProbeStatus.BLOCKED_ADDRESS : ProbeStatus.DNS_FAILURE;
                return result(status, e.detail());
            }

            SSLContext context;
            try {
                // A fresh context per probe: no session resumption, so the server always sends its chain.
                context = SSLContext.getInstance("TLS");
                context.init(null, new TrustManager[] {recorder}, null);
            } catch (GeneralSecurityException e) {
                return result(ProbeStatus.HANDSHAKE_FAILED, "TLS is not available in this JVM: " + ScanText.sentence(e) + ".");
            }

            Socket socket = connect(addresses);
            if (socket == null) {
                return lastConnectFailure;
            }
            return handshake(context, socket, sni);
        }

        private ProbeResult lastConnectFailure;

        private Socket connect(List<InetAddress> addresses) {
            int timeoutMs = millis(settings.connectTimeout());
            List<InetAddress> tried = addresses.subList(0, Math.min(addresses.size(), MAX_ADDRESSES_TRIED));
            ProbeResult firstFailure = null;
            for (InetAddress candidate : tried) {
                address = candidate;
                Socket socket = new Socket();
                try {
                    socket.setTcpNoDelay(true);
                    socket.connect(new InetSocketAddress(candidate, target.port()), timeoutMs);
                    return socket;
                } catch (IOException e) {
                    closeQuietly(socket);
                    ProbeResult failure = connectFailure(candidate, e, timeoutMs, tried.size());
                    if (firstFailure == null) {
                        firstFailure = failure;
                    }
                }
            }
            // Report the first address (the one a client would normally use); the detail says how many were tried.
            address = firstFailure == null ? null : firstFailure.address();
            lastConnectFailure = firstFailure;
            return null;
        }

        private ProbeResult connectFailure(InetAddress candidate, IOException e, int timeoutMs, int triedCount) {
            String where = endpoint(candidate);
            String suffix = triedCount > 1 ? " (" + triedCount + " addresses tried)." : ".";
            if (e instanceof SocketTimeoutException) {
                return result(ProbeStatus.CONNECT_TIMEOUT,
                        "TCP connection to " + where + " timed out after " + timeoutMs + " ms" + suffix);
            }
            if (e instanceof NoRouteToHostException) {
                return result(ProbeStatus.CONNECT_REFUSED, "No route to " + where + suffix);
            }
            if (e instanceof ConnectException) {
                return result(ProbeStatus.CONNECT_REFUSED, "TCP connection to " + where + " was refused" + suffix);
            }
            return result(ProbeStatus.CONNECT_REFUSED,
                    "TCP connection to " + where + " failed: " + ScanText.sentence(e) + suffix);
        }

        private ProbeResult handshake(SSLContext context, Socket plain, SNIServerName sni) {
            int timeoutMs = millis(settings.handshakeTimeout());
            AtomicBoolean deadlinePassed = new AtomicBoolean();
            SSLSocket[] holder = new SSLSocket[1];
            ScheduledFuture<?> watchdog = ScanThreads.WATCHDOG.schedule(() -> {
                deadlinePassed.set(true);
                // Closing the TCP socket is the only way to abort a blocked read/handshake from another thread.
                closeQuietly(plain);
            }, timeoutMs, TimeUnit.MILLISECONDS);
            try {
                plain.setSoTimeout(timeoutMs);
                // A mail protocol's plain-text STARTTLS first, under the same deadline as the handshake.
                StartTls.negotiate(plain, target.protocol());
                // Passing the IP literal (not the name) keeps the JDK from deriving SNI or a session key from it.
                SSLSocket ssl = (SSLSocket) context.getSocketFactory()
                        .createSocket(plain, address.getHostAddress(), target.port(), true);
                holder[0] = ssl;
                ssl.setUseClientMode(true);
                SSLParameters params = ssl.getSSLParameters();
                params.setProtocols(protocols(ssl.getSupportedProtocols()));
                params.setEndpointIdentificationAlgorithm(null);
                params.setServerNames(sni == null ? List.of() : List.of(sni));
                ssl.setSSLParameters(params);
                sniSent = sni == null ? null : ((SNIHostName) sni).getAsciiName();

                ssl.startHandshake();
                SSLSession session = ssl.getSession();
                List<X509Certificate> chain = recorder.chain();
                if (chain.isEmpty()) {
                    chain = peerChain(session);
                }
                if (deadlinePassed.get()) {
                    return result(ProbeStatus.HANDSHAKE_FAILED, timeoutDetail(timeoutMs));
                }
                return new ProbeResult(target, mode, sniSent, ProbeStatus.OK, address, chain,
                        session.getProtocol(), session.getCipherSuite(), startedAt, elapsed(), null);
            } catch (IOException e) {
                if (deadlinePassed.get() || e instanceof SocketTimeoutException) {
                    return result(ProbeStatus.HANDSHAKE_FAILED, timeoutDetail(timeoutMs));
                }
                return result(ProbeStatus.HANDSHAKE_FAILED, handshakeDetail(e));
            } catch (StartTls.Refused e) {
                return result(ProbeStatus.STARTTLS_REFUSED, e.getMessage() + " (" + endpoint(address) + ")");
            } finally {
                // Close before cancelling the watchdog: close_notify on a stuck peer must not block us either.
                closeQuietly(holder[0]);
                closeQuietly(plain);
                watchdog.cancel(false);
            }
        }

        private String timeoutDetail(int timeoutMs) {
            return "TLS handshake timed out: " + endpoint(address) + " accepted the TCP connection but did not "
                    + "complete the handshake within " + timeoutMs + " ms.";
        }

        private String handshakeDetail(IOException e) {
            String where = endpoint(address);
            String msg = e.getMessage() == null ? "" : e.getMessage();
            String noSni = sniSent == null ? " No SNI was sent; the server may require it." : "";
            if (msg.contains("Unsupported or unrecognized SSL message") || msg.contains("plaintext connection")) {
                return "TLS handshake failed: " + where + " did not answer with TLS (it sent data that is not a TLS "
                        + "record; a plain-text service on this port?).";
            }
            if (e instanceof EOFException || msg.contains("Remote host terminated")) {
                return "TLS handshake failed: " + where + " closed the connection during the handshake." + noSni;
            }
            if (e instanceof SocketException && msg.toLowerCase(Locale.ROOT).contains("reset")) {
                return "TLS handshake failed: " + where + " reset the connection during the handshake." + noSni;
            }
            // JDK 17 says "Received fatal alert: x", JDK 21+ "(x) Received fatal alert: x"
            int alertAt = msg.indexOf("Received fatal alert: ");
            if (alertAt >= 0) {
                String alert = msg.substring(alertAt + "Received fatal alert: ".length()).trim();
                return "TLS handshake failed: " + where + " rejected it with the TLS alert '" + alert + "'." + noSni;
            }
            if (msg.contains("No appropriate protocol") || msg.contains("protocol_version")) {
                return "TLS handshake failed: no TLS version in common with " + where + " (this JVM permits "
                        + String.join(", ", enabledByJdk()) + ").";
            }
            if (msg.contains("exceeds the maximum allowed")) {
                return "TLS handshake failed with " + where + ": " + ScanText.sentence(e) + " (this JVM's limit; "
                        + "start it with -Djdk.tls.maxCertificateChainLength=" + RELAXED_MAX_CHAIN_LENGTH
                        + " -Djdk.tls.maxHandshakeMessageSize=" + RELAXED_MAX_HANDSHAKE_MESSAGE_SIZE + ").";
            }
            if (e instanceof SSLException) {
                return "TLS handshake failed with " + where + ": " + ScanText.sentence(e) + ".";
            }
            return "Connection to " + where + " failed during the TLS handshake: " + ScanText.sentence(e) + ".";
        }

        ProbeResult result(ProbeStatus status, String detail) {
            return new ProbeResult(target, mode, sniSent, status, address, recorder.chain(), null, null,
                    startedAt, elapsed(), detail);
        }

        private Duration elapsed() {
            return Duration.ofNanos(System.nanoTime() - startNanos);
        }

        private String endpoint(InetAddress a) {
            String host = a == null ? target.host() : a.getHostAddress();
            if (host.indexOf(':') >= 0 && !host.startsWith("[")) {
                host = "[" + host + "]";
            }
            return host + ":" + target.port();
        }

        private static SNIServerName sniHostName(String name) {
            try {
                return new SNIHostName(name);
            } catch (IllegalArgumentException e) {
                // Names the JDK refuses for SNI (e.g. with '_') are probed without SNI; sniSent records that.
                return null;
            }
        }
    }

    private static String[] protocols(String[] supported) {
        List<String> s = Arrays.asList(supported);
        return WANTED_PROTOCOLS.stream().filter(s::contains).toArray(String[]::new);
    }

    private static List<String> enabledByJdk() {
        try {
            SSLContext c = SSLContext.getInstance("TLS");
            c.init(null, null, null);
            return Arrays.asList(c.getDefaultSSLParameters().getProtocols());
        } catch (GeneralSecurityException e) {
            return List.of();
        }
    }

    private static List<X509Certificate> peerChain(SSLSession session) {
        try {
            List<X509Certificate> out = new ArrayList<>();
            for (var c : session.getPeerCertificates()) {
                if (c instanceof X509Certificate x) {
                    out.add(x);
                }
            }
            return out;
        } catch (IOException e) {
            return List.of();
        }
    }

    private static int millis(Duration d) {
        long ms = Math.max(1, d.toMillis());
        return (int) Math.min(Integer.MAX_VALUE, ms);
    }

    private static void closeQuietly(Socket s) {
        if (s != null) {
            try {
                s.close();
            } catch (IOException | RuntimeException ignored) {
                // Nothing useful to do: the probe result is already decided.
            }
        }
    }
}
