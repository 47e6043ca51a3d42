package org.trustfleet.scan;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;

/**
 * Decides which addresses the scanner may contact, so that tenant-supplied host names cannot turn the
 * scanner (or its AIA fetcher) into a probe of our own internal network.
 *
 * <p>Host names are resolved exactly once, here; callers connect to the returned {@link InetAddress}
 * objects, never to the name again, so a DNS answer cannot change between check and connect.
 *
 * <p>Numeric hosts are accepted only as a canonical dotted quad or an IPv6 literal: other numeric spellings
 * ({@code 0177.0.0.1}, {@code 0x7f000001}, {@code 2130706433}, {@code 127.1}) are read differently by different
 * software (Java reads {@code 0177} as decimal, the C library as octal), so the guard refuses them without a look-up
 * rather than guess which address another reader would reach.
 *
 * <p>AIA fetches use a narrower guard ({@link #forAia}): their URLs are chosen by certificate issuers, not by the
 * tenant, so loopback and link-local (cloud metadata) stay refused even where private addresses are allowed.
 */
public final class AddressGuard {

    /** Resolution seam: production uses the system resolver, tests map names to literals without DNS. */
    @FunctionalInterface
    public interface HostResolver {
        InetAddress[] resolve(String host) throws UnknownHostException;

        /** The JDK resolver (honours the JVM's positive/negative DNS cache). */
        static HostResolver system() {
            return InetAddress::getAllByName;
        }
    }

    // RFC 1035 label syntax, plus '_' which appears in real internal names; anything else is rejected before DNS.
    private static final Pattern HOST_NAME =
            Pattern.compile("(?i)^(?=.{1,253}$)([a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)(\\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)*$");
    private static final Pattern IPV4_LITERAL = Pattern.compile("^\\d{1,3}(\\.\\d{1,3}){3}$");
    // 0-255 without leading zeros: the only IPv4 spelling every reader agrees on
    private static final Pattern IPV4_CANONICAL =
            Pattern.compile("^(0|[1-9]\\d?|1\\d\\d|2[0-4]\\d|25[0-5])(\\.(0|[1-9]\\d?|1\\d\\d|2[0-4]\\d|25[0-5])){3}$");
    // a last label that is a number (decimal, octal or hex): no DNS name ends so, inet_aton reads it as an address
    private static final Pattern NUMERIC_LAST_LABEL = Pattern.compile("(?i)(^|\\.)(0x[0-9a-f]*|[0-9]+)$");
    /** Refused by the AIA guard unless loopback and link-local are explicitly allowed for AIA. */
    private static final Set<AddressClass> AIA_LOCAL = Set.of(AddressClass.LOOPBACK, AddressClass.LINK_LOCAL);

    private final boolean allowPrivateAddresses;
    private final HostResolver resolver;
    private final Duration lookupTimeout;
    /** Classes refused on top of the private-address rule (the AIA guard's loopback and link-local). */
    private final Set<AddressClass> alsoRefused;
    private final String refusedBy;

    /** Production constructor: system resolver, DNS look-up bounded by the connect timeout. */
    public AddressGuard(ScannerSettings settings) {
        this(settings.allowPrivateAddresses(), HostResolver.system(), settings.connectTimeout());
    }

    public AddressGuard(boolean allowPrivateAddresses, HostResolver resolver, Duration lookupTimeout) {
        this(allowPrivateAddresses, resolver, lookupTimeout, Set.of(), "the scanner does not contact it");
    }

    private AddressGuard(boolean allowPrivateAddresses, HostResolver resolver, Duration lookupTimeout,
            Set<AddressClass> alsoRefused, String refusedBy) {
        this.allowPrivateAddresses = allowPrivateAddresses;
        this.resolver = Objects.requireNonNull(resolver, "resolver");
        this.lookupTimeout = Objects.requireNonNull(lookupTimeout, "lookupTimeout");
        this.alsoRefused = alsoRefused.isEmpty() ? Set.of() : EnumSet.copyOf(alsoRefused);
        this.refusedBy = refusedBy;
    }

    /**
     * The guard for AIA URLs: this guard (same resolver, same private-address rule) that also refuses loopback and
     * link-local addresses unless {@code allowLoopbackAndLinkLocal}; an AIA guard stays one whatever it is asked.
     */
    public AddressGuard forAia(boolean allowLoopbackAndLinkLocal) {
        Set<AddressClass> refused = EnumSet.noneOf(AddressClass.class);
        refused.addAll(alsoRefused);
        if (!allowLoopbackAndLinkLocal) {
            refused.addAll(AIA_LOCAL);
        }
        return new AddressGuard(allowPrivateAddresses, resolver, lookupTimeout, refused,
                "AIA fetches do not contact it");
    }

