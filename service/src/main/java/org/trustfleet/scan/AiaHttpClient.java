package org.trustfleet.scan;

import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.codec.DecoderException;
import io.vertx.core.Context;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLException;

/**
 * HTTP GET of one caIssuers URL with Vert.x's HTTP client, connected to the address {@link AddressGuard} approved
 * (the request names that address as its server, so the client does not resolve the host name again: no DNS
 * rebinding) and following redirects only here, each target checked by the guard again. The host name still goes
 * into the Host header, SNI and the https hostname check. Blocking: the caller's thread waits for the result with
 * the URL's deadline; never call it on an event-loop thread.
 */
final class AiaHttpClient {

    private static final int MAX_HEADER_BYTES = 32 * 1024;
    private static final int MAX_LINE_BYTES = 8 * 1024;
    private static final String ACCEPT = "application/pkix-cert, application/pkcs7-mime, application/x-x509-ca-cert, "
            + "application/x-pem-file, */*;q=0.5";

    private final AddressGuard guard;
    private final HttpClient client;
    private final int maxBytes;
    private final int maxRedirects;

    /** AIA over https is validated normally (JDK default trust, hostname check), unlike the probe itself. */
    AiaHttpClient(Vertx vertx, AddressGuard guard, int maxBytes, int maxRedirects) {
        this.guard = guard;
        this.client = vertx.createHttpClient(new HttpClientOptions()
                .setKeepAlive(false)
                .setVerifyHost(true)
                .setTryUseCompression(false)
                .setMaxHeaderSize(MAX_HEADER_BYTES)
                .setMaxInitialLineLength(MAX_LINE_BYTES));
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

    /**
     * GETs {@code uri}, following at most {@code maxRedirects} redirects, all within {@code deadlineNanos}
     * ({@link System#nanoTime()} scale). A failure's detail is built from the URL as the certificate wrote it, the
     * status code and fixed words: never from the server's reason phrase, headers or body, nor from where a redirect
     * pointed (with private addresses allowed, those would be a read channel into internal services).
     */
    Response get(URI uri, long deadlineNanos) throws Failure {
        if (Context.isOnEventLoopThread()) {
            throw new IllegalStateException("AIA fetches block; they must not run on an event-loop thread");
        }
        String original = AiaFetcher.shown(uri.toString());
        URI current = uri;
        for (int redirects = 0; ; redirects++) {
            String who = redirects == 0 ? original : "the redirect target of " + original;
            Exchange exchange = exchange(current, deadlineNanos, who, redirects > 0);
            if (isRedirect(exchange.status)) {
                String location = exchange.location;
                if (location == null || location.isBlank()) {
                    throw new Failure(AiaStatus.HTTP_ERROR, "HTTP " + exchange.status + " redirect without a Location "
                            + "header from " + who + ".", exchange.address, exchange.status);
                }
                if (redirects >= maxRedirects) {
                    throw new Failure(AiaStatus.TOO_MANY_REDIRECTS, "Redirect refused: " + original
                            + " redirected more than " + maxRedirects + " time(s).", exchange.address,
                            exchange.status);
                }
                try {
                    current = current.resolve(new URI(location.trim()));
                } catch (URISyntaxException | IllegalArgumentException e) {
                    throw new Failure(AiaStatus.INVALID_URL, "Redirect refused: the redirect from " + original
                            + " names no valid URL.", exchange.address, exchange.status);
                }
                try {
                    checkScheme(current);
                } catch (Failure f) {
                    throw new Failure(f.status, "Redirect refused: the redirect from " + original
                            + " is not to an http or https URL with a host.", exchange.address, exchange.status);
                }
                continue;
            }
            if (exchange.status != 200) {
                throw new Failure(AiaStatus.HTTP_ERROR, "HTTP " + exchange.status + " from " + who + ".",
                        exchange.address, exchange.status);
            }
            return new Response(exchange.address, exchange.status, exchange.contentType, exchange.body);
        }
    }

    /** The scheme is http or https and the URL names a host; the detail quotes the URL as the certificate wrote it. */
    static void checkScheme(URI uri) throws Failure {
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new Failure(AiaStatus.UNSUPPORTED_SCHEME, "URL scheme '" + AiaFetcher.shown(scheme) + "' is not "
                    + "fetched (only http and https): " + AiaFetcher.shown(uri.toString()) + ".", null, 0);
        }
        if (uri.getHost() == null || uri.getHost().isEmpty()) {
            throw new Failure(AiaStatus.INVALID_URL, "URL has no host: " + AiaFetcher.shown(uri.toString()) + ".",
                    null, 0);
        }
    }

    /** One request and its response; the body only for a 200 (an error's or redirect's body is not read). */
    private record Exchange(InetAddress address, int status, String location, String contentType, byte[] body) {
    }

    private static boolean isRedirect(int status) {
        return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
    }

