package org.trustfleet.console;

import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.CookieParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import org.jboss.resteasy.reactive.RestForm;
import org.jboss.resteasy.reactive.multipart.FileUpload;
import org.trustfleet.core.ErrorKind;
import org.trustfleet.core.Require;
import org.trustfleet.core.TrustfleetException;
import org.trustfleet.device.DeviceService;
import org.trustfleet.device.EnrollmentService;
import org.trustfleet.device.EnrollmentTokenInput;
import org.trustfleet.device.IssuedEnrollmentToken;
import org.trustfleet.payload.ExportService;
import org.trustfleet.policy.DeviceGroupInput;
import org.trustfleet.policy.DeviceGroupService;
import org.trustfleet.scan.EndpointInput;
import org.trustfleet.scan.EndpointService;
import org.trustfleet.scan.ScanService;
import org.trustfleet.tenant.Caller;
import org.trustfleet.tenant.Role;
import org.trustfleet.tenant.TenantService;
import org.trustfleet.truststore.AnchorService;
import org.trustfleet.web.Allow;
import org.trustfleet.web.CallerContext;

/**
 * The console's tenant pages, one bookmarkable URL each under {@code /console/tenants/{tenantId}}. Thin: each page
 * asks {@link ConsoleViews} (reads) or one service (writes) and renders a template. The tenant in the path is
 * checked by the same access filter as the API's (a foreign or unknown tenant is 404); child ids are looked up by
 * tenant and id in the services, so another tenant's endpoint, group or device is also 404. Every POST checks the
 * session's CSRF token first ({@link ConsoleSessions#requireCsrf}); reads are open to the operator and to the
 * tenant's admin and console keys, writes to admin keys, as in the API.
 */
@Path("/console/tenants/{tenantId}")
@Produces(MediaType.TEXT_HTML)
public class TenantPages {
    private static final String SESSION = ConsoleAccess.SESSION_COOKIE;

    private final ConsoleViews views;
    private final CallerContext callers;
    private final TenantService tenants;
    private final EndpointService endpoints;
    private final ScanService scans;
    private final DeviceGroupService groups;
    private final ExportService exports;
    private final DeviceService devices;
    private final EnrollmentService enrollment;
    private final AnchorService anchors;

    public TenantPages(ConsoleViews views, CallerContext callers, TenantService tenants, EndpointService endpoints,
            ScanService scans, DeviceGroupService groups, ExportService exports, DeviceService devices,
            EnrollmentService enrollment, AnchorService anchors) {
        this.views = views;
        this.callers = callers;
        this.tenants = tenants;
        this.endpoints = endpoints;
        this.scans = scans;
        this.groups = groups;
        this.exports = exports;
        this.devices = devices;
        this.enrollment = enrollment;
        this.anchors = anchors;
    }

    @CheckedTemplate(basePath = "console", requireTypeSafeExpressions = false)
    static class Templates {
        static native TemplateInstance overview(Views.Chrome chrome, Views.Overview page);

        static native TemplateInstance endpoints(Views.Chrome chrome, Views.Matrix page);

        static native TemplateInstance endpoints$table(Views.Chrome chrome, Views.Matrix page);

        static native TemplateInstance endpoint(Views.Chrome chrome, Views.EndpointDetail page);

        static native TemplateInstance groups(Views.Chrome chrome, List<Views.GroupRow> page, List<Views.Level> levels);

        static native TemplateInstance group(Views.Chrome chrome, Views.GroupDetail page);

        static native TemplateInstance devices(Views.Chrome chrome, Views.DeviceTable page);

        static native TemplateInstance device(Views.Chrome chrome, Views.DeviceDetail page);

        static native TemplateInstance enrollment(Views.Chrome chrome, Views.Enrollment page);

        static native TemplateInstance anchors(Views.Chrome chrome, List<Views.AnchorRow> page);

        static native TemplateInstance drift(Views.Chrome chrome, Views.Drift page);
    }

    // ---- overview and drift

    @GET
    @Allow({Role.OPERATOR, Role.ADMIN, Role.CONSOLE})
    public TemplateInstance overview(@PathParam("tenantId") UUID tenantId, @CookieParam(SESSION) String session) {
        return Templates.overview(chrome(tenantId, session, "overview"), views.overview(tenantId));
    }

