package org.trustfleet.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.util.List;
import java.util.UUID;
import org.trustfleet.core.NameCursor;
import org.trustfleet.core.Require;
import org.trustfleet.payload.ExportService;
import org.trustfleet.policy.DeviceGroup;
import org.trustfleet.policy.DeviceGroupInput;
import org.trustfleet.policy.DeviceGroupService;
import org.trustfleet.policy.GroupRequirements;
import org.trustfleet.policy.RequirementsService;
import org.trustfleet.tenant.Role;

/** A tenant's device groups and their computed requirements. */
@Path("/api/v1/tenants/{tenantId}/device-groups")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class DeviceGroupResource {
    private final DeviceGroupService groups;
    private final RequirementsService requirements;
    private final ExportService exports;

    public DeviceGroupResource(DeviceGroupService groups, RequirementsService requirements, ExportService exports) {
        this.groups = groups;
        this.requirements = requirements;
        this.exports = exports;
    }

    /** By name, paged by cursor: a full page carries {@code Link: <…?after=<cursor>&limit=n>; rel="next"}. */
    @GET
    @Allow({Role.ADMIN, Role.CONSOLE})
    public Response list(@PathParam("tenantId") UUID tenantId, @QueryParam("limit") String limit,
            @QueryParam("after") String after, UriInfo uri) {
        Integer n = Require.wholeNumber(limit, "limit");
        List<DeviceGroup> page = groups.list(tenantId, n, NameCursor.parse(after).orElse(null));
        DeviceGroup last = page.isEmpty() ? null : page.get(page.size() - 1);
        return Paging.page(page, n == null ? DeviceGroupService.DEFAULT_LIST_LIMIT : n, uri,
                last == null ? null : new NameCursor(last.name(), last.id()).encode());
    }

    @POST
    @Allow(Role.ADMIN)
    public Response create(@PathParam("tenantId") UUID tenantId, DeviceGroupInput body, UriInfo uri) {
        DeviceGroup group = groups.create(tenantId, Bodies.required(body));
        return Response.created(uri.getAbsolutePathBuilder().path(group.id().toString()).build()).entity(group)
                .build();
    }

    @GET
    @Path("/{groupId}")
    @Allow({Role.ADMIN, Role.CONSOLE})
    public DeviceGroup get(@PathParam("tenantId") UUID tenantId, @PathParam("groupId") String groupId) {
        return groups.get(tenantId, Require.id(groupId, "device group"));
    }

    @PUT
    @Path("/{groupId}")
    @Allow(Role.ADMIN)
    public DeviceGroup replace(@PathParam("tenantId") UUID tenantId, @PathParam("groupId") String groupId,
            DeviceGroupInput body) {
        return groups.replace(tenantId, Require.id(groupId, "device group"), Bodies.required(body));
    }

    @DELETE
    @Path("/{groupId}")
    @Allow(Role.ADMIN)
    public Response delete(@PathParam("tenantId") UUID tenantId, @PathParam("groupId") String groupId) {
        groups.delete(tenantId, Require.id(groupId, "device group"));
        return Response.noContent().build();
    }

    @GET
    @Path("/{groupId}/payload-definition")
    @Produces({MediaType.APPLICATION_JSON, "application/x-onc", "application/x-pem-file", "application/pkix-cert",
            "application/pkcs7-mime", "application/zip", MediaType.WILDCARD})
    @Allow({Role.ADMIN, Role.CONSOLE})
    public Response payloadDefinition(@PathParam("tenantId") UUID tenantId, @PathParam("groupId") String groupId,
            @QueryParam("format") String format, @QueryParam("sha256") String sha256,
            @QueryParam("assignTo") String assignTo, @HeaderParam(HttpHeaders.IF_NONE_MATCH) String ifNoneMatch) {
        ExportService.Export export = exports.export(tenantId, Require.id(groupId, "device group"), format, sha256,
                assignTo);
        String tag = EntityTags.strong(export.etag());
        if (EntityTags.matchesCurrent(ifNoneMatch, export.etag())) {
            return Response.notModified().header(HttpHeaders.ETAG, tag)
                    .header("X-Trustfleet-Requirements-Version", export.version()).build();
        }
        Response.ResponseBuilder response = Response.ok(export.rendered().body(), export.rendered().mediaType())
                .header("Content-Disposition", "attachment; filename=\"" + export.rendered().fileName() + "\"")
                .header("X-Trustfleet-Requirements-Version", export.version())
                .header(HttpHeaders.ETAG, tag);
        if (export.rendered().transferEncoding() != null) {
            response.header("Content-Transfer-Encoding", export.rendered().transferEncoding());
        }
        return response.build();
    }

    @POST
    @Path("/{groupId}/amapi-policy")
    @Allow({Role.ADMIN, Role.CONSOLE})
    public ExportService.AmapiPolicyMerge amapiPolicy(@PathParam("tenantId") UUID tenantId,
            @PathParam("groupId") String groupId, JsonNode policy) {
        return exports.mergeAmapiPolicy(tenantId, Require.id(groupId, "device group"), Bodies.required(policy));
    }

    @POST
    @Path("/{groupId}/intune-batch")
    @Allow({Role.ADMIN, Role.CONSOLE})
    public List<ObjectNode> intuneBatch(@PathParam("tenantId") UUID tenantId, @PathParam("groupId") String groupId,
            @QueryParam("assignTo") String assignTo, JsonNode listing) {
        return exports.intuneBatch(tenantId, Require.id(groupId, "device group"), assignTo,
                Bodies.required(listing));
    }

    @GET
    @Path("/{groupId}/requirements/changes")
    @Allow({Role.ADMIN, Role.CONSOLE})
    public ExportService.RequirementChanges requirementChanges(@PathParam("tenantId") UUID tenantId,
            @PathParam("groupId") String groupId, @QueryParam("since") String since) {
        return exports.changes(tenantId, Require.id(groupId, "device group"), since);
    }

    @GET
    @Path("/{groupId}/requirements")
    @Allow({Role.ADMIN, Role.CONSOLE})
    public GroupRequirements requirements(@PathParam("tenantId") UUID tenantId,
            @PathParam("groupId") String groupId) {
        return requirements.current(tenantId, Require.id(groupId, "device group"));
    }
}
