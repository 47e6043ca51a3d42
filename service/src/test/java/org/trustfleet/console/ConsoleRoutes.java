package org.trustfleet.console;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.MediaType;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Every console route, read from the resource classes by reflection, so that a test "for every route" also covers
 * routes added later without anyone remembering to list them.
 */
final class ConsoleRoutes {
    private static final Pattern PARAM = Pattern.compile("\\{(\\w+)}");
    private static final String SOME_SHA256 = "ab".repeat(32);

    /** One route: method, path template, whether it takes a multipart body. */
    record Route(String method, String template, boolean multipart) {
        /** The path with the tenant and a made-up id for every other parameter. */
        String path(String tenantId) {
            Matcher m = PARAM.matcher(template);
            StringBuilder out = new StringBuilder();
            while (m.find()) {
                String value = switch (m.group(1)) {
                    case "tenantId" -> tenantId;
                    case "sha256" -> SOME_SHA256;
                    default -> UUID.randomUUID().toString();
                };
                m.appendReplacement(out, value);
            }
            m.appendTail(out);
            return out.toString();
        }

        @Override
        public String toString() {
            return method + " " + template;
        }
    }

    private ConsoleRoutes() {}

    /** The routes under {@code /console/tenants/{tenantId}}. */
    static List<Route> tenantRoutes() {
        return routes(TenantPages.class);
    }

    /** Every state-changing console route, sign-in and sign-out included. */
    static List<Route> posts() {
        List<Route> all = new ArrayList<>(routes(ConsoleResource.class));
        all.addAll(routes(TenantPages.class));
        return all.stream().filter(r -> r.method().equals("POST")).toList();
    }

    private static List<Route> routes(Class<?> resource) {
        String base = resource.getAnnotation(Path.class).value();
        List<Route> routes = new ArrayList<>();
        for (Method m : resource.getDeclaredMethods()) {
            String method = m.isAnnotationPresent(GET.class) ? "GET" : m.isAnnotationPresent(POST.class) ? "POST" : null;
            if (method == null) {
                continue;
            }
            Path sub = m.getAnnotation(Path.class);
            Consumes consumes = m.getAnnotation(Consumes.class);
            boolean multipart = consumes != null && Arrays.asList(consumes.value())
                    .contains(MediaType.MULTIPART_FORM_DATA);
            routes.add(new Route(method, base + (sub == null ? "" : sub.value()), multipart));
        }
        routes.sort(Comparator.comparing(Route::toString));
        return routes;
    }
}