    @GET
    @Path("/drift")
    @Allow({Role.OPERATOR, Role.ADMIN, Role.CONSOLE})
    public TemplateInstance drift(@PathParam("tenantId") UUID tenantId, @CookieParam(SESSION) String session) {
        return Templates.drift(chrome(tenantId, session, "drift"), views.drift(tenantId));
    }

    // ---- endpoints

    @GET
    @Path("/endpoints")
    @Allow({Role.OPERATOR, Role.ADMIN, Role.CONSOLE})
    public TemplateInstance endpoints(@PathParam("tenantId") UUID tenantId, @CookieParam(SESSION) String session,
            @QueryParam("sort") String sort, @QueryParam("q") String filter, @QueryParam("failing") String failing,
            @QueryParam("page") String pageNumber, @HeaderParam("HX-Request") String htmx) {
        Integer number = number(pageNumber);
        Views.Matrix page = views.matrix(tenantId, sort, filter, "true".equals(failing), number == null ? 1 : number);
        Views.Chrome chrome = chrome(tenantId, session, "endpoints");
        // htmx asks for the table only when the filter or sort changes; without script the whole page is served
        return htmx != null ? Templates.endpoints$table(chrome, page) : Templates.endpoints(chrome, page);
    }

    @POST
    @Path("/endpoints")
    @Allow(Role.ADMIN)
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response addEndpoint(@PathParam("tenantId") UUID tenantId, @CookieParam(SESSION) String session,
            @RestForm String csrf, @RestForm String name, @RestForm String host, @RestForm String port,
            @RestForm String serverName, @RestForm String scanIntervalMinutes, @RestForm String protocol) {
        ConsoleSessions.requireCsrf(session, csrf);
        try {
            UUID id = endpoints.create(tenantId, endpointInput(name, host, port, serverName, scanIntervalMinutes,
                    protocol)).id();
            return seeOther(tenantId, "/endpoints/" + id);
        } catch (TrustfleetException | jakarta.validation.ConstraintViolationException e) {
            Views.Chrome chrome = chrome(tenantId, session, "endpoints").withMessage(message(e));
            return Response.status(status(e)).entity(Templates.endpoints(chrome,
                    views.matrix(tenantId, null, null, false, 1))).build();
        }
    }

    @GET
    @Path("/endpoints/{endpointId}")
    @Allow({Role.OPERATOR, Role.ADMIN, Role.CONSOLE})
    public TemplateInstance endpoint(@PathParam("tenantId") UUID tenantId, @PathParam("endpointId") String endpointId,
            @CookieParam(SESSION) String session) {
        return Templates.endpoint(chrome(tenantId, session, "endpoints"),
                views.endpoint(tenantId, Require.id(endpointId, "endpoint")));
    }

    @POST
    @Path("/endpoints/{endpointId}")
    @Allow(Role.ADMIN)
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response editEndpoint(@PathParam("tenantId") UUID tenantId, @PathParam("endpointId") String endpointId,
            @CookieParam(SESSION) String session, @RestForm String csrf, @RestForm String name,
            @RestForm String host, @RestForm String port, @RestForm String serverName,
            @RestForm String scanIntervalMinutes, @RestForm String protocol) {
        ConsoleSessions.requireCsrf(session, csrf);
        UUID id = Require.id(endpointId, "endpoint");
        try {
            endpoints.replace(tenantId, id, endpointInput(name, host, port, serverName, scanIntervalMinutes,
                    protocol));
            return seeOther(tenantId, "/endpoints/" + id);
        } catch (TrustfleetException | jakarta.validation.ConstraintViolationException e) {
            if (e instanceof TrustfleetException t && t.kind() == ErrorKind.NOT_FOUND) {
                throw t;
            }
            Views.Chrome chrome = chrome(tenantId, session, "endpoints").withMessage(message(e));
            return Response.status(status(e)).entity(Templates.endpoint(chrome, views.endpoint(tenantId, id))).build();
        }
    }

