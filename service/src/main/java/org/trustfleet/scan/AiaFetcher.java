package org.trustfleet.scan;

import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.DERIA5String;
import org.bouncycastle.asn1.x509.AccessDescription;
import org.bouncycastle.asn1.x509.AuthorityInformationAccess;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.trustfleet.cache.BoundedCache;
import org.trustfleet.cache.Caches;
import org.trustfleet.pki.CertificateParseException;
import org.trustfleet.pki.CertificateParser;
import org.trustfleet.pki.Certificates;
import org.trustfleet.pki.ParseLimits;

/**
 * Fetches missing issuer certificates from AIA {@code caIssuers} URLs, as Chrome and cfssl do and Android never does,
 * so the scanner can name (and the fleet can install) the exact intermediate a server forgot to send.
 *
 * <p>Only http and https URLs are fetched, each through AIA's own {@link AddressGuard} ({@link AddressGuard#forAia}:
 * no loopback or link-local unless the operator opts in) with a connection to the approved address (Vert.x's HTTP
 * client, see {@link AiaHttpClient}), bounded by {@link ScannerSettings#aiaTimeout()},
 * {@link ScannerSettings#aiaMaxBytes()} and {@link #MAX_REDIRECTS}. All fetches of one scan share one
 * {@link AiaBudget} (a deadline and a fetch count, per scan and per hop), whatever the URLs. Failure details are the
 * product's own sentences (status code, "redirect refused", ...), never the remote server's words. Results, failures
 * included, are cached in memory by URL (bounded, with TTL).
 */
public final class AiaFetcher {

    /** At most one redirect: CAs occasionally move a file, more than that is not a legitimate AIA setup. */
    public static final int MAX_REDIRECTS = 1;

    /**
     * Cache bounds.
     *
     * @param maxEntries  most URLs kept
     * @param positiveTtl lifetime of a successful fetch
     * @param negativeTtl lifetime of a failure (shorter: outages end)
     */
    public record CachePolicy(int maxEntries, Duration positiveTtl, Duration negativeTtl) {
        public CachePolicy {
            if (maxEntries < 0) {
                throw new IllegalArgumentException("maxEntries must not be negative");
            }
            Objects.requireNonNull(positiveTtl, "positiveTtl");
            Objects.requireNonNull(negativeTtl, "negativeTtl");
        }

        /** 1000 URLs, 1 hour for certificates, 5 minutes for failures. */
        public static CachePolicy defaults() {
            return new CachePolicy(1000, Duration.ofHours(1), Duration.ofMinutes(5));
        }
    }

    private static final String AIA_OID = Extension.authorityInfoAccess.getId();
    private static final String NOT_FETCHED = "Not fetched: ";

    private final ScannerSettings settings;
    private final Supplier<AiaHttpClient> httpFactory;
    private AiaHttpClient http;
    private final CachePolicy cachePolicy;
    private final BoundedCache<String, AiaFetch> cache;

    /** Production constructor: default cache, system clock. */
    public AiaFetcher(ScannerSettings settings, AddressGuard guard, Vertx vertx) {
        this(settings, guard, vertx, CachePolicy.defaults(), Clock.systemUTC());
    }

    /**
     * @param vertx whose HTTP client fetches the URLs (https validated with the JDK's default trust and a hostname
     *              check); the fetcher blocks its caller, never a Vert.x event loop
     */
    public AiaFetcher(ScannerSettings settings, AddressGuard guard, Vertx vertx, CachePolicy cachePolicy,
            Clock clock) {
        this(settings, guard, supplied(Objects.requireNonNull(vertx, "vertx")), cachePolicy, clock);
    }

