package org.trustfleet.alert;

import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.trustfleet.core.TrustfleetConfig;
import org.trustfleet.core.TrustfleetException;
import org.trustfleet.scan.AddressGuard;
import org.trustfleet.scan.AddressGuardException;

/**
 * POSTs alert bodies to webhook URLs through the scanner's address guard: the host is resolved once by the guard
 * and the connection goes to that checked address (the request still names the host for the Host header, SNI and
 * certificate check), so a name that resolves differently later cannot redirect an alert into the service's own
 * network. Redirects are not followed.
 */
@ApplicationScoped
public class WebhookClient {
    private final AddressGuard guard;
    private final HttpClient client;
    private final long timeoutMillis;

    public WebhookClient(AddressGuard guard, Vertx vertx, TrustfleetConfig config) {
        this.guard = guard;
        this.timeoutMillis = config.alerts().sendTimeout().toMillis();
        this.client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(false).setVerifyHost(true)
                .setTryUseCompression(false));
    }

    /** The outcome of one POST: the status, or why no status came back. */
    public record Answer(int status, String error) {
        boolean accepted() {
            return status >= 200 && status < 300;
        }
    }

    /**
     * Checks that {@code url} can be a webhook target: http(s), a host, no user info, and a host the guard allows.
     *
     * @throws TrustfleetException VALIDATION naming the reason
     */
    public URI check(String url) {
        URI uri = parse(url);
        try {
            guard.resolve(uri.getHost());
        } catch (AddressGuardException e) {
            throw TrustfleetException.validation("'url' is refused: " + e.getMessage()
                    + " Alerts are sent only where the scanner may connect.");
        }
        return uri;
    }

    static URI parse(String url) {
        if (url == null || url.isBlank()) {
            throw TrustfleetException.validation("'url' is required for this channel kind");
        }
        URI uri;
        try {
            uri = new URI(url.strip());
        } catch (URISyntaxException e) {
            throw TrustfleetException.validation("'url' is not a valid URL");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("https") && !scheme.equals("http")) {
            throw TrustfleetException.validation("'url' must be an https or http URL");
        }
        if (uri.getHost() == null || uri.getRawUserInfo() != null || uri.getRawFragment() != null) {
            throw TrustfleetException.validation("'url' must name a host and have no user info or fragment");
        }
        return uri;
    }

    /** POSTs {@code body} as JSON with {@code headers}; never throws for network or receiver failures. */
    public Answer post(String url, byte[] body, Map<String, String> headers) {
        URI uri;
        List<InetAddress> addresses;
        try {
            uri = parse(url);
            addresses = guard.resolve(uri.getHost());
        } catch (TrustfleetException e) {
            return new Answer(0, e.getMessage());
        } catch (AddressGuardException e) {
            return new Answer(0, e.getMessage());
        }
        boolean https = uri.getScheme().equalsIgnoreCase("https");
        int port = uri.getPort() > 0 ? uri.getPort() : (https ? 443 : 80);
        String path = (uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath())
                + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
        RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST)
                // connect to the address the guard checked; the URL's host still names the server
                .setServer(SocketAddress.inetSocketAddress(new InetSocketAddress(addresses.get(0), port)))
                .setHost(uri.getHost()).setPort(port).setSsl(https).setURI(path).setFollowRedirects(false)
                .setConnectTimeout(timeoutMillis).setIdleTimeout(timeoutMillis)
                .putHeader("Content-Type", "application/json; charset=utf-8")
                .putHeader("User-Agent", "Trustfleet-Alerts/1");
        headers.forEach(options::putHeader);
        Promise<Integer> result = Promise.promise();
        client.request(options).onFailure(result::tryFail).onSuccess(request -> request.send(Buffer.buffer(body))
                .onFailure(result::tryFail).onSuccess(response -> {
                    // the answer's body is the receiver's text: not read, never shown
                    response.exceptionHandler(e -> { });
                    response.handler(chunk -> { });
                    response.endHandler(done -> result.tryComplete(response.statusCode()));
                }));
        try {
            int status = result.future().toCompletionStage().toCompletableFuture()
                    .get(timeoutMillis, TimeUnit.MILLISECONDS);
            return new Answer(status, status >= 200 && status < 300 ? null : "the receiver answered " + status);
        } catch (TimeoutException e) {
            return new Answer(0, "no answer within " + timeoutMillis + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Answer(0, "interrupted");
        } catch (ExecutionException e) {
            String why = e.getCause() == null ? "request failed" : e.getCause().getClass().getSimpleName();
            return new Answer(0, "could not deliver: " + why);
        }
    }
}
