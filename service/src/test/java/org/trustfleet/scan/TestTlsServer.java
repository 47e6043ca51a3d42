package org.trustfleet.scan;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * In-process servers on 127.0.0.1 ephemeral ports: a JSSE TLS server presenting an arbitrary (even broken) chain,
 * optionally SNI-dependent, plus a silent server and a plain-text server. Each counts accepted TCP connections.
 */
public final class TestTlsServer implements AutoCloseable {

    enum Kind { TLS, SILENT, PLAINTEXT }

    private final ServerSocket server;
    private final AtomicInteger connections = new AtomicInteger();
    private final List<String> requestedSni = new CopyOnWriteArrayList<>();
    private final List<Socket> open = new CopyOnWriteArrayList<>();
    private final Thread acceptor;
    private volatile boolean closed;

    private TestTlsServer(ServerSocket server, Kind kind) {
        this.server = server;
        this.acceptor = new Thread(() -> acceptLoop(kind), "test-server-" + kind + "-" + server.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** TLS server always presenting {@code chain} (in that order) signed with {@code key}. */
    public static TestTlsServer tls(List<X509Certificate> chain, PrivateKey key) throws Exception {
        return sniDependent(null, chain, key, chain, key, new String[0]);
    }

    /**
     * TLS server presenting {@code sniChain} when the client sends SNI {@code sniName}, otherwise
     * {@code defaultChain}; a {@code null} default chain aborts SNI-less handshakes (handshake_failure alert).
     */
    public static TestTlsServer sniDependent(String sniName, List<X509Certificate> sniChain, PrivateKey sniKey,
            List<X509Certificate> defaultChain, PrivateKey defaultKey) throws Exception {
        return sniDependent(sniName, sniChain, sniKey, defaultChain, defaultKey, new String[0]);
    }

    /** TLS server limited to the given protocol versions. */
    public static TestTlsServer tls(List<X509Certificate> chain, PrivateKey key, String... protocols) throws Exception {
        return sniDependent(null, chain, key, chain, key, protocols);
    }

    private static TestTlsServer sniDependent(String sniName, List<X509Certificate> sniChain, PrivateKey sniKey,
            List<X509Certificate> defaultChain, PrivateKey defaultKey, String[] protocols) throws Exception {
        TestTlsServer[] self = new TestTlsServer[1];
        ChainKeyManager km = new ChainKeyManager(sniName, sniChain, sniKey, defaultChain, defaultKey,
                name -> self[0].requestedSni.add(name));
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(new KeyManager[] {km}, null, null);
        SSLServerSocket ss = (SSLServerSocket) ctx.getServerSocketFactory()
                .createServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
        if (protocols.length > 0) {
            ss.setEnabledProtocols(protocols);
        }
        self[0] = new TestTlsServer(ss, Kind.TLS);
        return self[0];
    }

    /** Accepts TCP and never says anything. */
    public static TestTlsServer silent() throws IOException {
        return new TestTlsServer(new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1")), Kind.SILENT);
    }

    /** Answers every connection with an HTTP/1.0 400 in plain text. */
    static TestTlsServer plaintext() throws IOException {
        return new TestTlsServer(new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1")), Kind.PLAINTEXT);
    }

    /** A port on 127.0.0.1 that was just free: bound then closed, so connects are refused. */
    public static int closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return s.getLocalPort();
        }
    }

    public int port() {
        return server.getLocalPort();
    }

    int connections() {
        return connections.get();
    }

    List<String> requestedSni() {
        return List.copyOf(requestedSni);
    }

    private void acceptLoop(Kind kind) {
        while (!closed) {
            Socket s;
            try {
                s = server.accept();
            } catch (IOException e) {
                return;
            }
            connections.incrementAndGet();
            open.add(s);
            Thread t = new Thread(() -> handle(s, kind), "test-conn");
            t.setDaemon(true);
            t.start();
        }
    }

    private void handle(Socket s, Kind kind) {
        try {
            switch (kind) {
                case SILENT -> {
                    // Hold the connection without reading or writing until the test closes us.
                    InputStream in = s.getInputStream();
                    while (in.read() >= 0) {
                        // drain; never answer
                    }
                }
                case PLAINTEXT -> {
                    OutputStream out = s.getOutputStream();
                    out.write("HTTP/1.0 400 Bad Request\r\nContent-Type: text/plain\r\n\r\nthis is not TLS\r\n"
                            .getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    s.getInputStream().read(new byte[4096]);
                }
                case TLS -> {
                    SSLSocket ssl = (SSLSocket) s;
                    ssl.setSoTimeout(10_000);
                    ssl.startHandshake();
                    // Wait for the client's close so the handshake is never cut short by our side.
                    ssl.getInputStream().read();
                }
            }
        } catch (IOException | RuntimeException ignored) {
            // Clients abort handshakes on purpose in these tests.
        } finally {
            try {
                s.close();
            } catch (IOException ignored) {
                // test server
            }
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        server.close();
        for (Socket s : open) {
            try {
                s.close();
            } catch (SocketException ignored) {
                // already closed
            }
        }
    }

    /** Chooses the chain by the SNI the client sent (seen through the handshake session). */
    private static final class ChainKeyManager extends X509ExtendedKeyManager {
        private final String sniName;
        private final X509Certificate[] sniChain;
        private final PrivateKey sniKey;
        private final X509Certificate[] defaultChain;
        private final PrivateKey defaultKey;
        private final java.util.function.Consumer<String> sniLog;

        ChainKeyManager(String sniName, List<X509Certificate> sniChain, PrivateKey sniKey,
                List<X509Certificate> defaultChain, PrivateKey defaultKey, java.util.function.Consumer<String> sniLog) {
            this.sniName = sniName;
            this.sniChain = sniChain == null ? null : sniChain.toArray(X509Certificate[]::new);
            this.sniKey = sniKey;
            this.defaultChain = defaultChain == null ? null : defaultChain.toArray(X509Certificate[]::new);
            this.defaultKey = defaultKey;
            this.sniLog = sniLog;
        }

        @Override
        public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
            SSLSession hs = socket instanceof SSLSocket ssl ? ssl.getHandshakeSession() : null;
            return choose(keyType, hs);
        }

        @Override
        public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
            return choose(keyType, engine.getHandshakeSession());
        }

        private String choose(String keyType, SSLSession hs) {
            if (!"EC".equalsIgnoreCase(keyType)) {
                return null;
            }
            String requested = null;
            if (hs instanceof ExtendedSSLSession ext) {
                for (SNIServerName n : ext.getRequestedServerNames()) {
                    if (n instanceof SNIHostName h) {
                        requested = h.getAsciiName();
                    }
                }
            }
            sniLog.accept(requested == null ? "<none>" : requested);
            if (sniName != null && sniName.equalsIgnoreCase(requested)) {
                return "sni";
            }
            if (sniName == null) {
                return "default";
            }
            return defaultChain == null ? null : "default";
        }

        @Override
        public X509Certificate[] getCertificateChain(String alias) {
            return "sni".equals(alias) ? sniChain : "default".equals(alias) ? defaultChain : null;
        }

        @Override
        public PrivateKey getPrivateKey(String alias) {
            return "sni".equals(alias) ? sniKey : "default".equals(alias) ? defaultKey : null;
        }

        @Override
        public String[] getServerAliases(String keyType, Principal[] issuers) {
            return new String[] {"sni", "default"};
        }

        @Override
        public String[] getClientAliases(String keyType, Principal[] issuers) {
            return null;
        }

        @Override
        public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
            return null;
        }
    }
}