    /**
     * @param vertx asked for Vert.x at the first URL actually fetched, so that a short-lived process (the
     *              {@code check} command) starts it only when a certificate has a caIssuers URL to follow
     */
    public AiaFetcher(ScannerSettings settings, AddressGuard guard, Supplier<Vertx> vertx, CachePolicy cachePolicy,
            Clock clock) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.cachePolicy = Objects.requireNonNull(cachePolicy, "cachePolicy");
        Objects.requireNonNull(vertx, "vertx");
        Objects.requireNonNull(guard, "guard");
        // the URLs are the certificate issuer's choice: AIA's own guard, whichever guard the caller holds
        AddressGuard aiaGuard = guard.forAia(settings.aia().allowLoopbackAndLinkLocal());
        this.httpFactory = () -> new AiaHttpClient(Objects.requireNonNull(vertx.get(), "vertx"), aiaGuard,
                settings.aiaMaxBytes(), MAX_REDIRECTS);
        this.cache = Caches.expiring("aia-fetches", cachePolicy.maxEntries(), Objects.requireNonNull(clock, "clock"),
                (url, fetch) -> fetch.isOk() ? cachePolicy.positiveTtl() : cachePolicy.negativeTtl());
    }

    private static Supplier<Vertx> supplied(Vertx vertx) {
        return () -> vertx;
    }

    /** The HTTP client, created at first use. */
    private synchronized AiaHttpClient http() {
        if (http == null) {
            http = httpFactory.get();
        }
        return http;
    }

    /**
     * All caIssuers URLs in the certificate's AIA extension, any scheme, in certificate order; empty when there is no
     * such extension.
     *
     * @throws IllegalArgumentException when the extension is present but malformed
     */
    public static List<String> caIssuerUrls(X509Certificate certificate) {
        byte[] ext = certificate.getExtensionValue(AIA_OID);
        if (ext == null) {
            return List.of();
        }
        try {
            ASN1Primitive value = JcaX509ExtensionUtils.parseExtensionValue(ext);
            AuthorityInformationAccess aia = AuthorityInformationAccess.getInstance(value);
            List<String> urls = new ArrayList<>();
            for (AccessDescription d : aia.getAccessDescriptions()) {
                GeneralName location = d.getAccessLocation();
                if (AccessDescription.id_ad_caIssuers.equals(d.getAccessMethod())
                        && location.getTagNo() == GeneralName.uniformResourceIdentifier) {
                    urls.add(DERIA5String.getInstance(location.getName()).getString());
                }
            }
            return List.copyOf(urls);
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("malformed Authority Information Access extension", e);
        }
    }

    /**
     * A fresh budget for one scan: every completion of that scan shares its deadline and fetch count
     * ({@code trustfleet.scanner.aia.*}).
     */
    public AiaBudget budget() {
        return new AiaBudget(settings.aia());
    }

    /** Fetches one URL (cached) within a budget of its own; never throws for network or content problems. */
    public AiaFetch fetch(String url) {
        return fetch(url, budget().hop());
    }

    private AiaFetch fetch(String url, AiaBudget.Hop hop) {
        Objects.requireNonNull(url, "url");
        String key = url.trim();
        AiaFetch cached = cached(key);
        if (cached != null) {
            return cached;
        }
        URI uri;
        try {
            uri = new URI(key);
            AiaHttpClient.checkScheme(uri);
        } catch (URISyntaxException e) {
            AiaFetch malformed = new AiaFetch(key, AiaStatus.INVALID_URL, List.of(), null, 0, null, Duration.ZERO,
                    false, "caIssuers URL is malformed: " + shown(key) + ".");
            store(key, malformed);
            return malformed;
        } catch (AiaHttpClient.Failure f) {
            AiaFetch unsupported = new AiaFetch(key, f.status, List.of(), null, 0, null, Duration.ZERO, false,
                    f.getMessage());
            store(key, unsupported);
            return unsupported;
        }
        String exhausted = hop.take();
        if (exhausted != null) {
            // not a fact about the URL: never cached
            return new AiaFetch(key, AiaStatus.BUDGET_EXHAUSTED, List.of(), null, 0, null, Duration.ZERO, false,
                    NOT_FETCHED + exhausted + ".");
        }
        long start = System.nanoTime();
        long own = start + settings.aiaTimeout().toNanos();
        long scanDeadline = hop.deadlineNanos();
        boolean cutByScan = scanDeadline - own < 0;
        AiaFetch fresh = fetchUncached(key, uri, start, cutByScan ? scanDeadline : own);
        if (!cutByScan || fresh.isOk()) {
            // a failure within less than the fetch's own time (the scan's deadline was nearer) may be a timeout, DNS
            // included, that says nothing about the URL: not cached
            store(key, fresh);
        }
        return fresh;
    }

    /** Looks up the issuer of {@code certificate} via its caIssuers URLs, trying each in order until one verifies. */
    public AiaHop fetchIssuer(X509Certificate certificate) {
        return fetchIssuer(certificate, budget());
    }

    private AiaHop fetchIssuer(X509Certificate certificate, AiaBudget budget) {
        Objects.requireNonNull(certificate, "certificate");
        List<String> urls;
        try {
            urls = caIssuerUrls(certificate);
        } catch (IllegalArgumentException e) {
            return new AiaHop(certificate, AiaStatus.INVALID_URL, null, null, List.of(),
                    "The certificate's Authority Information Access extension is malformed.");
        }
        if (urls.isEmpty()) {
            return new AiaHop(certificate, AiaStatus.NO_AIA_EXTENSION, null, null, List.of(),
                    "The certificate has no AIA caIssuers URL, so its issuer cannot be fetched.");
        }
        AiaBudget.Hop hop = budget.hop();
        List<AiaFetch> attempts = new ArrayList<>();
        AiaFetch firstFailure = null;
        AiaFetch firstSkipped = null;
        int skipped = 0;
        for (String url : urls) {
            AiaFetch f = fetch(url, hop);
            attempts.add(f);
            if (f.isOk()) {
                for (X509Certificate candidate : f.certificates()) {
                    if (Certificates.isIssuedBy(certificate, candidate)) {
                        return new AiaHop(certificate, AiaStatus.FETCHED, candidate, url, attempts, null);
                    }
                }
                f = new AiaFetch(f.url(), AiaStatus.NOT_ISSUER, f.certificates(), f.address(), f.httpStatus(),
                        f.contentType(), f.duration(), f.fromCache(), "None of the " + f.certificates().size()
                        + " certificate(s) from " + shown(url) + " signed " + certificate.getSubjectX500Principal()
                        + ".");
            }
            if (f.status() == AiaStatus.BUDGET_EXHAUSTED) {
                skipped++;
                firstSkipped = firstSkipped == null ? f : firstSkipped;
            }
            if (firstFailure == null || informative(f) > informative(firstFailure)) {
                firstFailure = f;
            }
        }
        String detail = firstFailure.detail();
        if (firstFailure.status() == AiaStatus.UNSUPPORTED_SCHEME) {
            detail = "Only unsupported caIssuers URL schemes (only http and https are fetched): "
                    + shown(String.join(", ", urls)) + ".";
        } else if (skipped > 0 && firstFailure != firstSkipped) {
            detail = detail + " " + skipped + " more caIssuers URL(s) were not tried: "
                    + firstSkipped.detail().substring(NOT_FETCHED.length());
        }
        return new AiaHop(certificate, firstFailure.status(), null, null, attempts, detail);
    }

    /** {@link #complete(X509Certificate, int)} with {@link ScannerSettings#aiaMaxHops()}. */
    public AiaCompletion complete(X509Certificate certificate) {
        return complete(certificate, settings.aiaMaxHops());
    }

    /** Follows caIssuers from {@code certificate} up to {@code maxHops} look-ups within a budget of its own. */
    public AiaCompletion complete(X509Certificate certificate, int maxHops) {
        return complete(certificate, maxHops, budget());
    }

    /**
     * Follows caIssuers from {@code certificate} up to {@link ScannerSettings#aiaMaxHops()} look-ups, within the
     * scan's {@code budget} (shared with the scan's other completions).
     */
    public AiaCompletion complete(X509Certificate certificate, AiaBudget budget) {
        return complete(certificate, settings.aiaMaxHops(), budget);
    }

    private AiaCompletion complete(X509Certificate certificate, int maxHops, AiaBudget budget) {
        Objects.requireNonNull(certificate, "certificate");
        Objects.requireNonNull(budget, "budget");
        List<X509Certificate> fetched = new ArrayList<>();
        List<AiaHop> hops = new ArrayList<>();
        X509Certificate current = certificate;
        for (;;) {
            if (Certificates.isSelfSigned(current)) {
                return new AiaCompletion(certificate, fetched, hops, AiaCompletion.Stop.SELF_SIGNED);
            }
            if (hops.size() >= maxHops) {
                return new AiaCompletion(certificate, fetched, hops, AiaCompletion.Stop.MAX_HOPS);
            }
            AiaHop hop = fetchIssuer(current, budget);
            hops.add(hop);
            if (!hop.isFetched()) {
                return new AiaCompletion(certificate, fetched, hops, AiaCompletion.Stop.UNAVAILABLE);
            }
            X509Certificate issuer = hop.issuer();
            if (issuer.equals(certificate) || fetched.contains(issuer)) {
                return new AiaCompletion(certificate, fetched, hops, AiaCompletion.Stop.LOOP);
            }
            fetched.add(issuer);
            current = issuer;
        }
    }

    /** Number of cached URLs. */
    public int cacheSize() {
        return (int) cache.size();
    }

    // Which failure to report when several URLs failed: network-level facts beat "not tried", which beats "wrong
    // scheme".
    private static int informative(AiaFetch f) {
        return switch (f.status()) {
            case UNSUPPORTED_SCHEME -> 0;
            case BUDGET_EXHAUSTED -> 1;
            default -> 2;
        };
    }

    private AiaFetch fetchUncached(String url, URI uri, long start, long deadlineNanos) {
        try {
            AiaHttpClient.Response response = http().get(uri, deadlineNanos);
            List<X509Certificate> certs;
            try {
                // DER, certs-only PKCS#7 (DER or PEM) or PEM certificates: what real caIssuers URLs serve
                certs = CertificateParser.parse(response.body(), ParseLimits.DEFAULT);
            } catch (CertificateParseException e) {
                // the parser's words may quote the body (a PEM label): a fixed sentence instead
                return new AiaFetch(url, AiaStatus.UNPARSEABLE, List.of(), response.address(), response.status(),
                        response.contentType(), elapsed(start), false, "The response from " + shown(url)
                        + " is not a DER or PEM certificate or a certs-only PKCS#7.");
            }
            return new AiaFetch(url, AiaStatus.FETCHED, certs, response.address(), response.status(),
                    response.contentType(), elapsed(start), false, null);
        } catch (AiaHttpClient.Failure f) {
            return new AiaFetch(url, f.status, List.of(), f.address, f.httpStatus, null, elapsed(start), false,
                    f.getMessage());
        } catch (RuntimeException e) {
            // Never let one odd URL or server break a scan; what went wrong goes to no one but the log.
            return new AiaFetch(url, AiaStatus.CONNECT_FAILED, List.of(), null, 0, null, elapsed(start), false,
                    "Fetching " + shown(url) + " failed.");
        }
    }

    /** A URL as written in a certificate, on one line and bounded, for a detail sentence. */
    static String shown(String url) {
        return ScanText.oneLine(url);
    }

    private AiaFetch cached(String key) {
        AiaFetch e = cache.get(key);
        return e == null ? null : e.asCached();
    }

    private void store(String key, AiaFetch fetch) {
        Duration ttl = fetch.isOk() ? cachePolicy.positiveTtl() : cachePolicy.negativeTtl();
        if (cachePolicy.maxEntries() == 0 || ttl.isZero() || ttl.isNegative()) {
            return;
        }
        cache.put(key, fetch);
    }

    private static Duration elapsed(long startNanos) {
        return Duration.ofNanos(System.nanoTime() - startNanos);
    }
}
