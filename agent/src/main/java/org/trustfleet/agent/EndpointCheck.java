package org.trustfleet.agent;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import org.json.JSONArray;
import org.json.JSONObject;

/**
 * What the device found when it connected to one endpoint: one entry of {@code POST /api/v1/device/verifications}
 * ({@code results[]}). {@code detail} is the validator's reason for UNTRUSTED, or one of the {@code DETAIL_*} codes
 * for UNREACHABLE; {@code chain} (DER, leaf first) is the chain the device received, kept only for UNTRUSTED.
 */
public final class EndpointCheck {

    /** The three answers a device can give about an endpoint. */
    public enum Outcome {
        /** The handshake completed with the platform's trust manager: the device trusts the endpoint. */
        TRUSTED,
        /** The server answered, and the device's validator rejected its chain. */
        UNTRUSTED,
        /** No TLS handshake could be judged: refused, timed out, name not resolved, TLS failure, unknown protocol. */
        UNREACHABLE
    }

    /** Connection refused (or no route to the host). */
    public static final String DETAIL_REFUSED = "REFUSED";
    /** No answer within the timeout (connect or handshake). */
    public static final String DETAIL_TIMEOUT = "TIMEOUT";
    /** The host name does not resolve on the device's network. */
    public static final String DETAIL_DNS = "DNS";
    /** The TLS handshake failed before the chain was judged (protocol versions, ciphers, a reset). */
    public static final String DETAIL_TLS_ERROR = "TLS_ERROR";
    /** The endpoint's protocol is not one this agent can check. */
    public static final String DETAIL_UNSUPPORTED_PROTOCOL = "UNSUPPORTED_PROTOCOL";
    /** Longest detail sent (the wire limit). */
    public static final int MAX_DETAIL = 500;
    /** Most chain certificates sent (the wire limit). */
    public static final int MAX_CHAIN = 20;

    private final UUID endpointId;
    private final Outcome outcome;
    private final String detail;
    private final List<byte[]> chain;

    public EndpointCheck(UUID endpointId, Outcome outcome, String detail, List<byte[]> chain) {
        this.endpointId = Objects.requireNonNull(endpointId, "endpointId");
        this.outcome = Objects.requireNonNull(outcome, "outcome");
        String d = detail == null ? "" : detail.replaceAll("\\p{Cntrl}", " ");
        this.detail = d.length() > MAX_DETAIL ? d.substring(0, MAX_DETAIL - 3) + "..." : d;
        List<byte[]> c = new ArrayList<byte[]>();
        if (outcome == Outcome.UNTRUSTED && chain != null) {
            for (byte[] der : chain) {
                if (c.size() < MAX_CHAIN) {
                    c.add(der.clone());
                }
            }
        }
        this.chain = Collections.unmodifiableList(c);
    }

    public UUID endpointId() { return endpointId; }
    public Outcome outcome() { return outcome; }
    public String detail() { return detail; }
    /** DER of the received chain, leaf first (UNTRUSTED only; empty otherwise). */
    public List<byte[]> chain() { return chain; }

    JSONObject toJson() {
        JSONObject o = new JSONObject().put("endpointId", endpointId.toString()).put("outcome", outcome.name())
                .put("detail", detail);
        if (outcome == Outcome.UNTRUSTED) {
            JSONArray a = new JSONArray();
            for (byte[] der : chain) {
                a.put(Certs.base64(der));
            }
            o.put("chain", a);
        }
        return o;
    }

    @Override
    public String toString() {
        return endpointId + " " + outcome + (detail.isEmpty() ? "" : " (" + detail + ")");
    }
}
