package org.trustfleet.scan;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * Minimal HTTP/1.1 GET over a socket connected to the address {@link AddressGuard} approved: a general HTTP client
 * would resolve the host name again (DNS rebinding) and follow redirects into internal networks.
 */
final class AiaHttpClient {

    private static final int MAX_HEADER_BYTES = 32 * 1024;
    private static final int MAX_LINE_BYTES = 8 * 1024;

    private final AddressGuard guard;
    private final Supplier<SSLSocketFactory> httpsFactory;
    private final int maxBytes;
    private final int maxRedirects;

    AiaHttpClient(AddressGuard guard, Supplier<SSLSocketFactory> httpsFactory, int maxBytes, int maxRedirects) {
        this.guard = guard;
        this.httpsFactory = httpsFactory;
        this.maxBytes = maxBytes;
        this.maxRedirects = maxRedirects;
    }

    /** Successful 200 response body. */
    record Response(InetAddress address, int status, String contentType, byte[] body) {
    }

    /** A failed fetch, already classified; carries what is known about how far it got. */
    static final class Failure extends Exception {
        private static final long serialVersionUID = 1L;
        final AiaStatus status;
        final transient InetAddress address;
        final int httpStatus;

        Failure(AiaStatus status, String detail, InetAddress address, int httpStatus) {
            super(detail, null, false, false);
            this.status = status;
            this.address = address;
            this.httpStatus = httpStatus;
        }
    }

    Response get(URI uri, long deadlineNanos) throws Failure {
        URI current = uri;
        for (int redirects = 0; ; redirects++) {
            Exchange exchange = exchange(current, deadlineNanos);
            if (isRedirect(exchange.status)) {
                String location = exchange.headers.get("location");
                if (location == null || location.isBlank()) {
                    throw new Failure(AiaStatus.HTTP_ERROR, "HTTP " + exchange.status + " redirect without a Location "
                            + "header from " + current + ".", exchange.address, exchange.status);
                }
                if (redirects >= maxRedirects) {
                    throw new Failure(AiaStatus.TOO_MANY_REDIRECTS, current + " redirected more than " + maxRedirects
                            + " time(s); last Location: " + ScanText.oneLine(location) + ".", exchange.address,
                            exchange.status);
                }
                try {
                    current = current.resolve(new URI(location.trim()));
                } catch (URISyntaxException | IllegalArgumentException e) {
                    throw new Failure(AiaStatus.INVALID_URL, "Redirect from " + current + " to an invalid URL.",
                            exchange.address, exchange.status);
                }
                checkScheme(current);
                continue;
            }
            if (exchange.status != 200) {
                throw new Failure(AiaStatus.HTTP_ERROR, "HTTP " + exchange.status
                        + (exchange.reason.isEmpty() ? "" : " " + exchange.reason) + " from " + current + ".",
                        exchange.address, exchange.status);
            }
            return new Response(exchange.address, exchange.status, exchange.headers.get("content-type"), exchange.body);
        }
    }