    @POST
    @Path("/endpoints/{endpointId}/delete")
    @Allow(Role.ADMIN)
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response deleteEndpoint(@PathParam("tenantId") UUID tenantId, @PathParam("endpointId") String endpointId,
            @CookieParam(SESSION) String session, @RestForm String csrf) {
        ConsoleSessions.requireCsrf(session, csrf);
        endpoints.delete(tenantId, Require.id(endpointId, "endpoint"));
        return seeOther(tenantId, "/endpoints");
    }

    @POST
    @Path("/endpoints/{endpointId}/scan")
    @Allow(Role.ADMIN)
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response scanNow(@PathParam("tenantId") UUID tenantId, @PathParam("endpointId") String endpointId,
            @CookieParam(SESSION) String session, @RestForm String csrf) {
        ConsoleSessions.requireCsrf(session, csrf);
        UUID id = Require.id(endpointId, "endpoint");
        scans.scanNow(tenantId, id);
        return seeOther(tenantId, "/endpoints/" + id);
    }

    // ---- device groups

    @GET
    @Path("/device-groups")
    @Allow({Role.OPERATOR, Role.ADMIN, Role.CONSOLE})
    public TemplateInstance groups(@PathParam("tenantId") UUID tenantId, @CookieParam(SESSION) String session) {
        return Templates.groups(chrome(tenantId, session, "groups"), views.groups(tenantId), List.of());
    }

    @POST
    @Path("/device-groups")
    @Allow(Role.ADMIN)
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response addGroup(@PathParam("tenantId") UUID tenantId, @CookieParam(SESSION) String session,
            @RestForm String csrf, @RestForm String name, @RestForm String minApiLevel,
            @RestForm String maxApiLevel, @RestForm String managementMode, @RestForm List<String> endpointIds) {
        ConsoleSessions.requireCsrf(session, csrf);
        try {
            List<UUID> ids = endpointIds == null ? List.of() : endpointIds.stream().filter(s -> !s.isBlank())
                    .map(s -> Require.id(s, "endpoint")).toList();
            DeviceGroupInput input = new DeviceGroupInput(name, number(minApiLevel), number(maxApiLevel),
                    managementMode == null || managementMode.isBlank() ? null : managementMode, ids, List.of(),
                    List.of());
            UUID id = groups.create(tenantId, input).id();
            return seeOther(tenantId, "/device-groups/" + id);
        } catch (TrustfleetException | jakarta.validation.ConstraintViolationException e) {
            Views.Chrome chrome = chrome(tenantId, session, "groups").withMessage(message(e));
            return Response.status(status(e)).entity(Templates.groups(chrome, views.groups(tenantId), List.of()))
                    .build();
        }
    }

    @GET
    @Path("/device-groups/{groupId}")
    @Allow({Role.OPERATOR, Role.ADMIN, Role.CONSOLE})
    public TemplateInstance group(@PathParam("tenantId") UUID tenantId, @PathParam("groupId") String groupId,
            @CookieParam(SESSION) String session) {
        return Templates.group(chrome(tenantId, session, "groups"),
                views.group(tenantId, Require.id(groupId, "device group")));
    }

    /** A group's certificates in one of the console export formats, as a file download. */
    @GET
    @Path("/device-groups/{groupId}/export")
    @Produces(MediaType.WILDCARD)
    @Allow({Role.OPERATOR, Role.ADMIN, Role.CONSOLE})
    public Response export(@PathParam("tenantId") UUID tenantId, @PathParam("groupId") String groupId,
            @QueryParam("format") String format) {
        ExportService.Export export = exports.export(tenantId, Require.id(groupId, "device group"), format, null, null);
        return Response.ok(export.rendered().body(), export.rendered().mediaType())
                .header("Content-Disposition", "attachment; filename=\"" + export.rendered().fileName() + "\"")
                .build();
    }

    @POST
    @Path("/device-groups/{groupId}/delete")
    @Allow(Role.ADMIN)
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response deleteGroup(@PathParam("tenantId") UUID tenantId, @PathParam("groupId") String groupId,
            @CookieParam(SESSION) String session, @RestForm String csrf) {
        ConsoleSessions.requireCsrf(session, csrf);
        groups.delete(tenantId, Require.id(groupId, "device group"));
        return seeOther(tenantId, "/device-groups");
    }

    // ---- devices