    public boolean allowsPrivateAddresses() {
        return allowPrivateAddresses;
    }

    /** {@code true} when this guard lets the scanner open a connection to {@code address}. */
    public boolean isAllowed(InetAddress address) {
        return refusal(address).isEmpty();
    }

    /** Human sentence explaining why {@code address} is refused, or empty when it is allowed. */
    public Optional<String> refusal(InetAddress address) {
        Objects.requireNonNull(address, "address");
        Classification c = classifyDetailed(address);
        boolean refused = c.addressClass.isNeverContactable()
                || (!allowPrivateAddresses && c.addressClass.isPrivateOrInternal())
                || alsoRefused.contains(c.addressClass);
        if (!refused) {
            return Optional.empty();
        }
        String text = address.getHostAddress() + " is " + c.addressClass.describe();
        if (c.embeddingNote != null) {
            text += " (" + c.embeddingNote + ")";
        }
        return Optional.of(text + "; " + (alsoRefused.contains(c.addressClass) ? refusedBy
                : "the scanner does not contact it"));
    }

    /**
     * Resolves {@code host} once (IP literals are parsed without DNS) and returns the addresses this guard allows,
     * in resolver order.
     *
     * @throws AddressGuardException DNS_FAILURE when the name is invalid, unknown or the look-up timed out;
     *                               BLOCKED_ADDRESS when it resolved but every address is refused
     */
    public List<InetAddress> resolve(String host) throws AddressGuardException {
        return resolve(host, lookupTimeout);
    }

    /**
     * {@link #resolve(String)} with the DNS look-up bounded by {@code maxWait} as well (the caller's deadline), never
     * by more than this guard's own look-up timeout.
     */
    public List<InetAddress> resolve(String host, Duration maxWait) throws AddressGuardException {
        String name = normalizeHost(host);
        Duration wait = maxWait.compareTo(lookupTimeout) < 0 ? maxWait : lookupTimeout;
        InetAddress[] all = lookup(name, wait.isNegative() || wait.isZero() ? Duration.ofMillis(1) : wait);
        List<InetAddress> allowed = new ArrayList<>(all.length);
        String firstRefusal = null;
        InetAddress firstRefused = null;
        for (InetAddress address : all) {
            Optional<String> refusal = refusal(address);
            if (refusal.isEmpty()) {
                allowed.add(address);
            } else if (firstRefusal == null) {
                firstRefusal = refusal.get();
                firstRefused = address;
            }
        }
        if (allowed.isEmpty()) {
            String detail = isIpLiteral(name)
                    ? "Address refused: " + firstRefusal + "."
                    : "Host " + name + " resolves only to refused addresses: " + firstRefusal + ".";
            throw new AddressGuardException(AddressGuardException.Reason.BLOCKED_ADDRESS, name, detail, firstRefused);
        }
        return List.copyOf(allowed);
    }

    /** Classifies any address, looking through IPv4-mapped, IPv4-compatible, NAT64, 6to4 and Teredo embeddings. */
    public static AddressClass classify(InetAddress address) {
        return classifyDetailed(address).addressClass;
    }

    /** {@code true} for IPv4 dotted quads and IPv6 literals (optionally bracketed): no DNS is needed and no SNI is sent. */
    public static boolean isIpLiteral(String host) {
        if (host == null || host.isEmpty()) {
            return false;
        }
        return host.indexOf(':') >= 0 || IPV4_LITERAL.matcher(host).matches();
    }

    // --- resolution ---------------------------------------------------------------------------------------

    private static String normalizeHost(String host) throws AddressGuardException {
        if (host == null || host.isBlank()) {
            throw new AddressGuardException(AddressGuardException.Reason.DNS_FAILURE, host, "No host name given.");
        }
        String h = host.trim();
        if (h.startsWith("[") && h.endsWith("]")) {
            h = h.substring(1, h.length() - 1);
        }
        if (h.endsWith(".") && !isIpLiteral(h)) {
            h = h.substring(0, h.length() - 1);
        }
        if (!isIpLiteral(h) && !HOST_NAME.matcher(h).matches()) {
            throw new AddressGuardException(AddressGuardException.Reason.DNS_FAILURE, h,
                    "'" + printable(h) + "' is not a valid host name.");
        }
        if (isAmbiguousNumeric(h)) {
            throw new AddressGuardException(AddressGuardException.Reason.BLOCKED_ADDRESS, h, "Address refused: '"
                    + printable(h) + "' is not a canonical IPv4 address (octal, hexadecimal and shortened forms are"
                    + " read as different addresses by different software); the scanner does not contact it.");
        }
        return h.toLowerCase(Locale.ROOT);
    }

