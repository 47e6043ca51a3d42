package org.trustfleet.core;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Values stored as JSON in database columns (storage records, lists of fingerprints). It has a mapper of its own,
 * apart from the API's: the API refuses unknown properties, but a stored row must stay readable when a later
 * version adds a field, so this one ignores what it does not know. What the service wrote it can always read back,
 * so a failure here is a bug or a damaged row, never user input.
 */
@ApplicationScoped
public class JsonColumns {
    private final ObjectMapper json;

    /** @param api the application's mapper, whose modules (java.time) and date format this one keeps */
    public JsonColumns(ObjectMapper api) {
        this.json = api.copy().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
    }

    public String write(Object value) {
        try {
            return json.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("value cannot be stored as JSON", e);
        }
    }

    public <T> T read(String text, TypeReference<T> type) {
        try {
            return json.readValue(text, type);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored JSON column is unreadable", e);
        }
    }

    public <T> T read(String text, Class<T> type) {
        try {
            return json.readValue(text, type);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored JSON column is unreadable", e);
        }
    }
}
