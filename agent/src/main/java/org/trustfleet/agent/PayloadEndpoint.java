package org.trustfleet.agent;

import java.util.Locale;
import java.util.Objects;
import java.util.UUID;
import org.json.JSONObject;

/**
 * One entry of the payload's {@code endpoints[]}: a sign-in endpoint of the device's group that the agent opens a
 * TLS connection to after reconciling, to learn whether the device itself now trusts it.
 */
public final class PayloadEndpoint {

    /** The only protocol this agent can check; others are reported as unreachable with {@code UNSUPPORTED_PROTOCOL}. */
    public static final String TLS = "tls";

    private final UUID endpointId;
    private final String host;
    private final int port;
    private final String serverName;
    private final String protocol;

    public PayloadEndpoint(UUID endpointId, String host, int port, String serverName, String protocol) {
        this.endpointId = Objects.requireNonNull(endpointId, "endpointId");
        this.host = Objects.requireNonNull(host, "host");
        if (host.isEmpty() || port < 1 || port > 65535) {
            throw new IllegalArgumentException("endpoint " + endpointId + " has no host or an invalid port");
        }
        this.port = port;
        this.serverName = serverName == null || serverName.isEmpty() ? null : serverName;
        this.protocol = protocol == null ? TLS : protocol.toLowerCase(Locale.ROOT);
    }

    public UUID endpointId() { return endpointId; }
    public String host() { return host; }
    public int port() { return port; }
    /** The SNI name, or null when the endpoint has none. */
    public String serverName() { return serverName; }
    public String protocol() { return protocol; }

    JSONObject toJson() {
        return new JSONObject().put("endpointId", endpointId.toString()).put("host", host).put("port", port)
                .put("serverName", serverName == null ? JSONObject.NULL : serverName).put("protocol", protocol);
    }

    static PayloadEndpoint fromJson(JSONObject o) {
        Object port = o.opt("port");
        if (!(port instanceof Integer)) {
            throw new IllegalArgumentException("endpoint port must be an integer");
        }
        return new PayloadEndpoint(UUID.fromString(Json.text(o, "endpointId")), Json.text(o, "host"),
                ((Integer) port).intValue(), Json.optText(o, "serverName"), Json.optText(o, "protocol"));
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof PayloadEndpoint)) {
            return false;
        }
        PayloadEndpoint e = (PayloadEndpoint) o;
        return e.endpointId.equals(endpointId) && e.host.equals(host) && e.port == port
                && Objects.equals(e.serverName, serverName) && e.protocol.equals(protocol);
    }

    @Override
    public int hashCode() {
        return Objects.hash(endpointId, host, port, serverName, protocol);
    }

    @Override
    public String toString() {
        return host + ":" + port + (serverName == null ? "" : " (SNI " + serverName + ")");
    }
}
