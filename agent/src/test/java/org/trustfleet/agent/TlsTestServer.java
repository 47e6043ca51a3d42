package org.trustfleet.agent;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;

/** In-process servers on 127.0.0.1 for the endpoint checks: TLS with a given chain, silent, or not TLS at all. */
final class TlsTestServer implements AutoCloseable {

    enum Mode { TLS, SILENT, NOT_TLS }

    private final ServerSocket server;
    private final Thread thread;
    private final List<Socket> open = new ArrayList<>();

    private TlsTestServer(ServerSocket server, Mode mode) {
        this.server = server;
        this.thread = new Thread(() -> serve(mode), "tls-test-server");
        thread.setDaemon(true);
        thread.start();
    }

    /** Presents {@code chain} (leaf first) with the leaf's key. */
    static TlsTestServer tls(TestCerts.Cert leaf, X509Certificate... rest) throws Exception {
        X509Certificate[] chain = new X509Certificate[rest.length + 1];
        chain[0] = leaf.cert();
        System.arraycopy(rest, 0, chain, 1, rest.length);
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry("leaf", leaf.keyPair().getPrivate(), "pw".toCharArray(), chain);
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, "pw".toCharArray());
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), null, null);
        SSLServerSocket s = (SSLServerSocket) ctx.getServerSocketFactory().createServerSocket(0, 50,
                InetAddress.getLoopbackAddress());
        return new TlsTestServer(s, Mode.TLS);
    }

    /** Accepts connections and never says a word. */
    static TlsTestServer silent() throws IOException {
        return new TlsTestServer(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()), Mode.SILENT);
    }

    /** Answers anything with a plain-text HTTP error and closes. */
    static TlsTestServer notTls() throws IOException {
        return new TlsTestServer(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()), Mode.NOT_TLS);
    }

    int port() {
        return server.getLocalPort();
    }

    private void serve(Mode mode) {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                synchronized (open) {
                    open.add(s);
                }
                switch (mode) {
                    case TLS -> {
                        try {
                            ((SSLSocket) s).startHandshake();
                        } catch (IOException e) {
                            // the client refused the chain: that is the point of some tests
                        }
                        s.close();
                    }
                    case NOT_TLS -> {
                        OutputStream out = s.getOutputStream();
                        out.write("HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n"
                                .getBytes(StandardCharsets.US_ASCII));
                        out.flush();
                        s.close();
                    }
                    case SILENT -> {
                        // keep it open until the server closes
                    }
                }
            } catch (IOException e) {
                return;
            }
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        synchronized (open) {
            for (Socket s : open) {
                s.close();
            }
        }
    }
}
