package org.trustfleet.scan;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP relay on a fixed loopback port whose backend can be switched, so a test can replace the server behind one
 * endpoint (same host and port) as a real deployment would.
 */
final class TcpRelay implements AutoCloseable {
    private final ServerSocket server;
    private final List<Socket> open = new CopyOnWriteArrayList<>();
    private volatile int backendPort;
    private volatile boolean closed;

    TcpRelay(int backendPort) throws IOException {
        this.backendPort = backendPort;
        this.server = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
        Thread.ofVirtual().start(this::acceptLoop);
    }

    int port() {
        return server.getLocalPort();
    }

    /** New connections go to this port from now on. */
    void switchTo(int port) {
        this.backendPort = port;
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket client = server.accept();
                Socket backend = new Socket();
                backend.connect(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), backendPort), 2000);
                open.add(client);
                open.add(backend);
                Thread.ofVirtual().start(() -> pump(client, backend));
                Thread.ofVirtual().start(() -> pump(backend, client));
            } catch (IOException e) {
                if (closed) {
                    return;
                }
            }
        }
    }

    private static void pump(Socket from, Socket to) {
        byte[] buffer = new byte[8192];
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                out.write(buffer, 0, n);
                out.flush();
            }
        } catch (IOException ignored) {
            // either side closed
        } finally {
            try {
                from.close();
                to.close();
            } catch (IOException ignored) {
                // closing
            }
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        server.close();
        for (Socket s : open) {
            s.close();
        }
    }
}