    /**
     * @param who        how details name this request: the certificate's URL, or "the redirect target of" it
     * @param redirected the host came from a Location header: a refusal or DNS failure says so in fixed words
     */
    private Exchange exchange(URI uri, long deadlineNanos, String who, boolean redirected) throws Failure {
        checkScheme(uri);
        boolean https = uri.getScheme().equalsIgnoreCase("https");
        String host = uri.getHost();
        int port = uri.getPort() > 0 ? uri.getPort() : (https ? 443 : 80);

        List<InetAddress> addresses;
        try {
            addresses = guard.resolve(host, Duration.ofMillis(remainingMillis(deadlineNanos)));
        } catch (AddressGuardException e) {
            boolean blocked = e.reason() == AddressGuardException.Reason.BLOCKED_ADDRESS;
            AiaStatus status = blocked ? AiaStatus.BLOCKED_ADDRESS : AiaStatus.DNS_FAILURE;
            String detail = !redirected ? e.detail()
                    : blocked ? "Redirect refused: " + who + " is an address the scanner does not contact."
                    : "The host of " + who + " could not be resolved.";
            throw new Failure(status, detail, redirected ? null : e.refusedAddress().orElse(null), 0);
        }
        InetAddress address = addresses.get(0);

        RequestOptions options = new RequestOptions()
                .setMethod(HttpMethod.GET)
                // connect to the checked address; host and port still name the server (Host header, SNI, hostname)
                .setServer(SocketAddress.inetSocketAddress(new InetSocketAddress(address, port)))
                .setHost(host)
                .setPort(port)
                .setSsl(https)
                .setURI(pathAndQuery(uri))
                .setFollowRedirects(false)
                .setConnectTimeout(remainingMillis(deadlineNanos))
                .putHeader(HttpHeaders.USER_AGENT, "Trustfleet-AIA/1")
                .putHeader(HttpHeaders.ACCEPT, ACCEPT)
                .putHeader(HttpHeaders.ACCEPT_ENCODING, "identity");

        Promise<Exchange> result = Promise.promise();
        AtomicReference<HttpClientRequest> sent = new AtomicReference<>();
        AtomicBoolean abandoned = new AtomicBoolean();
        client.request(options).onFailure(result::tryFail).onSuccess(request -> {
            sent.set(request);
            if (abandoned.get()) {
                request.reset(); // the caller already gave up: do not leave the connection open
                return;
            }
            request.send().onFailure(result::tryFail).onSuccess(response -> read(response, who, address, result));
        });
        try {
            return result.future().toCompletionStage().toCompletableFuture()
                    .get(remainingMillis(deadlineNanos), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw timeout(who, address);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Failure(AiaStatus.TIMEOUT, "Fetching " + who + " was interrupted.", address, 0);
        } catch (ExecutionException e) {
            throw classify(e.getCause(), who, address);
        } finally {
            abandoned.set(true);
            HttpClientRequest request = sent.get();
            if (request != null) {
                request.reset(); // closes the connection if the response was not read to the end
            }
        }
    }

    /** Runs on the event loop: completes {@code result} with the response, reading a 200's body within the limit. */
    private void read(HttpClientResponse response, String who, InetAddress address, Promise<Exchange> result) {
        // set first: a reset of a response nobody reads any more must not be logged as unhandled
        response.exceptionHandler(result::tryFail);
        int status = response.statusCode();
        // the reason phrase is the server's words: never read, never shown
        String location = response.getHeader(HttpHeaders.LOCATION);
        String contentType = response.getHeader(HttpHeaders.CONTENT_TYPE);
        if (status != 200) {
            // Body of an error or redirect is irrelevant; do not spend time or memory on it.
            result.tryComplete(new Exchange(address, status, location, contentType, new byte[0]));
            return;
        }
        String declared = response.getHeader(HttpHeaders.CONTENT_LENGTH);
        if (declared != null) {
            long length;
            try {
                length = Long.parseLong(declared.trim());
            } catch (NumberFormatException e) {
                length = -1;
            }
            if (length < 0) {
                result.tryFail(new Failure(AiaStatus.UNPARSEABLE, "The response from " + who + " has an invalid "
                        + "Content-Length.", address, status));
                return;
            }
            if (length > maxBytes) {
                result.tryFail(tooLarge(who, address, status, "declares " + length + " bytes"));
                return;
            }
        }
        Buffer body = Buffer.buffer();
        response.handler(chunk -> {
            if (body.length() + chunk.length() > maxBytes) {
                result.tryFail(tooLarge(who, address, status, "exceeds the limit"));
                response.request().reset();
            } else {
                body.appendBuffer(chunk);
            }
        });
        response.endHandler(done -> result.tryComplete(new Exchange(address, status, location, contentType,
                body.getBytes())));
    }

    /** Fixed words per kind of failure: exception messages may carry what the server sent (TLS alerts, names). */
    private static Failure classify(Throwable t, String who, InetAddress address) {
        if (t instanceof Failure f) {
            return f;
        }
        if (t instanceof ConnectTimeoutException || t instanceof TimeoutException) {
            return timeout(who, address);
        }
        if (t instanceof SSLException) {
            return new Failure(AiaStatus.CONNECT_FAILED, "The TLS handshake failed while fetching " + who + ".",
                    address, 0);
        }
        if (t instanceof ConnectException) {
            return new Failure(AiaStatus.CONNECT_FAILED, "The connection was refused or failed while fetching " + who
                    + ".", address, 0);
        }
        if (t instanceof HttpClosedException) {
            return new Failure(AiaStatus.UNPARSEABLE, "The server closed the connection before the response was "
                    + "complete while fetching " + who + ".", address, 0);
        }
        if (t instanceof DecoderException || t instanceof IllegalArgumentException) {
            return new Failure(AiaStatus.UNPARSEABLE, "Fetching " + who + " gave no well-formed HTTP/1.x response.",
                    address, 0);
        }
        return new Failure(AiaStatus.CONNECT_FAILED, "The connection failed while fetching " + who + ".", address, 0);
    }

    private static String pathAndQuery(URI uri) {
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        return uri.getRawQuery() == null ? path : path + "?" + uri.getRawQuery();
    }

    private Failure tooLarge(String who, InetAddress address, int status, String how) {
        return new Failure(AiaStatus.TOO_LARGE, "The response from " + who + " " + how + " (maximum " + maxBytes
                + " bytes).", address, status);
    }

    private static Failure timeout(String who, InetAddress address) {
        return new Failure(AiaStatus.TIMEOUT, "Fetching " + who + " did not complete in time.", address, 0);
    }

    private static int remainingMillis(long deadlineNanos) {
        long ms = TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime());
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, ms));
    }
}