    /**
     * {@code true} for a host that some reader takes for an IPv4 address but that is not a canonical dotted quad:
     * a last label that is a number (no DNS name has one), unless the whole host is {@code a.b.c.d} with each part
     * 0-255 and no leading zero. IPv6 literals are never ambiguous.
     */
    static boolean isAmbiguousNumeric(String host) {
        if (host.indexOf(':') >= 0) {
            return false;
        }
        String h = host.endsWith(".") ? host.substring(0, host.length() - 1) : host;
        return NUMERIC_LAST_LABEL.matcher(h).find() && !IPV4_CANONICAL.matcher(h).matches();
    }

    private InetAddress[] lookup(String name, Duration timeout) throws AddressGuardException {
        // RFC 6761: ".invalid" never resolves; answering locally keeps such targets fast and off the wire.
        if (name.equals("invalid") || name.endsWith(".invalid")) {
            throw new AddressGuardException(AddressGuardException.Reason.DNS_FAILURE, name,
                    "Host " + name + " could not be resolved (the .invalid domain never exists).");
        }
        if (isIpLiteral(name)) {
            // parsed, not looked up: nothing to bound, so no hand-off to the DNS pool
            try {
                InetAddress[] parsed = resolver.resolve(name);
                if (parsed == null || parsed.length == 0) {
                    throw new UnknownHostException(name);
                }
                return parsed;
            } catch (UnknownHostException e) {
                throw dnsFailure(name, e);
            }
        }
        Future<InetAddress[]> future = ScanThreads.DNS.submit(() -> resolver.resolve(name));
        try {
            InetAddress[] result = future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (result == null || result.length == 0) {
                throw new UnknownHostException(name);
            }
            return result;
        } catch (TimeoutException e) {
            // The JDK look-up cannot be interrupted; the DNS thread finishes on its own, the caller does not wait.
            future.cancel(true);
            throw new AddressGuardException(AddressGuardException.Reason.DNS_FAILURE, name,
                    "DNS look-up of " + name + " did not answer within " + timeout.toMillis() + " ms.");
        } catch (InterruptedException e) {
            future.cancel(true);
            Thread.currentThread().interrupt();
            throw new AddressGuardException(AddressGuardException.Reason.DNS_FAILURE, name,
                    "DNS look-up of " + name + " was interrupted.");
        } catch (ExecutionException e) {
            throw dnsFailure(name, e.getCause());
        } catch (UnknownHostException e) {
            throw dnsFailure(name, e);
        }
    }

    private static AddressGuardException dnsFailure(String name, Throwable cause) {
        String detail = isIpLiteral(name)
                ? "'" + name + "' is not a valid IP address."
                : "Host " + name + " could not be resolved.";
        if (!(cause instanceof UnknownHostException) && cause != null) {
            detail = "DNS look-up of " + name + " failed: " + ScanText.sentence(cause) + ".";
        }
        return new AddressGuardException(AddressGuardException.Reason.DNS_FAILURE, name, detail);
    }

    private static String printable(String s) {
        String cut = s.length() > 80 ? s.substring(0, 80) + "…" : s;
        return cut.replaceAll("\\p{Cntrl}", "?");
    }

    // --- classification ------------------------------------------------------------------------------------

    private record Classification(AddressClass addressClass, String embeddingNote) {
    }

    private static Classification classifyDetailed(InetAddress address) {
        if (address instanceof Inet4Address) {
            return new Classification(classifyV4(address.getAddress()), null);
        }
        if (address instanceof Inet6Address) {
            return classifyV6(address.getAddress());
        }
        // Unknown address family: refuse rather than guess.
        return new Classification(AddressClass.RESERVED, "unknown address family");
    }

    static AddressClass classifyV4(byte[] a) {
        int b0 = a[0] & 0xff;
        int b1 = a[1] & 0xff;
        int b2 = a[2] & 0xff;
        int b3 = a[3] & 0xff;
        if (b0 == 0 && b1 == 0 && b2 == 0 && b3 == 0) {
            return AddressClass.UNSPECIFIED;
        }
        if (b0 == 255 && b1 == 255 && b2 == 255 && b3 == 255) {
            return AddressClass.BROADCAST;
        }
        if (b0 == 127) {
            return AddressClass.LOOPBACK;
        }
        if (b0 == 10 || (b0 == 172 && (b1 & 0xf0) == 16) || (b0 == 192 && b1 == 168)) {
            return AddressClass.PRIVATE;
        }
        if (b0 == 100 && (b1 & 0xc0) == 64) {
            return AddressClass.SHARED_CGNAT;
        }
        if (b0 == 169 && b1 == 254) {
            return AddressClass.LINK_LOCAL;
        }
        if ((b0 & 0xf0) == 224) {
            return AddressClass.MULTICAST;
        }
        if (b0 == 0                                        // "this network"; Linux routes some of it locally
                || (b0 & 0xf0) == 240                          // reserved for future use
                || (b0 == 192 && b1 == 0 && b2 == 0)           // IETF protocol assignments
                || (b0 == 192 && b1 == 0 && b2 == 2)           // TEST-NET-1
                || (b0 == 198 && (b1 & 0xfe) == 18)            // benchmarking 198.18/15
                || (b0 == 198 && b1 == 51 && b2 == 100)        // TEST-NET-2
                || (b0 == 203 && b1 == 0 && b2 == 113)) {      // TEST-NET-3
            return AddressClass.RESERVED;
        }
        return AddressClass.PUBLIC;
    }

