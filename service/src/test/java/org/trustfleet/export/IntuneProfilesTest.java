package org.trustfleet.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.microsoft.graph.beta.models.AndroidDeviceOwnerTrustedRootCertificate;
import com.microsoft.graph.beta.models.AndroidWorkProfileTrustedRootCertificate;
import com.microsoft.graph.beta.models.AospDeviceOwnerTrustedRootCertificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.trustfleet.core.TrustfleetException;
import org.trustfleet.pki.TestPki;
import org.trustfleet.policy.ManagementMode;

/** Intune's batch plan: tenant-wide profiles, assignments carried through, deletes, type per ownership setting. */
class IntuneProfilesTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final List<X509Certificate> ROOTS = IntStream.range(0, 45)
            .mapToObj(i -> TestPki.root("Intune Root " + i).cert()).toList();
    static final String ENTRA_A = "5f0c2a4e-1b7d-4c1e-9a55-1f2e3d4c5b6a";
    static final String ENTRA_B = "0d9e8f7a-6b5c-4d3e-8f1a-2b3c4d5e6f70";

    @Test
    void fortyFiveCertificatesMakeThreeBatchesOfCreates() {
        var request = request(IntuneProfileType.DEVICE_OWNER, ROOTS, List.of(ENTRA_A));
        List<ObjectNode> batches = IntuneProfiles.batches(request, List.of());
        assertThat(batches).hasSize(3);
        assertThat(batches.stream().map(b -> b.get("requests").size()).toList()).containsExactly(20, 20, 5);
        batches.forEach(VendorModels::graphBatch);
        Set<String> shas = new HashSet<>();
        for (ObjectNode batch : batches) {
            for (JsonNode r : batch.get("requests")) {
                assertThat(r.get("method").asText()).isEqualTo("POST");
                assertThat(r.get("url").asText()).isEqualTo("/deviceManagement/deviceConfigurations");
                shas.add(IntuneProfiles.marker(r.at("/body/description").asText()).orElseThrow().sha256());
                assertThat(r.at("/body/description").asText()).contains(UserStoreCaveat.SENTENCE);
            }
        }
        assertThat(shas).hasSize(45);
    }

    @Test
    void existingProfilesGetTheCallersAssignmentsOnceAndKeepTheirs() {
        List<X509Certificate> set = ROOTS.subList(0, 2);
        var request = request(IntuneProfileType.DEVICE_OWNER, set, List.of(ENTRA_A, ENTRA_B));
        ArrayNode listing = JSON.createArrayNode();
        listing.add(existing("p0", set.get(0), IntuneProfileType.DEVICE_OWNER, ENTRA_A));
        listing.add(existing("p1", set.get(1), IntuneProfileType.DEVICE_OWNER));
        listing.add(JSON.createObjectNode().put("id", "not-ours").put("@odata.type",
                "#microsoft.graph.androidDeviceOwnerTrustedRootCertificate").put("description", "the admin's own"));
        List<ObjectNode> batches = IntuneProfiles.batches(request, IntuneProfiles.readListing(wrap(listing)));
        assertThat(batches).hasSize(1);
        VendorModels.graphBatch(batches.get(0));
        List<String> calls = calls(batches);
        assertThat(calls).containsExactly(
                "POST /deviceManagement/deviceConfigurations/p0/assignments " + ENTRA_B,
                "POST /deviceManagement/deviceConfigurations/p1/assignments " + ENTRA_A,
                "POST /deviceManagement/deviceConfigurations/p1/assignments " + ENTRA_B);
        // once every assignment is there, the plan is empty: running it again changes nothing
        ArrayNode done = JSON.createArrayNode();
        done.add(existing("p0", set.get(0), IntuneProfileType.DEVICE_OWNER, ENTRA_A, ENTRA_B));
        done.add(existing("p1", set.get(1), IntuneProfileType.DEVICE_OWNER, ENTRA_B, ENTRA_A));
        assertThat(IntuneProfiles.batches(request, IntuneProfiles.readListing(wrap(done)))).isEmpty();
    }

    @Test
    void aCertificateNoLongerRequiredIsDeleted() {
        List<X509Certificate> set = ROOTS.subList(0, 1);
        var request = request(IntuneProfileType.DEVICE_OWNER, set, List.of(ENTRA_A));
        ArrayNode listing = JSON.createArrayNode();
        listing.add(existing("keep", set.get(0), IntuneProfileType.DEVICE_OWNER, ENTRA_A));
        listing.add(existing("gone", ROOTS.get(7), IntuneProfileType.DEVICE_OWNER, ENTRA_A));
        List<String> calls = calls(IntuneProfiles.batches(request, IntuneProfiles.readListing(wrap(listing))));
        assertThat(calls).containsExactly("DELETE /deviceManagement/deviceConfigurations/gone");
    }

    @Test
    void aProfileAnotherGroupStillNeedsLosesOnlyThisGroupsAssignment() {
        List<X509Certificate> set = ROOTS.subList(0, 1);
        Set<IntuneProfiles.Key> tenant = new HashSet<>(keys(set, IntuneProfileType.DEVICE_OWNER));
        tenant.addAll(keys(List.of(ROOTS.get(9)), IntuneProfileType.DEVICE_OWNER)); // another group's
        var request = new IntuneProfiles.Request(IntuneProfileType.DEVICE_OWNER, set, 4, List.of(ENTRA_A), tenant);
        ArrayNode listing = JSON.createArrayNode();
        listing.add(existing("mine", set.get(0), IntuneProfileType.DEVICE_OWNER, ENTRA_A));
        listing.add(existing("shared", ROOTS.get(9), IntuneProfileType.DEVICE_OWNER, ENTRA_A, ENTRA_B));
        List<String> calls = calls(IntuneProfiles.batches(request, IntuneProfiles.readListing(wrap(listing))));
        assertThat(calls).containsExactly(
                "DELETE /deviceManagement/deviceConfigurations/shared/assignments/shared-" + ENTRA_A);
    }

    @Test
    void aGroupSwitchedFromWorkProfileToCopeChangesTheProfileType() {
        List<X509Certificate> set = ROOTS.subList(0, 1);
        IntuneProfileType cope = IntuneProfileType.of(ManagementMode.CORPORATE_OWNED_WORK_PROFILE);
        assertThat(cope).isEqualTo(IntuneProfileType.DEVICE_OWNER);
        var request = request(cope, set, List.of(ENTRA_A));
        ArrayNode listing = JSON.createArrayNode();
        listing.add(existing("wp", set.get(0), IntuneProfileType.WORK_PROFILE, ENTRA_A));
        List<ObjectNode> batches = IntuneProfiles.batches(request, IntuneProfiles.readListing(wrap(listing)));
        VendorModels.graphBatch(batches.get(0));
        List<String> calls = calls(batches);
        assertThat(calls).containsExactly("DELETE /deviceManagement/deviceConfigurations/wp",
                "POST /deviceManagement/deviceConfigurations #microsoft.graph.androidDeviceOwnerTrustedRootCertificate");
        assertThat(VendorModels.graphProfile(batches.get(0).at("/requests/1/body")))
                .isInstanceOf(AndroidDeviceOwnerTrustedRootCertificate.class);
    }

    @Test
    void eachOwnershipSettingHasItsGraphType() {
        record Row(ManagementMode mode, Class<?> model) {}
        for (Row row : List.of(new Row(ManagementMode.FULLY_MANAGED, AndroidDeviceOwnerTrustedRootCertificate.class),
                new Row(ManagementMode.DEDICATED, AndroidDeviceOwnerTrustedRootCertificate.class),
                new Row(ManagementMode.CORPORATE_OWNED_WORK_PROFILE, AndroidDeviceOwnerTrustedRootCertificate.class),
                new Row(ManagementMode.WORK_PROFILE, AndroidWorkProfileTrustedRootCertificate.class),
                new Row(ManagementMode.AOSP, AospDeviceOwnerTrustedRootCertificate.class))) {
            ObjectNode profile = IntuneProfiles.profile(ROOTS.get(0), IntuneProfileType.of(row.mode()), 3);
            assertThat(VendorModels.graphProfile(profile)).as(row.mode().name()).isInstanceOf(row.model());
        }
    }

    @Test
    void theMarkerCarriesTheFingerprintAndVersion() {
        ObjectNode profile = IntuneProfiles.profile(ROOTS.get(3), IntuneProfileType.WORK_PROFILE, 12);
        IntuneProfiles.Marker marker = IntuneProfiles.marker(profile.get("description").asText()).orElseThrow();
        assertThat(marker).isEqualTo(new IntuneProfiles.Marker(org.trustfleet.pki.Sha256.of(ROOTS.get(3)), 12));
        assertThat(IntuneProfiles.marker("made by hand")).isEmpty();
        assertThat(profile.get("displayName").asText()).startsWith("Trustfleet Intune Root 3 [");
    }

    @Test
    void assignToTakesGuidsOnly() {
        assertThat(IntuneProfiles.assignTo(ENTRA_A.toUpperCase(java.util.Locale.ROOT) + ", " + ENTRA_B))
                .containsExactly(ENTRA_A, ENTRA_B);
        assertThat(IntuneProfiles.assignTo(null)).isEmpty();
        for (String bad : List.of("x", ENTRA_A + ",", "1-1-1-1-1", ENTRA_A + ";" + ENTRA_B)) {
            assertThatThrownBy(() -> IntuneProfiles.assignTo(bad)).as(bad).isInstanceOf(TrustfleetException.class);
        }
    }

    @Test
    void graphIdsThatCouldBendAUrlAreRefused() {
        ArrayNode listing = JSON.createArrayNode();
        listing.add(existing("../../users", ROOTS.get(0), IntuneProfileType.DEVICE_OWNER));
        assertThatThrownBy(() -> IntuneProfiles.readListing(wrap(listing))).isInstanceOf(TrustfleetException.class);
        assertThatThrownBy(() -> IntuneProfiles.readListing(JSON.createObjectNode()))
                .isInstanceOf(TrustfleetException.class);
    }

    static IntuneProfiles.Request request(IntuneProfileType type, List<X509Certificate> set, List<String> assignTo) {
        return new IntuneProfiles.Request(type, set, 5, assignTo, new HashSet<>(keys(set, type)));
    }

    static List<IntuneProfiles.Key> keys(List<X509Certificate> set, IntuneProfileType type) {
        return set.stream().map(c -> new IntuneProfiles.Key(org.trustfleet.pki.Sha256.of(c), type)).toList();
    }

    /** A profile as Graph lists it with $expand=assignments (with properties Trustfleet does not read). */
    static ObjectNode existing(String id, X509Certificate certificate, IntuneProfileType type, String... groups) {
        ObjectNode profile = IntuneProfiles.profile(certificate, type, 2);
        profile.put("id", id);
        profile.put("version", 3);
        profile.put("lastModifiedDateTime", "2026-11-01T10:00:00Z");
        ArrayNode assignments = profile.putArray("assignments");
        for (String group : groups) {
            ObjectNode a = assignments.addObject();
            a.put("id", id + "-" + group);
            a.putObject("target").put("@odata.type", "#microsoft.graph.groupAssignmentTarget").put("groupId", group);
        }
        return profile;
    }

    static ObjectNode wrap(ArrayNode values) {
        ObjectNode listing = JSON.createObjectNode();
        listing.put("@odata.context", "https://graph.microsoft.com/beta/$metadata#deviceManagement/deviceConfigurations");
        listing.set("value", values);
        return listing;
    }

    /** "METHOD url" plus the assigned group or the created type: what each request does. */
    static List<String> calls(List<ObjectNode> batches) {
        List<String> out = new ArrayList<>();
        for (ObjectNode batch : batches) {
            assertThat(batch.get("requests").size()).isLessThanOrEqualTo(IntuneProfiles.MAX_BATCH);
            for (JsonNode r : batch.get("requests")) {
                String call = r.get("method").asText() + " " + r.get("url").asText();
                if (r.has("body")) {
                    call += " " + (r.at("/body/target/groupId").isMissingNode() ? r.at("/body/@odata.type").asText()
                            : r.at("/body/target/groupId").asText());
                }
                out.add(call);
            }
        }
        return out;
    }
}
