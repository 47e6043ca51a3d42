package org.trustfleet.agent;

import java.util.ArrayList;
import java.util.List;
import org.json.JSONArray;
import org.json.JSONObject;

/** The few org.json reads the agent needs, written against the API Android's built-in copy has (API 24). */
final class Json {

    private Json() {
    }

    /** A string field, or null when absent or JSON null; a non-string value is an error. */
    static String optText(JSONObject o, String field) {
        if (!o.has(field) || o.isNull(field)) {
            return null;
        }
        Object v = o.get(field);
        if (!(v instanceof String)) {
            throw new IllegalArgumentException("field '" + field + "' must be a string");
        }
        return (String) v;
    }

    /** A required string field. */
    static String text(JSONObject o, String field) {
        String s = optText(o, field);
        if (s == null) {
            throw new IllegalArgumentException("missing field '" + field + "'");
        }
        return s;
    }

    static List<String> strings(JSONArray a) {
        List<String> out = new ArrayList<String>();
        for (int i = 0; a != null && i < a.length(); i++) {
            out.add(a.getString(i));
        }
        return out;
    }
}