    private static Classification classifyV6(byte[] a) {
        boolean first80Zero = allZero(a, 0, 10);
        if (first80Zero && (a[10] & 0xff) == 0xff && (a[11] & 0xff) == 0xff) {
            return embedded(a, 12, "IPv4-mapped IPv6 form of ");
        }
        if (first80Zero && a[10] == 0 && a[11] == 0) {
            if (allZero(a, 12, 15) && a[15] == 0) {
                return new Classification(AddressClass.UNSPECIFIED, null);
            }
            if (allZero(a, 12, 15) && a[15] == 1) {
                return new Classification(AddressClass.LOOPBACK, null);
            }
            return embedded(a, 12, "IPv4-compatible IPv6 form of ");
        }
        int w0 = ((a[0] & 0xff) << 8) | (a[1] & 0xff);
        int w1 = ((a[2] & 0xff) << 8) | (a[3] & 0xff);
        int w2 = ((a[4] & 0xff) << 8) | (a[5] & 0xff);
        if (w0 == 0x0064 && w1 == 0xff9b && allZero(a, 4, 12)) {
            return embedded(a, 12, "NAT64 64:ff9b::/96 form of ");
        }
        if (w0 == 0x0064 && w1 == 0xff9b && w2 == 0x0001) {
            return new Classification(AddressClass.RESERVED, "local-use NAT64 prefix 64:ff9b:1::/48");
        }
        if (w0 == 0x2002) {
            return embedded(a, 2, "6to4 2002::/16 form of ");
        }
        if (w0 == 0x2001 && w1 == 0x0000) {
            // Teredo: the client's IPv4 address is stored inverted in the last 32 bits.
            byte[] client = new byte[4];
            for (int i = 0; i < 4; i++) {
                client[i] = (byte) ~a[12 + i];
            }
            AddressClass c = classifyV4(client);
            if (c != AddressClass.PUBLIC) {
                return new Classification(c, "Teredo form of " + v4Text(client));
            }
            return embedded(a, 4, "Teredo server ");
        }
        if (w0 == 0x2001 && w1 == 0x0db8) {
            return new Classification(AddressClass.RESERVED, "IPv6 documentation prefix");
        }
        if (w0 == 0x0100 && w1 == 0 && w2 == 0 && a[6] == 0 && a[7] == 0) {
            return new Classification(AddressClass.RESERVED, "IPv6 discard-only prefix");
        }
        if ((a[0] & 0xfe) == 0xfc) {
            return new Classification(AddressClass.PRIVATE, "IPv6 unique-local fc00::/7");
        }
        if ((a[0] & 0xff) == 0xfe && (a[1] & 0xc0) == 0x80) {
            return new Classification(AddressClass.LINK_LOCAL, null);
        }
        if ((a[0] & 0xff) == 0xfe && (a[1] & 0xc0) == 0xc0) {
            return new Classification(AddressClass.PRIVATE, "deprecated IPv6 site-local fec0::/10");
        }
        if ((a[0] & 0xff) == 0xff) {
            return new Classification(AddressClass.MULTICAST, null);
        }
        return new Classification(AddressClass.PUBLIC, null);
    }

    private static Classification embedded(byte[] a, int offset, String note) {
        byte[] v4 = new byte[] {a[offset], a[offset + 1], a[offset + 2], a[offset + 3]};
        AddressClass c = classifyV4(v4);
        return new Classification(c, c == AddressClass.PUBLIC ? null : note + v4Text(v4));
    }

    private static boolean allZero(byte[] a, int from, int to) {
        for (int i = from; i < to; i++) {
            if (a[i] != 0) {
                return false;
            }
        }
        return true;
    }

    private static String v4Text(byte[] v4) {
        return (v4[0] & 0xff) + "." + (v4[1] & 0xff) + "." + (v4[2] & 0xff) + "." + (v4[3] & 0xff);
    }
}