    @GET
    @Path("/devices")
    @Allow({Role.OPERATOR, Role.ADMIN, Role.CONSOLE})
    public TemplateInstance devices(@PathParam("tenantId") UUID tenantId, @CookieParam(SESSION) String session,
            @QueryParam("state") String state, @QueryParam("group") String group, @QueryParam("after") String after) {
        UUID groupId = group == null || group.isBlank() ? null : Require.id(group, "device group");
        UUID afterId = after == null || after.isBlank() ? null : Require.id(after, "device");
        String wanted = state == null || state.isBlank() ? null : state.strip().toUpperCase(Locale.ROOT);
        return Templates.devices(chrome(tenantId, session, "devices"),
                views.devices(tenantId, wanted, groupId, afterId));
    }

    @GET
    @Path("/devices/{deviceId}")
    @Allow({Role.OPERATOR, Role.ADMIN, Role.CONSOLE})
    public TemplateInstance device(@PathParam("tenantId") UUID tenantId, @PathParam("deviceId") String deviceId,
            @CookieParam(SESSION) String session) {
        return Templates.device(chrome(tenantId, session, "devices"),
                views.device(tenantId, Require.id(deviceId, "device")));
    }

    @POST
    @Path("/devices/{deviceId}/revoke")
    @Allow(Role.ADMIN)
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response revokeDevice(@PathParam("tenantId") UUID tenantId, @PathParam("deviceId") String deviceId,
            @CookieParam(SESSION) String session, @RestForm String csrf) {
        ConsoleSessions.requireCsrf(session, csrf);
        UUID id = Require.id(deviceId, "device");
        devices.revoke(tenantId, id);
        return seeOther(tenantId, "/devices/" + id);
    }

    // ---- enrollment

    @GET
    @Path("/enrollment")
    @Allow({Role.OPERATOR, Role.ADMIN, Role.CONSOLE})
    public TemplateInstance enrollment(@PathParam("tenantId") UUID tenantId, @CookieParam(SESSION) String session) {
        return Templates.enrollment(chrome(tenantId, session, "enrollment"),
                new Views.Enrollment(views.tokens(tenantId), views.groups(tenantId), null));
    }

    /** Creates a token and shows it once, with its QR code; the page is not cached (Cache-Control: no-store). */
    @POST
    @Path("/enrollment")
    @Allow(Role.ADMIN)
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response createToken(@PathParam("tenantId") UUID tenantId, @CookieParam(SESSION) String session,
            @RestForm String csrf, @RestForm String deviceGroupId, @RestForm String expiresInHours,
            @RestForm String maxUses, @Context UriInfo uri) {
        ConsoleSessions.requireCsrf(session, csrf);
        Views.Chrome chrome = chrome(tenantId, session, "enrollment");
        try {
            Integer hours = number(expiresInHours);
            IssuedEnrollmentToken issued = enrollment.issue(tenantId, new EnrollmentTokenInput(
                    deviceGroupId == null || deviceGroupId.isBlank() ? null : Require.id(deviceGroupId, "device group"),
                    hours == null ? null : (int) Math.min(Integer.MAX_VALUE, hours * 3600L), number(maxUses)));
            String enrollUrl = uri.getBaseUri().resolve("/api/v1/enroll").toString();
            String qrText = "{\"enrollUrl\":\"" + enrollUrl + "\",\"enrollmentToken\":\"" + issued.token() + "\"}";
            Views.NewToken created = new Views.NewToken(issued.token(), enrollUrl, QrCodes.svg(qrText),
                    issued.expiresAt(), issued.maxUses());
            return Response.status(Response.Status.CREATED).entity(Templates.enrollment(chrome,
                    new Views.Enrollment(views.tokens(tenantId), views.groups(tenantId), created))).build();
        } catch (TrustfleetException | jakarta.validation.ConstraintViolationException e) {
            return Response.status(status(e)).entity(Templates.enrollment(chrome.withMessage(message(e)),
                    new Views.Enrollment(views.tokens(tenantId), views.groups(tenantId), null))).build();
        }
    }

    @POST
    @Path("/enrollment/{tokenId}/revoke")
    @Allow(Role.ADMIN)
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response revokeToken(@PathParam("tenantId") UUID tenantId, @PathParam("tokenId") String tokenId,
            @CookieParam(SESSION) String session, @RestForm String csrf) {
        ConsoleSessions.requireCsrf(session, csrf);
        enrollment.revoke(tenantId, Require.id(tokenId, "enrollment token"));
        return seeOther(tenantId, "/enrollment");
    }

