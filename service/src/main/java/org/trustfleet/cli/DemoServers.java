package org.trustfleet.cli;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;

/**
 * The loopback servers the demo's endpoints point at: TLS servers presenting a fixed chain, a server that accepts and
 * never answers, a port that refuses, and a plain HTTP server standing in for a CA's AIA repository. Every one of them
 * is closed by {@link #close()}.
 */
final class DemoServers implements AutoCloseable {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    private final List<ServerSocket> listeners = new CopyOnWriteArrayList<>();
    private final List<Socket> accepted = new CopyOnWriteArrayList<>();
    private final Map<String, byte[]> aiaFiles = new ConcurrentHashMap<>();
    private HttpServer aia;
    private volatile boolean closed;

    /** A TLS server on a free loopback port presenting {@code chain} (in that order); returns its port. */
    int tls(List<X509Certificate> chain, PrivateKey key) throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        char[] password = "demo".toCharArray();
        store.setKeyEntry("server", key, password, chain.toArray(X509Certificate[]::new));
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(store, password);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keys.getKeyManagers(), null, null);
        SSLServerSocket server = (SSLServerSocket) context.getServerSocketFactory().createServerSocket(0, 50, LOOPBACK);
        listeners.add(server);
        start("demo-tls-" + server.getLocalPort(), () -> {
            Socket socket = server.accept();
            accepted.add(socket);
            Thread connection = new Thread(() -> serve((SSLSocket) socket), "demo-tls-connection");
            connection.setDaemon(true);
            connection.start();
        });
        return server.getLocalPort();
    }

    /** A server that accepts TCP connections and never sends a byte (a firewall that drops the TLS traffic). */
    int silent() throws IOException {
        ServerSocket server = new ServerSocket(0, 50, LOOPBACK);
        listeners.add(server);
        start("demo-silent-" + server.getLocalPort(), () -> accepted.add(server.accept()));
        return server.getLocalPort();
    }

    /** A loopback port nothing listens on, so connections are refused (a blocked port 443). */
    static int refused() throws IOException {
        try (ServerSocket probe = new ServerSocket(0, 1, LOOPBACK)) {
            return probe.getLocalPort();
        }
    }

    /** Serves {@code der} at {@code path} on the demo's AIA server; returns the URL. */
    synchronized String aia(String path, byte[] der) throws IOException {
        if (aia == null) {
            aia = HttpServer.create(new InetSocketAddress(LOOPBACK, 0), 0);
            aia.createContext("/", exchange -> {
                byte[] body = aiaFiles.get(exchange.getRequestURI().getPath());
                if (body != null) {
                    exchange.getResponseHeaders().add("Content-Type", "application/pkix-cert");
                }
                exchange.sendResponseHeaders(body == null ? 404 : 200, body == null ? -1 : body.length);
                if (body != null) {
                    exchange.getResponseBody().write(body);
                }
                exchange.close();
            });
            aia.start();
        }
        aiaFiles.put(path, der);
        return "http://127.0.0.1:" + aia.getAddress().getPort() + path;
    }

    private void serve(SSLSocket socket) {
        try (Socket s = socket; InputStream in = s.getInputStream()) {
            s.setSoTimeout(30_000);
            socket.startHandshake();
            // the scanner closes once it has the chain; wait for that (or for the timeout)
            in.readAllBytes();
        } catch (IOException e) {
            // a client that gave up the handshake or the connection: nothing to do for the next one
        } finally {
            accepted.remove(socket);
        }
    }

    /** A loop that runs {@code step} until the servers close. */
    private void start(String name, IoStep step) {
        Thread thread = new Thread(() -> {
            while (!closed) {
                try {
                    step.run();
                } catch (Exception e) {
                    return;
                }
            }
        }, name);
        thread.setDaemon(true);
        thread.start();
    }

    @FunctionalInterface
    private interface IoStep {
        void run() throws Exception;
    }

    @Override
    public synchronized void close() {
        closed = true;
        for (ServerSocket listener : listeners) {
            closeQuietly(listener);
        }
        for (Socket socket : accepted) {
            closeQuietly(socket);
        }
        if (aia != null) {
            aia.stop(0);
        }
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception ignored) {
            // closing at shutdown: nothing left to do with a failure
        }
    }
}
