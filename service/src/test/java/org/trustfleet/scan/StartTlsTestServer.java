package org.trustfleet.scan;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * In-process mail servers on 127.0.0.1 that speak the plain-text greeting and STARTTLS of SMTP, IMAP or POP3, then
 * hand the same socket to a JSSE TLS server presenting a given chain: the counterpart of {@link TestTlsServer} for
 * endpoints whose {@code protocol} is a STARTTLS one. Every server line carries {@link #MARKER}, text a probe must
 * never repeat.
 */
public final class StartTlsTestServer implements AutoCloseable {

    /** Server text that must never reach a probe's detail (it stands for anything a hostile server says). */
    static final String MARKER = "<evil\u001b[31m>";

    /** How the server answers the request for TLS. */
    public enum Behaviour {
        /** Advertises STARTTLS and says go ahead. */
        OFFERS,
        /** SMTP: not in the EHLO reply; IMAP: {@code a1 BAD}; POP3: {@code -ERR}. */
        NOT_OFFERED,
        /** SMTP: advertises STARTTLS but answers 454; IMAP: {@code a1 NO}; POP3: {@code -ERR}. */
        REFUSES,
        /** Greets with a line that never ends (the probe must stop at its line bound). */
        ENDLESS_LINE
    }

    private final ServerSocket server;
    private final StartTlsProtocol protocol;
    private final Behaviour behaviour;
    private final SSLContext tls;
    private final AtomicInteger handshakes = new AtomicInteger();
    private final List<String> commands = new CopyOnWriteArrayList<>();
    private final List<Socket> open = new CopyOnWriteArrayList<>();
    private volatile boolean closed;

    private StartTlsTestServer(StartTlsProtocol protocol, Behaviour behaviour, List<X509Certificate> chain,
            PrivateKey key) throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setKeyEntry("server", key, new char[0], chain.toArray(X509Certificate[]::new));
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(store, new char[0]);
        this.tls = SSLContext.getInstance("TLS");
        tls.init(kmf.getKeyManagers(), null, null);
        this.protocol = protocol;
        this.behaviour = behaviour;
        this.server = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
        Thread acceptor = new Thread(this::acceptLoop, "starttls-server-" + server.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** A server of {@code protocol} that behaves as told and, once TLS starts, presents {@code chain}. */
    public static StartTlsTestServer start(StartTlsProtocol protocol, Behaviour behaviour, List<X509Certificate> chain,
            PrivateKey key) throws Exception {
        return new StartTlsTestServer(protocol, behaviour, chain, key);
    }

    public int port() {
        return server.getLocalPort();
    }

    /** TLS handshakes completed after STARTTLS. */
    int handshakes() {
        return handshakes.get();
    }

    /** The client's plain-text commands, in order. */
    List<String> commands() {
        return List.copyOf(commands);
    }

    private void acceptLoop() {
        while (!closed) {
            Socket s;
            try {
                s = server.accept();
            } catch (IOException e) {
                return;
            }
            open.add(s);
            Thread t = new Thread(() -> handle(s), "starttls-conn");
            t.setDaemon(true);
            t.start();
        }
    }

    private void handle(Socket s) {
        try {
            s.setSoTimeout(10_000);
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            if (behaviour == Behaviour.ENDLESS_LINE) {
                byte[] junk = new byte[8192];
                java.util.Arrays.fill(junk, (byte) 'A');
                out.write(junk);
                out.flush();
                in.read();
                return;
            }
            if (dialogue(in, out)) {
                SSLSocket ssl = (SSLSocket) tls.getSocketFactory().createSocket(s, "127.0.0.1", s.getPort(), true);
                ssl.setUseClientMode(false);
                ssl.startHandshake();
                handshakes.incrementAndGet();
                ssl.getInputStream().read();
            } else {
                in.read(); // wait for the client to give up
            }
        } catch (IOException | RuntimeException ignored) {
            // Clients close on purpose in these tests.
        } finally {
            try {
                s.close();
            } catch (IOException ignored) {
                // test server
            }
        }
    }

    /** Speaks the protocol up to the go-ahead; true when TLS starts next. */
    private boolean dialogue(InputStream in, OutputStream out) throws IOException {
        boolean go = behaviour == Behaviour.OFFERS;
        switch (protocol) {
            case SMTP -> {
                write(out, "220 mail.test ESMTP " + MARKER);
                readCommand(in);
                write(out, "250-mail.test greets you " + MARKER);
                write(out, "250-SIZE 35882577");
                if (behaviour != Behaviour.NOT_OFFERED) {
                    write(out, "250-STARTTLS");
                }
                write(out, "250 8BITMIME");
                if (behaviour == Behaviour.NOT_OFFERED) {
                    return false;
                }
                readCommand(in);
                write(out, go ? "220 2.0.0 Ready to start TLS " + MARKER : "454 4.7.0 TLS not available " + MARKER);
            }
            case IMAP -> {
                write(out, "* OK [CAPABILITY IMAP4rev1 STARTTLS] ready " + MARKER);
                readCommand(in);
                write(out, "* CAPABILITY IMAP4rev1 STARTTLS " + MARKER);
                write(out, go ? "a1 OK Begin TLS negotiation now " + MARKER
                        : behaviour == Behaviour.REFUSES ? "a1 NO " + MARKER : "a1 BAD unknown command " + MARKER);
            }
            case POP3 -> {
                write(out, "+OK POP3 ready " + MARKER);
                readCommand(in);
                write(out, go ? "+OK Begin TLS " + MARKER : "-ERR " + MARKER);
            }
            default -> throw new IllegalStateException("not a STARTTLS protocol: " + protocol);
        }
        return go;
    }

    private void readCommand(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b = in.read(); b >= 0 && b != '\n'; b = in.read()) {
            if (b != '\r') {
                line.write(b);
            }
        }
        commands.add(line.toString(StandardCharsets.US_ASCII));
    }

    private static void write(OutputStream out, String line) throws IOException {
        out.write((line + "\r\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
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
}
