package org.trustfleet.export;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.api.client.json.GenericJson;
import com.google.api.client.json.gson.GsonFactory;
import com.google.api.services.androidmanagement.v1.model.Policy;
import com.microsoft.graph.beta.models.DeviceConfiguration;
import com.microsoft.graph.beta.models.DeviceConfigurationAssignment;
import com.microsoft.graph.beta.models.GroupAssignmentTarget;
import com.microsoft.kiota.serialization.JsonParseNodeFactory;
import com.microsoft.kiota.serialization.JsonSerializationWriter;
import com.microsoft.kiota.serialization.Parsable;
import com.microsoft.kiota.serialization.ParsableFactory;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.Map;
import java.util.Set;

/**
 * Reads console exports with the vendors' own model classes (Microsoft Graph beta Java SDK through its Kiota JSON
 * parse node; the Android Management API model through google-http-client's Gson factory) and fails on a property
 * the model does not know or a required one that is missing. Neither parser rejects unknown properties by itself
 * (Kiota keeps them in additionalData, google-http-client in unknownKeys), so each check also writes the model back
 * and compares it with the input.
 */
public final class VendorModels {
    private static final ObjectMapper JSON = new ObjectMapper();

    private VendorModels() {}

    /** A Graph trusted-certificate profile body; returns the model (of the subtype its @odata.type names). */
    public static DeviceConfiguration graphProfile(JsonNode body) {
        DeviceConfiguration profile = graph(body, DeviceConfiguration::createFromDiscriminatorValue);
        assertThat(profile.getOdataType()).as("@odata.type").isNotNull();
        assertThat(profile.getDisplayName()).as("displayName").isNotBlank();
        assertThat(profile.getDescription()).as("description").isNotBlank();
        assertThat(profile.getBackingStore().<String>get("certFileName")).as("certFileName").isNotBlank();
        assertThat(profile.getBackingStore().<byte[]>get("trustedRootCertificate")).as("trustedRootCertificate")
                .isNotEmpty();
        return profile;
    }

    /** A Graph device configuration assignment body (to an Entra group). */
    public static DeviceConfigurationAssignment graphAssignment(JsonNode body) {
        DeviceConfigurationAssignment assignment = graph(body,
                DeviceConfigurationAssignment::createFromDiscriminatorValue);
        assertThat(assignment.getTarget()).isInstanceOf(GroupAssignmentTarget.class);
        assertThat(((GroupAssignmentTarget) assignment.getTarget()).getGroupId()).isNotBlank();
        return assignment;
    }

    /**
     * A Graph JSON batch body: at most 20 requests of id, method, url and, with a body, a Content-Type header; each
     * body parsed by the model its URL takes.
     */
    public static void graphBatch(JsonNode batch) {
        assertThat(fieldNames(batch)).containsExactly("requests");
        JsonNode requests = batch.get("requests");
        assertThat(requests.size()).isBetween(1, 20);
        java.util.Set<String> ids = new java.util.HashSet<>();
        for (JsonNode request : requests) {
            assertThat(Set.of("id", "method", "url", "headers", "body")).containsAll(fieldNames(request));
            assertThat(ids.add(request.get("id").asText())).as("unique id").isTrue();
            String method = request.get("method").asText();
            String url = request.get("url").asText();
            assertThat(url).startsWith("/deviceManagement/deviceConfigurations");
            if (request.has("body")) {
                assertThat(request.get("headers").get("Content-Type").asText()).isEqualTo("application/json");
                if (url.endsWith("/assignments")) {
                    graphAssignment(request.get("body"));
                } else {
                    assertThat(url).isEqualTo("/deviceManagement/deviceConfigurations");
                    graphProfile(request.get("body"));
                }
                assertThat(method).isEqualTo("POST");
            } else {
                assertThat(method).isEqualTo("DELETE");
                assertThat(request.has("headers")).isFalse();
            }
        }
    }

    /** An AMAPI Policy, read by the AMAPI model; unknown keys anywhere in the model fail. */
    public static Policy amapiPolicy(JsonNode body) {
        try {
            Policy policy = GsonFactory.getDefaultInstance().createJsonParser(JSON.writeValueAsString(body))
                    .parse(Policy.class);
            assertNoUnknownKeys(policy, "Policy");
            JsonNode back = JSON.readTree(GsonFactory.getDefaultInstance().toString(policy));
            assertThat(back).as("the AMAPI model writes back what it read").isEqualTo(body);
            return policy;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static <T extends Parsable> T graph(JsonNode body, ParsableFactory<T> factory) {
        try {
            byte[] bytes = JSON.writeValueAsBytes(body);
            T model = new JsonParseNodeFactory().getParseNode("application/json", new ByteArrayInputStream(bytes))
                    .getObjectValue(factory);
            assertThat(model).isNotNull();
            Map<String, Object> unknown = model instanceof com.microsoft.kiota.serialization.AdditionalDataHolder h
                    ? h.getAdditionalData() : Map.of();
            assertThat(unknown).as("properties the Graph model does not know").isEmpty();
            JsonSerializationWriter writer = new JsonSerializationWriter();
            writer.writeObjectValue(null, model);
            JsonNode back = JSON.readTree(new String(writer.getSerializedContent().readAllBytes(),
                    StandardCharsets.UTF_8));
            assertThat(back).as("the Graph model writes back what it read").isEqualTo(body);
            return model;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void assertNoUnknownKeys(Object value, String path) {
        if (value instanceof GenericJson json) {
            assertThat(json.getUnknownKeys()).as("unknown keys at " + path).isEmpty();
            for (Map.Entry<String, Object> e : json.entrySet()) {
                assertNoUnknownKeys(e.getValue(), path + "." + e.getKey());
            }
        } else if (value instanceof Collection<?> list) {
            list.forEach(v -> assertNoUnknownKeys(v, path + "[]"));
        }
    }

    private static java.util.List<String> fieldNames(JsonNode node) {
        java.util.List<String> names = new java.util.ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
