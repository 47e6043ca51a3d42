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
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The internet in front of loopback TLS servers, for the sweep benchmark: one listener per endpoint address, each
 * either forwarding to a backend with latency, a black hole (accepts, reads, never answers) or refused (no listener).
 * With latency on, every connection draws a delay from [minDelayMs, maxDelayMs] and applies it to every flight in
 * each direction (a flight: the bytes one side sends before the other side speaks), so one round trip costs twice the
 * delay. A TCP connect is not delayed (the kernel answers it); only the TLS flights are.
 */
final class LatencyProxy implements AutoCloseable {

    enum Kind { FORWARD, BLACK_HOLE, REFUSED }

    /** One endpoint's listener. */
    final class Listener {
        final String address;
        final int backendPort;
        final Kind kind;
        private ServerSocket server;

        Listener(String address, int port, int backendPort, Kind kind) throws IOException {
            this.address = address;
            this.backendPort = backendPort;
            this.kind = kind;
            this.server = new ServerSocket();
            server.setReuseAddress(true);
            server.bind(new InetSocketAddress(InetAddress.getByName(address), port), 200);
            ServerSocket s = server;
            Thread.ofVirtual().start(() -> acceptLoop(s));
        }

        int port() {
            return server.getLocalPort();
        }

        /** From now on connections to this address are refused (RST), as a closed port on the internet. */
        void refuse() throws IOException {
            server.close();
        }

        private void acceptLoop(ServerSocket s) {
            while (!s.isClosed()) {
                Socket client;
                try {
                    client = s.accept();
                } catch (IOException e) {
                    return;
                }
                open.add(client);
                Thread.ofVirtual().start(() -> handle(client));
            }
        }

        private void handle(Socket client) {
            if (withFaults && kind == Kind.BLACK_HOLE) {
                drain(client);
                return;
            }
            int port = backendPort;
            Socket backend = new Socket();
            try {
                backend.connect(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port), 5000);
            } catch (IOException e) {
                close(client);
                return;
            }
            open.add(backend);
            int delay = withFaults ? ThreadLocalRandom.current().nextInt(minDelayMs, maxDelayMs + 1) : 0;
            AtomicInteger lastSpeaker = new AtomicInteger(-1);
            Thread.ofVirtual().start(() -> pump(client, backend, delay, lastSpeaker, 0));
            pump(backend, client, delay, lastSpeaker, 1);
        }
    }

    private final List<Socket> open = new CopyOnWriteArrayList<>();
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    private final int minDelayMs;
    private final int maxDelayMs;
    /** Off: no delay and black holes forward too (the same endpoints on a perfect network). */
    private volatile boolean withFaults;

    LatencyProxy(int minDelayMs, int maxDelayMs) {
        this.minDelayMs = minDelayMs;
        this.maxDelayMs = maxDelayMs;
    }

    Listener listen(String address, int port, int backendPort, Kind kind) throws IOException {
        Listener listener = new Listener(address, port, backendPort, kind);
        listeners.add(listener);
        return listener;
    }

    /** Latency on every flight, black holes silent and refused endpoints closed; cannot be turned off again. */
    void faults() throws IOException {
        withFaults = true;
        for (Listener listener : listeners) {
            if (listener.kind == Kind.REFUSED) {
                listener.refuse();
            }
        }
    }

    private static void pump(Socket from, Socket to, int delayMs, AtomicInteger lastSpeaker, int me) {
        byte[] buffer = new byte[16384];
        try {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            int n;
            while ((n = in.read(buffer)) >= 0) {
                if (delayMs > 0 && lastSpeaker.getAndSet(me) != me) {
                    Thread.sleep(delayMs); // a new flight in this direction
                }
                out.write(buffer, 0, n);
                out.flush();
            }
        } catch (IOException | InterruptedException ignored) {
            // one side closed
        } finally {
            close(from);
            close(to);
        }
    }

    private static void drain(Socket s) {
        try (InputStream in = s.getInputStream()) {
            byte[] buffer = new byte[4096];
            while (in.read(buffer) >= 0) {
                // a black hole: never answer
            }
        } catch (IOException ignored) {
            // the scanner gave up
        }
    }

    private static void close(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // closing
        }
    }

    @Override
    public void close() throws IOException {
        for (Listener listener : listeners) {
            listener.server.close();
        }
        for (Socket s : open) {
            close(s);
        }
    }
}
