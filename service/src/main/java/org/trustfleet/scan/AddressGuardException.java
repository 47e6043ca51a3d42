package org.trustfleet.scan;

import java.net.InetAddress;
import java.util.Objects;
import java.util.Optional;

/** Why {@link AddressGuard#resolve(String)} produced no contactable address: DNS failed, or every address was refused. */
public final class AddressGuardException extends Exception {

    private static final long serialVersionUID = 1L;

    /** The two distinct outcomes the scan result must keep apart. */
    public enum Reason { DNS_FAILURE, BLOCKED_ADDRESS }

    private final Reason reason;
    private final String host;
    private final transient InetAddress refusedAddress;

    public AddressGuardException(Reason reason, String host, String detail) {
        this(reason, host, detail, null);
    }

    public AddressGuardException(Reason reason, String host, String detail, InetAddress refusedAddress) {
        // No cause and no stack trace: the message is shown to admins and the stack has no value.
        super(Objects.requireNonNull(detail, "detail"), null, false, false);
        this.reason = Objects.requireNonNull(reason, "reason");
        this.host = host;
        this.refusedAddress = refusedAddress;
    }

    /** For BLOCKED_ADDRESS: the first refused address, so results can still say what the name pointed at. */
    public Optional<InetAddress> refusedAddress() {
        return Optional.ofNullable(refusedAddress);
    }

    public Reason reason() {
        return reason;
    }

    public String host() {
        return host;
    }

    /** Human sentence suitable for a scan result's error detail. */
    public String detail() {
        return getMessage();
    }
}