    static void checkScheme(URI uri) throws Failure {
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new Failure(AiaStatus.UNSUPPORTED_SCHEME, "URL scheme '" + scheme + "' is not fetched (only http "
                    + "and https): " + uri + ".", null, 0);
        }
        if (uri.getHost() == null || uri.getHost().isEmpty()) {
            throw new Failure(AiaStatus.INVALID_URL, "URL has no host: " + uri + ".", null, 0);
        }
    }

    private record Exchange(InetAddress address, int status, String reason, Map<String, String> headers, byte[] body) {
    }

    private static boolean isRedirect(int status) {
        return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
    }

    private Exchange exchange(URI uri, long deadlineNanos) throws Failure {
        checkScheme(uri);
        boolean https = uri.getScheme().equalsIgnoreCase("https");
        String host = uri.getHost();
        int port = uri.getPort() > 0 ? uri.getPort() : (https ? 443 : 80);

        List<InetAddress> addresses;
        try {
            addresses = guard.resolve(host);
        } catch (AddressGuardException e) {
            AiaStatus status = e.reason() == AddressGuardException.Reason.BLOCKED_ADDRESS
                    ? AiaStatus.BLOCKED_ADDRESS : AiaStatus.DNS_FAILURE;
            throw new Failure(status, e.detail(), e.refusedAddress().orElse(null), 0);
        }
        InetAddress address = addresses.get(0);

        Socket socket = new Socket();
        AtomicBoolean deadlinePassed = new AtomicBoolean();
        ScheduledFuture<?> watchdog = ScanThreads.WATCHDOG.schedule(() -> {
            deadlinePassed.set(true);
            close(socket);
        }, Math.max(1, remainingMillis(deadlineNanos)), TimeUnit.MILLISECONDS);
        Socket io = socket;
        try {
            try {
                socket.connect(new InetSocketAddress(address, port), remainingMillis(deadlineNanos));
            } catch (SocketTimeoutException e) {
                throw new Failure(AiaStatus.TIMEOUT, "Connecting to " + host + " (" + address.getHostAddress() + ":"
                        + port + ") timed out.", address, 0);
            } catch (IOException e) {
                if (deadlinePassed.get()) {
                    throw timeout(uri, address);
                }
                throw new Failure(AiaStatus.CONNECT_FAILED, "Could not connect to " + host + " ("
                        + address.getHostAddress() + ":" + port + "): " + ScanText.sentence(e) + ".", address, 0);
            }
            socket.setSoTimeout(remainingMillis(deadlineNanos));
            if (https) {
                io = startTls(socket, host, port, address, deadlinePassed, uri);
            }
            OutputStream out = io.getOutputStream();
            out.write(request(uri, host, port, https).getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = new BufferedInputStream(io.getInputStream());
            return readResponse(in, uri, address);
        } catch (SocketTimeoutException e) {
            throw timeout(uri, address);
        } catch (IOException e) {
            if (deadlinePassed.get()) {
                throw timeout(uri, address);
            }
            throw new Failure(AiaStatus.CONNECT_FAILED, "Connection to " + host + " failed while fetching " + uri
                    + ": " + ScanText.sentence(e) + ".", address, 0);
        } catch (Failure f) {
            if (deadlinePassed.get() && f.status == AiaStatus.UNPARSEABLE) {
                throw timeout(uri, address);
            }
            throw f;
        } finally {
            close(io);
            close(socket);
            watchdog.cancel(false);
        }
    }

    private Socket startTls(Socket socket, String host, int port, InetAddress address, AtomicBoolean deadlinePassed,
            URI uri) throws Failure, IOException {
        SSLSocket ssl = (SSLSocket) httpsFactory.get().createSocket(socket, host, port, true);
        SSLParameters params = ssl.getSSLParameters();
        // AIA over https is validated normally (default trust, hostname check) unlike the probe itself.
        params.setEndpointIdentificationAlgorithm("HTTPS");
        if (!AddressGuard.isIpLiteral(host)) {
            params.setServerNames(List.of(new SNIHostName(host)));
        }
        ssl.setSSLParameters(params);
        try {
            ssl.startHandshake();
        } catch (SocketTimeoutException e) {
            throw e;
        } catch (IOException e) {
            if (deadlinePassed.get()) {
                throw new SocketTimeoutException();
            }
            throw new Failure(AiaStatus.CONNECT_FAILED, "TLS handshake with " + host + " failed while fetching " + uri
                    + ": " + ScanText.sentence(e) + ".", address, 0);
        }
        return ssl;
    }

    private static String request(URI uri, String host, int port, boolean https) {
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        if (uri.getRawQuery() != null) {
            path += "?" + uri.getRawQuery();
        }
        boolean defaultPort = port == (https ? 443 : 80);
        String hostHeader = (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + (defaultPort ? "" : ":" + port);
        return "GET " + path + " HTTP/1.1\r\n"
                + "Host: " + hostHeader + "\r\n"
                + "User-Agent: Trustfleet-AIA/1\r\n"
                + "Accept: application/pkix-cert, application/pkcs7-mime, application/x-x509-ca-cert, "
                + "application/x-pem-file, */*;q=0.5\r\n"
                + "Accept-Encoding: identity\r\n"
                + "Connection: close\r\n\r\n";
    }

    private Exchange readResponse(InputStream in, URI uri, InetAddress address) throws IOException, Failure {
        int[] headerBudget = {MAX_HEADER_BYTES};
        String statusLine = readLine(in, headerBudget, uri, address);
        if (statusLine == null || !statusLine.startsWith("HTTP/1.")) {
            throw new Failure(AiaStatus.UNPARSEABLE, uri + " did not answer with an HTTP/1.x response.", address, 0);
        }
        String[] parts = statusLine.split(" ", 3);
        int status;
        try {
            status = Integer.parseInt(parts.length > 1 ? parts[1] : "");
        } catch (NumberFormatException e) {
            throw new Failure(AiaStatus.UNPARSEABLE, uri + " sent a malformed HTTP status line.", address, 0);
        }
        String reason = parts.length > 2 ? ScanText.oneLine(parts[2]) : "";
        Map<String, String> headers = new HashMap<>();
        for (;;) {
            String line = readLine(in, headerBudget, uri, address);
            if (line == null) {
                throw new Failure(AiaStatus.UNPARSEABLE, uri + " closed the connection inside the HTTP headers.",
                        address, status);
            }
            if (line.isEmpty()) {
                break;
            }
            int colon = line.indexOf(':');
            if (colon > 0) {
                headers.putIfAbsent(line.substring(0, colon).trim().toLowerCase(Locale.ROOT),
                        line.substring(colon + 1).trim());
            }
        }
        if (status != 200) {
            // Body of an error or redirect is irrelevant; do not spend time or memory on it.
            return new Exchange(address, status, reason, headers, new byte[0]);
        }
        byte[] body;
        String transferEncoding = headers.getOrDefault("transfer-encoding", "").toLowerCase(Locale.ROOT);
        if (transferEncoding.contains("chunked")) {
            body = readChunked(in, uri, address, status);
        } else if (headers.containsKey("content-length")) {
            long length;
            try {
                length = Long.parseLong(headers.get("content-length"));
            } catch (NumberFormatException e) {
                throw new Failure(AiaStatus.UNPARSEABLE, uri + " sent an invalid Content-Length.", address, status);
            }
            if (length > maxBytes) {
                throw tooLarge(uri, address, status, "declares " + length + " bytes");
            }
            if (length < 0) {
                throw new Failure(AiaStatus.UNPARSEABLE, uri + " sent an invalid Content-Length.", address, status);
            }
            body = in.readNBytes((int) length);
            if (body.length < length) {
                throw new Failure(AiaStatus.UNPARSEABLE, uri + " closed the connection after " + body.length + " of "
                        + length + " bytes.", address, status);
            }
        } else {
            body = readToEnd(in, uri, address, status);
        }
        return new Exchange(address, status, reason, headers, body);
    }

    private byte[] readChunked(InputStream in, URI uri, InetAddress address, int status) throws IOException, Failure {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int[] lineBudget = {MAX_HEADER_BYTES};
        for (;;) {
            String sizeLine = readLine(in, lineBudget, uri, address);
            if (sizeLine == null) {
                throw new Failure(AiaStatus.UNPARSEABLE, uri + " ended inside a chunked body.", address, status);
            }
            int semicolon = sizeLine.indexOf(';');
            String hex = (semicolon >= 0 ? sizeLine.substring(0, semicolon) : sizeLine).trim();
            long size;
            try {
                size = Long.parseLong(hex, 16);
            } catch (NumberFormatException e) {
                throw new Failure(AiaStatus.UNPARSEABLE, uri + " sent a malformed chunk size.", address, status);
            }
            if (size == 0) {
                return out.toByteArray();
            }
            if (size < 0 || out.size() + size > maxBytes) {
                throw tooLarge(uri, address, status, "exceeds the limit");
            }
            byte[] chunk = in.readNBytes((int) size);
            if (chunk.length < size) {
                throw new Failure(AiaStatus.UNPARSEABLE, uri + " ended inside a chunk.", address, status);
            }
            out.write(chunk);
            readLine(in, lineBudget, uri, address);
        }
    }

    private byte[] readToEnd(InputStream in, URI uri, InetAddress address, int status) throws IOException, Failure {
        byte[] body = in.readNBytes(maxBytes + 1);
        if (body.length > maxBytes) {
            throw tooLarge(uri, address, status, "exceeds the limit");
        }
        return body;
    }

    private Failure tooLarge(URI uri, InetAddress address, int status, String how) {
        return new Failure(AiaStatus.TOO_LARGE, "Response from " + uri + " " + how + " (maximum " + maxBytes
                + " bytes).", address, status);
    }

    private static Failure timeout(URI uri, InetAddress address) {
        return new Failure(AiaStatus.TIMEOUT, "Fetching " + uri + " did not complete in time.", address, 0);
    }

    /** Reads one CRLF (or LF) terminated line, or null at end of stream before any byte. */
    private static String readLine(InputStream in, int[] budget, URI uri, InetAddress address)
            throws IOException, Failure {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (;;) {
            int b = in.read();
            if (b < 0) {
                return line.size() == 0 ? null : line.toString(StandardCharsets.ISO_8859_1);
            }
            if (--budget[0] < 0 || line.size() >= MAX_LINE_BYTES) {
                throw new Failure(AiaStatus.UNPARSEABLE, uri + " sent oversized HTTP headers.", address, 0);
            }
            if (b == '\n') {
                String s = line.toString(StandardCharsets.ISO_8859_1);
                return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
            }
            line.write(b);
        }
    }

    private static int remainingMillis(long deadlineNanos) {
        long ms = TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime());
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, ms));
    }

    private static void close(Socket s) {
        try {
            s.close();
        } catch (IOException | RuntimeException ignored) {
            // The outcome is already decided.
        }
    }
}