    // ---- anchors

    @GET
    @Path("/anchors")
    @Allow({Role.OPERATOR, Role.ADMIN, Role.CONSOLE})
    public TemplateInstance anchors(@PathParam("tenantId") UUID tenantId, @CookieParam(SESSION) String session) {
        return Templates.anchors(chrome(tenantId, session, "anchors"), anchorRows(tenantId));
    }

    /** Adds anchors from pasted PEM text or an uploaded PEM file (either or both). */
    @POST
    @Path("/anchors")
    @Allow(Role.ADMIN)
    @Consumes(MediaType.MULTIPART_FORM_DATA)
    public Response addAnchors(@PathParam("tenantId") UUID tenantId, @CookieParam(SESSION) String session,
            @RestForm String csrf, @RestForm String pem, @RestForm("file") FileUpload file, @RestForm String note) {
        ConsoleSessions.requireCsrf(session, csrf);
        StringBuilder text = new StringBuilder(pem == null ? "" : pem);
        if (file != null && file.uploadedFile() != null && file.size() > 0) {
            try {
                text.append('\n').append(Files.readString(file.uploadedFile(), StandardCharsets.US_ASCII));
            } catch (java.nio.charset.MalformedInputException e) {
                throw TrustfleetException.validation("the file is not a PEM text file");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        try {
            anchors.add(tenantId, text.toString(), note == null || note.isBlank() ? null : note);
            return seeOther(tenantId, "/anchors");
        } catch (TrustfleetException | jakarta.validation.ConstraintViolationException e) {
            return Response.status(status(e)).entity(Templates.anchors(
                    chrome(tenantId, session, "anchors").withMessage(message(e)), anchorRows(tenantId))).build();
        }
    }

    @POST
    @Path("/anchors/{sha256}/delete")
    @Allow(Role.ADMIN)
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response deleteAnchor(@PathParam("tenantId") UUID tenantId, @PathParam("sha256") String sha256,
            @CookieParam(SESSION) String session, @RestForm String csrf) {
        ConsoleSessions.requireCsrf(session, csrf);
        anchors.remove(tenantId, sha256);
        return seeOther(tenantId, "/anchors");
    }

    // ---- helpers

    private List<Views.AnchorRow> anchorRows(UUID tenantId) {
        return anchors.list(tenantId).stream()
                .map(a -> new Views.AnchorRow(a.sha256(), a.subject(), a.notAfter(), a.note())).toList();
    }

    private Views.Chrome chrome(UUID tenantId, String session, String active) {
        Caller caller = callers.caller();
        return new Views.Chrome(tenantId, tenants.require(tenantId).name(), caller.role().name()
                .toLowerCase(Locale.ROOT), caller.role() == Role.ADMIN, ConsoleSessions.csrfToken(session), active,
                null);
    }

    private static EndpointInput endpointInput(String name, String host, String port, String serverName,
            String interval, String protocol) {
        return new EndpointInput(name, host, number(port),
                serverName == null || serverName.isBlank() ? null : serverName, number(interval),
                protocol == null || protocol.isBlank() ? null : protocol);
    }

    /** A form number; blank is absent, anything else that is not a number is a validation error. */
    private static Integer number(String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return Integer.valueOf(value.strip());
        } catch (NumberFormatException e) {
            throw TrustfleetException.validation("'" + value.strip() + "' is not a number");
        }
    }

    private static String message(RuntimeException e) {
        if (e instanceof jakarta.validation.ConstraintViolationException v) {
            return v.getConstraintViolations().stream().map(c -> c.getMessage()).sorted()
                    .reduce((a, b) -> a + "; " + b).orElse("the form is not valid");
        }
        return e.getMessage();
    }

    private static int status(RuntimeException e) {
        if (e instanceof TrustfleetException t) {
            if (t.kind().status() >= 500) {
                throw t;
            }
            return t.kind().status();
        }
        return 400;
    }

    private static Response seeOther(UUID tenantId, String path) {
        return Response.seeOther(URI.create("/console/tenants/" + tenantId + path)).build();
    }
}
