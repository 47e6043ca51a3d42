package org.trustfleet.agent;

import java.util.Arrays;
import org.json.JSONObject;

/**
 * What a device says about itself in {@code POST /api/v1/device/observations}: who made it, which Android release and
 * API level, which security patch, and the Conscrypt/mainline module version when readable (null otherwise). The
 * server groups observed CA stores by these.
 */
public final class DeviceFacts {

    private final String manufacturer;
    private final String model;
    private final String release;
    private final int apiLevel;
    private final String securityPatch;
    private final String mainlineVersion;

    public DeviceFacts(String manufacturer, String model, String release, int apiLevel, String securityPatch,
            String mainlineVersion) {
        this.manufacturer = clean(manufacturer);
        this.model = clean(model);
        this.release = clean(release);
        this.apiLevel = apiLevel;
        this.securityPatch = clean(securityPatch);
        this.mainlineVersion = clean(mainlineVersion);
    }

    /** Wire limits: at most 100 characters, no control characters; empty becomes null. */
    private static String clean(String s) {
        if (s == null) {
            return null;
        }
        String c = s.replaceAll("\\p{Cntrl}", " ").trim();
        if (c.isEmpty()) {
            return null;
        }
        return c.length() > 100 ? c.substring(0, 100) : c;
    }

    public String manufacturer() { return manufacturer; }
    public String model() { return model; }
    public String release() { return release; }
    public int apiLevel() { return apiLevel; }
    public String securityPatch() { return securityPatch; }
    public String mainlineVersion() { return mainlineVersion; }

    JSONObject toJson() {
        return new JSONObject().put("manufacturer", orNull(manufacturer)).put("model", orNull(model))
                .put("release", orNull(release)).put("apiLevel", apiLevel)
                .put("securityPatch", orNull(securityPatch)).put("mainlineVersion", orNull(mainlineVersion));
    }

    private static Object orNull(String s) {
        return s == null ? JSONObject.NULL : s;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DeviceFacts && Arrays.equals(fields(), ((DeviceFacts) o).fields());
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(fields());
    }

    private Object[] fields() {
        return new Object[] {manufacturer, model, release, apiLevel, securityPatch, mainlineVersion};
    }

    @Override
    public String toString() {
        return manufacturer + " " + model + " (Android " + release + ", API " + apiLevel + ", patch " + securityPatch
                + ", mainline " + mainlineVersion + ")";
    }
}
