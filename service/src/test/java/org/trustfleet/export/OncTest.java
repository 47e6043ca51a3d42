package org.trustfleet.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.trustfleet.core.ErrorKind;
import org.trustfleet.core.TrustfleetException;
import org.trustfleet.pki.Sha256;
import org.trustfleet.pki.TestPki;
import org.trustfleet.pki.TestPki.Cert;

/** The ONC document and the merge into an admin's AMAPI policy: only Trustfleet's own entries change. */
class OncTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final Cert WIFI_CA = TestPki.root("Corp Wi-Fi RADIUS CA");
    static final Cert OLD = TestPki.root("Onc Old Root");
    static final Cert KEPT = TestPki.root("Onc Kept Root");
    static final Cert NEW = TestPki.root("Onc New Root");

    /** An admin's policy: a Wi-Fi network trusting its own RADIUS CA, apps, and Trustfleet's older set. */
    static ObjectNode adminPolicy() throws Exception {
        return (ObjectNode) JSON.readTree("""
                {
                  "name": "enterprises/LC01234/policies/field",
                  "version": "7",
                  "applications": [{"packageName": "com.contoso.mail", "installType": "FORCE_INSTALLED"}],
                  "cameraDisabled": true,
                  "openNetworkConfiguration": {
                    "Type": "UnencryptedConfiguration",
                    "NetworkConfigurations": [{
                      "GUID": "corp-wifi", "Name": "Corp", "Type": "WiFi",
                      "WiFi": {"SSID": "Corp", "Security": "WPA-EAP", "AutoConnect": true,
                               "EAP": {"Outer": "PEAP", "Inner": "MSCHAPv2", "Identity": "${LOGIN_ID}",
                                       "ServerCARef": "corp-radius-ca", "UseSystemCAs": false}}
                    }],
                    "Certificates": [
                      {"GUID": "trustfleet-%s", "Type": "Authority", "X509": "%s"},
                      {"GUID": "corp-radius-ca", "Type": "Authority", "X509": "%s"},
                      {"GUID": "trustfleet-%s", "Type": "Authority", "X509": "%s"}
                    ]
                  }
                }
                """.formatted(OLD.sha256(), b64(OLD), b64(WIFI_CA), KEPT.sha256(), b64(KEPT)));
    }

    @Test
    void mergeReplacesOnlyTrustfleetEntriesAndKeepsEveryReferencedGuid() throws Exception {
        ObjectNode input = adminPolicy();
        ObjectNode original = input.deepCopy();
        Onc.Merged merged = Onc.merge(input, List.of(KEPT.cert(), NEW.cert()));

        assertThat(input).as("the input is not modified").isEqualTo(original);
        assertThat(merged.updateMask()).isEqualTo("openNetworkConfiguration");
        assertThat(merged.added()).containsExactly(NEW.sha256());
        assertThat(merged.removed()).containsExactly(OLD.sha256());

        ObjectNode policy = merged.policy();
        // every other policy field untouched
        ObjectNode withoutOnc = policy.deepCopy();
        withoutOnc.remove("openNetworkConfiguration");
        ObjectNode originalWithoutOnc = original.deepCopy();
        originalWithoutOnc.remove("openNetworkConfiguration");
        assertThat(withoutOnc).isEqualTo(originalWithoutOnc);
        // networks and the admin's own certificate untouched, in order
        JsonNode onc = policy.get("openNetworkConfiguration");
        assertThat(onc.get("NetworkConfigurations")).isEqualTo(original.at("/openNetworkConfiguration/NetworkConfigurations"));
        assertThat(onc.get("Type").asText()).isEqualTo("UnencryptedConfiguration");
        List<String> guids = new ArrayList<>();
        onc.get("Certificates").forEach(c -> guids.add(c.get("GUID").asText()));
        assertThat(guids).containsExactly("corp-radius-ca", "trustfleet-" + KEPT.sha256(),
                "trustfleet-" + NEW.sha256());
        assertThat(onc.get("Certificates").get(0)).isEqualTo(original.at("/openNetworkConfiguration/Certificates/1"));
        assertThat(Sha256.hex(Base64.getDecoder().decode(onc.get("Certificates").get(2).get("X509").asText())))
                .isEqualTo(NEW.sha256());
        // ONC: every GUID a network refers to is in the same document
        assertThat(Onc.missingReferences(onc)).isEmpty();
        // and the result is a Policy the AMAPI model reads without unknown fields
        VendorModels.amapiPolicy(policy);
    }

    @Test
    void mergingTheSameSetAgainChangesNothing() throws Exception {
        ObjectNode once = Onc.merge(adminPolicy(), List.of(KEPT.cert(), NEW.cert())).policy();
        Onc.Merged twice = Onc.merge(once, List.of(KEPT.cert(), NEW.cert()));
        assertThat(twice.policy()).isEqualTo(once);
        assertThat(twice.added()).isEmpty();
        assertThat(twice.removed()).isEmpty();
    }

    @Test
    void anEmptySetRemovesTrustfleetEntriesByOmission() throws Exception {
        Onc.Merged merged = Onc.merge(adminPolicy(), List.of());
        List<String> guids = new ArrayList<>();
        merged.policy().at("/openNetworkConfiguration/Certificates").forEach(c -> guids.add(c.get("GUID").asText()));
        assertThat(guids).containsExactly("corp-radius-ca");
        assertThat(merged.removed()).containsExactlyInAnyOrder(OLD.sha256(), KEPT.sha256());
    }

    @Test
    void aPolicyWithoutOncGetsOne() throws Exception {
        Onc.Merged merged = Onc.merge(JSON.readTree("{\"name\":\"p\",\"screenCaptureDisabled\":true}"),
                List.of(NEW.cert()));
        assertThat(merged.policy().get("screenCaptureDisabled").asBoolean()).isTrue();
        assertThat(merged.policy().at("/openNetworkConfiguration/Type").asText()).isEqualTo("UnencryptedConfiguration");
        assertThat(merged.policy().at("/openNetworkConfiguration/Certificates/0/GUID").asText())
                .isEqualTo("trustfleet-" + NEW.sha256());
        VendorModels.amapiPolicy(merged.policy());
    }

    @Test
    void aNetworkTrustingATrustfleetCertificateThatLeavesTheSetIsAConflict() throws Exception {
        ObjectNode policy = adminPolicy();
        ((ObjectNode) policy.at("/openNetworkConfiguration/NetworkConfigurations/0/WiFi/EAP"))
                .put("ServerCARef", "trustfleet-" + OLD.sha256());
        assertThatThrownBy(() -> Onc.merge(policy, List.of(NEW.cert())))
                .isInstanceOfSatisfying(TrustfleetException.class, e -> {
                    assertThat(e.kind()).isEqualTo(ErrorKind.CONFLICT);
                    assertThat(e.getMessage()).contains("trustfleet-" + OLD.sha256());
                });
        // ServerCARefs (the list form) counts too
        ObjectNode listForm = adminPolicy();
        ObjectNode eap = (ObjectNode) listForm.at("/openNetworkConfiguration/NetworkConfigurations/0/WiFi/EAP");
        eap.remove("ServerCARef");
        ArrayNode refs = eap.putArray("ServerCARefs");
        refs.add("corp-radius-ca").add("trustfleet-" + OLD.sha256());
        assertThatThrownBy(() -> Onc.merge(listForm, List.of(NEW.cert()))).isInstanceOf(TrustfleetException.class);
    }

    @Test
    void malformedInputIsAValidationProblem() throws Exception {
        for (String body : List.of("[]", "\"policy\"", "{\"openNetworkConfiguration\": []}",
                "{\"openNetworkConfiguration\": {\"Certificates\": {}}}")) {
            assertThatThrownBy(() -> Onc.merge(JSON.readTree(body), List.of(NEW.cert())))
                    .as(body).isInstanceOfSatisfying(TrustfleetException.class,
                            e -> assertThat(e.kind()).isEqualTo(ErrorKind.VALIDATION));
        }
    }

    @Test
    void theOncDocumentHasTypeAndCertificatesAtTheTop() {
        ObjectNode onc = Onc.document(List.of(KEPT.cert(), NEW.cert()));
        List<String> keys = new ArrayList<>();
        onc.fieldNames().forEachRemaining(keys::add);
        assertThat(keys).containsExactly("Type", "Certificates");
        assertThat(onc.get("Type").asText()).isEqualTo("UnencryptedConfiguration");
        onc.get("Certificates").forEach(c -> {
            List<String> fields = new ArrayList<>();
            c.fieldNames().forEachRemaining(fields::add);
            assertThat(fields).containsExactly("GUID", "Type", "X509");
            assertThat(c.get("Type").asText()).isEqualTo("Authority");
        });
    }

    static String b64(Cert cert) throws Exception {
        return Base64.getEncoder().encodeToString(cert.cert().getEncoded());
    }
}
