package org.trustfleet.scan;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A server on a loopback address of the test's choice (any of 127/8 on Linux) that accepts TCP connections, reads
 * and never answers. Separate addresses keep the scanner's per-address politeness out of a test about something
 * else.
 */
final class BlackHole implements AutoCloseable {
    private final ServerSocket server;
    private final List<Socket> held = new CopyOnWriteArrayList<>();

    BlackHole(String address) throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getByName(address));
        Thread.ofVirtual().start(() -> {
            while (!server.isClosed()) {
                try {
                    Socket s = server.accept();
                    held.add(s);
                    Thread.ofVirtual().start(() -> drain(s));
                } catch (IOException e) {
                    return;
                }
            }
        });
    }

    int port() {
        return server.getLocalPort();
    }

    /** Connections accepted so far. */
    int connections() {
        return held.size();
    }

    private static void drain(Socket s) {
        try (InputStream in = s.getInputStream()) {
            while (in.read() >= 0) {
                // never answer
            }
        } catch (IOException ignored) {
            // closed by the scanner's timeout or by close()
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket s : held) {
            s.close();
        }
    }
}
