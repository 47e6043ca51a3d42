package org.trustfleet.web;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.time.Instant;
import java.util.UUID;
import org.trustfleet.scan.ChainCheckResult;
import org.trustfleet.scan.ChainCheckService;
import org.trustfleet.tenant.Role;

/** Pasted-chain checks: a scan's judgement of a chain the scanner cannot fetch itself; nothing is stored. */
@Path("/api/v1/tenants/{tenantId}/chain-checks")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class ChainCheckResource {
    /** Body of {@code POST /chain-checks}: the chain as PEM (leaf first), the name to verify, the instant to judge at. */
    public record ChainCheckInput(String chain, String serverName, Instant at) {}

    private final ChainCheckService checks;

    public ChainCheckResource(ChainCheckService checks) {
        this.checks = checks;
    }

    @POST
    @Allow({Role.ADMIN, Role.CONSOLE})
    public ChainCheckResult check(@PathParam("tenantId") UUID tenantId, ChainCheckInput body) {
        ChainCheckInput input = Bodies.required(body);
        return checks.check(tenantId, input.chain(), input.serverName(), input.at());
    }
}
